"""Watched-range arithmetic: which seconds of a video a learner has watched, as half-open ``[start, end)`` ranges.

Pure Python with no Django import, called on every progress heartbeat, so every function is a single sort plus a
linear pass (O(n log n), and close to O(n) when the input is already mostly sorted, as stored ranges are).

How the progress service uses it, per heartbeat (``d`` is the item's duration as the server knows it)::

    existing = normalise(from_json(progress.ranges), duration=d)   # stored rounded to 0.01 s; re-clip to d
    merged = merge(existing, heartbeat.ranges, duration=d)
    newly_watched = total(merged) - total(existing)               # == added_seconds(existing, heartbeat.ranges, …)
    ...plausibility check on newly_watched, then store to_json(merged) and coverage(merged, d)

"Watched seconds" are the seconds covered by the normalised ranges, so a gap of at most ``MERGE_GAP_SECONDS``
between two watched ranges counts as watched. That is deliberate (see the constant) and bounded: each bridged gap
adds at most ``MERGE_GAP_SECONDS``, and the newly watched time, bridged gaps included, is what the service's
wall-clock plausibility check limits.
"""

import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from itertools import islice
from typing import Final

Range = tuple[float, float]

#: Gaps of at most this many seconds between two watched ranges are merged as if the ranges touched.
#: The player samples ``currentTime`` on ``timeupdate``, which browsers fire every 15–250 ms, so a range that the
#: client closes at one sample and reopens at the next (e.g. across two heartbeats) leaves a gap of up to one sample
#: interval of *media* time: 0.25 s at 1× and 0.5 s at 2×, the fastest speed the progress API credits. 0.25 s would
#: be exactly on the edge at 1× and too small at 2×, and timers run late under load, so the tolerance is 0.5 s and
#: the comparison is inclusive. Larger tolerances would credit real skips (a tap on "forward 10 s" is 10 s).
MERGE_GAP_SECONDS: Final = 0.5

#: Stored ranges are rounded to whole multiples of 1 / STORAGE_STEPS_PER_SECOND (0.01 s), which keeps the stored
#: JSON small without losing anything a learner could notice.
STORAGE_STEPS_PER_SECOND: Final = 100


def normalise(ranges: Iterable[Sequence[float]], *, duration: float) -> list[Range]:
    """Return ``ranges`` clipped to ``[0, duration]``, with empty ranges dropped, sorted, and overlapping, touching
    and nearly touching (gap ≤ ``MERGE_GAP_SECONDS``) ranges merged.

    The result is sorted and disjoint, and every gap left in it is longer than ``MERGE_GAP_SECONDS``. The function
    is idempotent and the order of the input does not matter. Each range is any 2-item sequence of ints or floats.
    Raises ``ValueError`` for a non-finite endpoint or a negative or non-finite ``duration`` (callers validate
    client input first, so these are programming errors).
    """
    duration = _checked_duration(duration)
    isfinite = math.isfinite
    clipped: list[Range] = []
    for start, end in ranges:
        try:
            finite = isfinite(start) and isfinite(end)
        except OverflowError:  # an int too large for a float
            finite = False
        if not finite:
            raise ValueError(f"range endpoints must be finite numbers, got [{start!r}, {end!r}]")
        start = 0.0 if start <= 0 else float(start)  # also turns -0.0 into 0.0
        end = duration if end >= duration else float(end)
        if end > start:
            clipped.append((start, end))
    if len(clipped) < 2:
        return clipped
    clipped.sort()

    merged: list[Range] = []
    cur_start, cur_end = clipped[0]
    for start, end in islice(clipped, 1, None):
        if start - cur_end <= MERGE_GAP_SECONDS:
            if end > cur_end:
                cur_end = end
        else:
            merged.append((cur_start, cur_end))
            cur_start, cur_end = start, end
    merged.append((cur_start, cur_end))
    return merged


def merge(existing: Iterable[Sequence[float]], new: Iterable[Sequence[float]], *, duration: float) -> list[Range]:
    """Return the normalised union of ``existing`` and ``new`` (see ``normalise``).

    Merging is associative and commutative: merging heartbeats in any order, or the same heartbeat twice, gives
    the same ranges.
    """
    # Stored ranges arrive sorted, so the sort inside normalise is close to linear (Timsort finds the runs).
    return normalise([*existing, *new], duration=duration)


