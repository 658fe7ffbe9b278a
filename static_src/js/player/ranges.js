// Watched ranges in the browser: sorted, disjoint [start, end] pairs of seconds. The server merges again with
// lms/intervals.py, so these only need to be right, not identical: they decide what is still to be sent.

/** Sorted, merged copy of `ranges` (pairs that overlap or touch become one); empty pairs are dropped. */
export function mergeRanges (ranges) {
  const sorted = ranges
    .filter(([start, end]) => Number.isFinite(start) && Number.isFinite(end) && end > start)
    .map(([start, end]) => [start, end])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
  const merged = []
  for (const [start, end] of sorted) {
    const last = merged[merged.length - 1]
    if (last && start <= last[1]) {
      last[1] = Math.max(last[1], end)
    } else {
      merged.push([start, end])
    }
  }
  return merged
}

/** The parts of `ranges` not covered by `covered` (both merged). Pieces shorter than `minimum` are dropped. */
export function subtractRanges (ranges, covered, minimum = 0.05) {
  const result = []
  for (const [start, end] of ranges) {
    let cursor = start
    for (const [coveredStart, coveredEnd] of covered) {
      if (coveredEnd <= cursor) continue
      if (coveredStart >= end) break
      if (coveredStart > cursor) result.push([cursor, Math.min(coveredStart, end)])
      cursor = Math.max(cursor, coveredEnd)
      if (cursor >= end) break
    }
    if (cursor < end) result.push([cursor, end])
  }
  return result.filter(([start, end]) => end - start >= minimum)
}

/** A media element's TimeRanges (e.g. `video.played`) as an array of pairs. */
export function timeRangesToArray (timeRanges) {
  const ranges = []
  for (let i = 0; i < timeRanges.length; i++) {
    ranges.push([timeRanges.start(i), timeRanges.end(i)])
  }
  return ranges
}

/** `ranges` clipped to [0, limit] and rounded to milliseconds, with empty pairs dropped. */
export function clipRanges (ranges, limit) {
  const round = (seconds) => Math.round(seconds * 1000) / 1000
  return ranges
    .map(([start, end]) => [round(Math.max(0, start)), round(Math.min(limit, end))])
    .filter(([start, end]) => end > start)
}
