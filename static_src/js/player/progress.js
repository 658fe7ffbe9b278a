// Progress heartbeats for the progress API (POST /api/progress/, the contract in DESIGN.md).
//
// What was played comes from the browser's own record, `video.played`, merged into `collected` for the whole
// page view (it survives a change of rendition, which resets `video.played`). Each heartbeat carries the parts of
// `collected` that the server has not accepted yet, so a heartbeat lost to the network, refused as too frequent
// (429) or refused as faster than the wall clock allows (400) is simply sent again, merged with whatever was
// watched since. The server's clock for this session starts at its first heartbeat, so one (seq 0) goes as soon
// as playback starts; then one every `heartbeatSeconds` while playing, and one on pause, at the end and when the
// page is hidden or left (fetch with keepalive: sendBeacon cannot send the X-CSRFToken header).

import { clipRanges, mergeRanges, subtractRanges, timeRangesToArray } from './ranges.js'

// lms.heartbeats: at most 50 ranges a heartbeat, and durations may differ from the server's by up to a second.
const MAX_RANGES = 50
const DURATION_TOLERANCE = 1
const MAX_BACKOFF_SECONDS = 60
// Consecutive 400s before the player stops and says so: a wall-clock refusal heals at the next heartbeat,
// anything else (an out-of-date page) never will.
const MAX_REFUSALS = 3

/** A version-4 UUID. crypto.randomUUID() exists only on HTTPS (and localhost); getRandomValues everywhere. */
export function newSessionId () {
  if (window.crypto.randomUUID) return window.crypto.randomUUID()
  const bytes = window.crypto.getRandomValues(new Uint8Array(16))
  bytes[6] = (bytes[6] & 0x0f) | 0x40
  bytes[8] = (bytes[8] & 0x3f) | 0x80
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export class ProgressReporter {
  /**
   * @param {object} options
   * @param {HTMLVideoElement} options.video
   * @param {number} options.item - the page id
   * @param {number} options.duration - the video's length as the server knows it
   * @param {string} options.url - the progress API
   * @param {string} options.csrfToken
   * @param {number} options.heartbeatSeconds
   * @param {(progress: object) => void} options.onProgress - each accepted heartbeat's response
   * @param {(message: string|null) => void} options.onProblem - a message for the learner, or null when resolved
   */
  constructor ({ video, item, duration, url, csrfToken, heartbeatSeconds, onProgress, onProblem }) {
    this.video = video
    this.item = item
    this.duration = duration
    this.url = url
    this.csrfToken = csrfToken
    this.heartbeatMs = Math.max(1, heartbeatSeconds) * 1000
    this.onProgress = onProgress
    this.onProblem = onProblem

    this.session = newSessionId() // one per page view
    this.seq = 0
    this.collected = [] // everything played during this page view
    this.accepted = [] // what the server has accepted
    this.sending = null // the ranges of the request in flight
    this.leavingSent = [] // ranges sent with keepalive as the page was hidden or left
    this.again = false // something happened while a request was in flight: send once it is back
    this.started = false
    this.stopped = false
    this.timer = null
    this.retryTimer = null
    this.backoff = 0
    this.refusals = 0
    this.lastPosition = null

    video.addEventListener('play', () => this.handlePlay())
    video.addEventListener('pause', () => this.handleStop())
    video.addEventListener('ended', () => this.handleStop())
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') this.send({ leaving: true })
    })
    window.addEventListener('pagehide', () => this.send({ leaving: true }))
  }

  /** Merge what the video has played into `collected`. Call before anything resets `video.played`. */
  collect () {
    this.collected = mergeRanges([...this.collected, ...timeRangesToArray(this.video.played)])
  }

  handlePlay () {
    if (!this.started) {
      this.started = true
      this.send()
    }
    window.clearInterval(this.timer)
    this.timer = window.setInterval(() => {
      if (!this.video.paused) this.send()
    }, this.heartbeatMs)
  }

  handleStop () {
    window.clearInterval(this.timer)
    this.timer = null
    this.send()
  }

  /** Send a heartbeat now, unless there is nothing new. `leaving`: the page is being hidden or closed. */
  send ({ leaving = false } = {}) {
    if (this.stopped || !this.started) return
    this.collect()
    if (!leaving && (this.sending || this.retryTimer)) {
      this.again = true // the request in flight, or the retry already scheduled, will pick this up
      return
    }
    // When leaving, a request in flight may be cancelled with the page, so only what was accepted (or already sent
    // with keepalive: `visibilitychange` and `pagehide` both fire when a tab is closed) counts as sent.
    const notNew = mergeRanges([...this.accepted, ...(leaving ? this.leavingSent : this.sending || [])])
    const limit = this.duration + DURATION_TOLERANCE
    const ranges = clipRanges(subtractRanges(this.collected, notNew), limit).slice(0, MAX_RANGES)
    const position = Math.min(Math.max(0, this.video.currentTime || 0), limit)
    const moved = this.lastPosition === null || Math.abs(position - this.lastPosition) >= 1
    if (this.seq > 0 && ranges.length === 0 && !moved) return

    const body = { item: this.item, session: this.session, seq: this.seq, ranges, position, duration: this.duration }
    this.seq += 1
    this.lastPosition = position
    const request = window.fetch(this.url, {
      method: 'POST',
      credentials: 'same-origin',
      keepalive: leaving,
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': this.csrfToken },
      body: JSON.stringify(body)
    })
    if (leaving) {
      this.leavingSent = mergeRanges([...this.leavingSent, ...ranges])
      request.then((response) => this.settle(response, ranges), () => {})
      return
    }
    this.sending = ranges
    request
      .then((response) => this.settle(response, ranges), () => this.retryLater(null))
      .finally(() => {
        this.sending = null
        if (this.again && !this.retryTimer) {
          this.again = false
          this.send()
        }
      })
  }

  async settle (response, ranges) {
    if (response.ok) {
      this.accepted = mergeRanges([...this.accepted, ...ranges])
      this.backoff = 0
      this.refusals = 0
      this.onProblem(null)
      this.onProgress(await response.json())
      return
    }
    if (response.status === 429) {
      this.retryLater(Number(response.headers.get('Retry-After')) || 5)
    } else if (response.status === 400) {
      this.refusals += 1
      if (this.refusals >= MAX_REFUSALS) {
        this.stop('Your progress on this page could not be saved. Reload the page to try again.')
      } else {
        this.retryLater(this.heartbeatMs / 1000) // more wall-clock time makes a too-fast refusal acceptable
      }
    } else if (response.status === 403) {
      this.stop('Your progress is not being saved because you are signed out. Sign in again, then reload this page.')
    } else if (response.status === 404) {
      this.stop('Progress cannot be saved for this page. It may have been withdrawn: reload the page.')
    } else {
      this.retryLater(null)
    }
  }

  /** Try again after `seconds`, or after a growing delay when the network or the server failed. */
  retryLater (seconds) {
    if (this.stopped) return
    if (seconds === null) {
      this.backoff = Math.min(MAX_BACKOFF_SECONDS, this.backoff ? this.backoff * 2 : 2)
      seconds = this.backoff
      if (this.backoff >= 8) {
        this.onProblem('Your progress could not be saved just now. Keep watching: we will keep trying.')
      }
    }
    window.clearTimeout(this.retryTimer)
    this.retryTimer = window.setTimeout(() => {
      this.retryTimer = null
      this.again = false
      this.send()
    }, seconds * 1000)
  }

  stop (message) {
    this.stopped = true
    window.clearInterval(this.timer)
    window.clearTimeout(this.retryTimer)
    this.onProblem(message)
  }
}