def total(ranges: Iterable[Sequence[float]]) -> float:
    """Return the number of unique seconds covered by ``ranges``.

    For normalised ranges (as returned by ``normalise`` and ``merge``) this is the sum of their lengths. Other
    input is measured as the plain union of its ranges: overlaps count once, nothing is clipped and no gap is
    bridged, so normalise first when that matters.
    """
    seconds = 0.0
    cur_start = cur_end = None
    for start, end in sorted(ranges):
        if end <= start:
            continue
        if cur_end is None:
            cur_start, cur_end = start, end
        elif start <= cur_end:
            if end > cur_end:
                cur_end = end
        else:
            seconds += cur_end - cur_start
            cur_start, cur_end = start, end
    if cur_end is not None:
        seconds += cur_end - cur_start
    return seconds


def added_seconds(existing: Iterable[Sequence[float]], new: Iterable[Sequence[float]], *, duration: float) -> float:
    """Return how many unique watched seconds ``new`` adds to ``existing`` on an item of ``duration`` seconds.

    Equal to ``total(merge(existing, new)) - total(normalise(existing))`` and never negative. This is the quantity
    the wall-clock plausibility check limits, and it includes gaps that ``new`` closes (see ``MERGE_GAP_SECONDS``).
    When the caller also needs the merged ranges, call ``merge`` once and subtract the totals instead.
    """
    base = normalise(existing, duration=duration)
    return max(0.0, total(merge(base, new, duration=duration)) - total(base))


def coverage(ranges: Iterable[Sequence[float]], duration: float) -> float:
    """Return the percentage (0–100) of an item of ``duration`` seconds that ``ranges`` cover.

    The ranges are normalised for ``duration`` first, so ranges beyond the end never count. A zero duration gives
    0.0. Seeking to the end does not complete an item: ``[[0, 5], [595, 600]]`` of 600 s covers 1.7 %.
    """
    duration = _checked_duration(duration)
    if duration == 0:
        return 0.0
    return min(100.0, total(normalise(ranges, duration=duration)) * 100.0 / duration)


def to_json(ranges: Iterable[Sequence[float]]) -> list[list[float]]:
    """Return normalised ``ranges`` as JSON-ready ``[[start, end], …]`` rounded to 0.01 s, for storage.

    Ranges that rounding makes empty are dropped. Nothing is merged or clipped here: pass ranges from ``merge`` or
    ``normalise``, and normalise again after ``from_json`` (rounding can move an end just past the duration).
    """
    stored = []
    for start, end in ranges:
        # round(x * 100) / 100 is the float nearest to x rounded to 0.01, and several times faster than round(x, 2).
        start = round(start * STORAGE_STEPS_PER_SECOND) / STORAGE_STEPS_PER_SECOND
        end = round(end * STORAGE_STEPS_PER_SECOND) / STORAGE_STEPS_PER_SECOND
        if end > start:
            stored.append([start, end])
    return stored


def from_json(value: object) -> list[Range]:
    """Return stored ranges (``[[start, end], …]`` as written by ``to_json``) as a list of float tuples.

    Raises ``ValueError`` naming the first bad entry when ``value`` is not a list of ``[start, end]`` pairs of
    finite numbers with ``0 <= start <= end``.
    """
    if not isinstance(value, list | tuple):
        raise ValueError(f"stored ranges must be a list of [start, end] pairs, got {type(value).__name__}")
    ranges: list[Range] = []
    for index, pair in enumerate(value):
        if not (type(pair) is list or type(pair) is tuple) or len(pair) != 2:
            raise ValueError(f"stored ranges[{index}] must be a [start, end] pair of numbers, got {pair!r}")
        start, end = pair
        if type(start) is not float or type(end) is not float:  # to_json writes floats; anything else is rare
            if not (_is_number(start) and _is_number(end)):
                raise ValueError(f"stored ranges[{index}] must be a [start, end] pair of numbers, got {pair!r}")
            if not (_is_finite(start) and _is_finite(end)):
                raise ValueError(f"stored ranges[{index}] must be finite numbers, got {pair!r}")
            start, end = float(start), float(end)
        # NaN fails every comparison and inf fails the second, so this also checks finiteness for floats.
        if not (0.0 <= start <= end < math.inf):
            raise ValueError(f"stored ranges[{index}] must be finite with 0 <= start <= end, got {pair!r}")
        ranges.append((start, end))
    return ranges


def _checked_duration(duration: float) -> float:
    # The server's own duration (a float or Decimal field); a bool or a string here is a programming error.
    if isinstance(duration, bool) or not isinstance(duration, int | float | Decimal):
        raise ValueError(f"duration must be a number of seconds, got {duration!r}")
    if not (_is_finite(duration) and duration >= 0):
        raise ValueError(f"duration must be a finite number of seconds >= 0, got {duration!r}")
    return float(duration)


def _is_number(value: object) -> bool:
    # bool is a subclass of int, but True is not a number of seconds.
    return type(value) is float or type(value) is int


def _is_finite(value: float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False
