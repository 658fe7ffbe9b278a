"""Validating one progress heartbeat (``POST /api/progress/``), the checks that need no database.

Pure Python with no Django import. Every failure raises ``HeartbeatInvalid``, whose message is written for the
developer reading the ``400 {"error": …}`` response: it names the field and says what to send instead.

The view and the progress service run the checks in this order::

    body = loads_strict(request.body)                       # 400: size, UTF-8, JSON, NaN/Infinity, duplicate keys
    heartbeat = parse_heartbeat(body)                       # 400: shape and types of every field
    ...look up the item (404/403) and apply the rate limit (429)...
    check_against_item(heartbeat, item_duration=video.duration)             # 400: ranges past the item's end
    ...merge the ranges into the learner's progress with lms.intervals...
    check_plausible(newly_watched_seconds=…, elapsed_wall_seconds=…)        # 400: faster than 2× speed

The contract's body is ``{"item": <page id>, "session": "<uuid4>", "seq": <int ≥ 0>, "ranges": [[start, end], …],
"position": <s>, "duration": <s>}``.
"""

import json
import math
import re
import uuid
from dataclasses import dataclass
from typing import Final

#: The largest body accepted. 50 ranges of two 0.01 s-precision numbers are about 1.5 KB; 16 KB leaves room for
#: long decimals (JavaScript prints up to 17 significant digits) while keeping a hostile body cheap to reject.
MAX_BODY_BYTES: Final = 16 * 1024

#: The most ranges one heartbeat may carry. A learner who seeks a lot makes a few ranges per 10–15 s heartbeat;
#: 50 is generous for that and bounds the work a single request can cause.
MAX_RANGES_PER_HEARTBEAT: Final = 50

#: Ids and sequence numbers are capped at the largest 32-bit signed integer, so a huge number is a 400 here rather
#: than an overflow error from the database.
MAX_ID: Final = 2**31 - 1

#: How far the client's reported duration, position and range ends may exceed the item's duration as the server
#: knows it. Browsers report the duration of the rendition they play, which differs from the probed original by
#: up to a few frames plus audio priming; a second covers that without letting a client claim a longer video.
DURATION_TOLERANCE_SECONDS: Final = 1.0

#: The fastest playback that earns progress, per the contract.
MAX_PLAYBACK_SPEED: Final = 2.0

#: Newly watched seconds allowed on top of ``MAX_PLAYBACK_SPEED`` × wall-clock time, and all that a session's
#: first heartbeat may add. It absorbs network and timer jitter (the server measures time between *arrivals*, so
#: a previous heartbeat delayed by 1 s shortens the next interval by 1 s, which at 2× is 2 s of media), a bridged
#: gap (``lms.intervals.MERGE_GAP_SECONDS``) and the fraction of a second played before the first heartbeat.
#: It is paid per accepted heartbeat, so it must stay small against the service's minimum interval between
#: heartbeats (the 429 limit): with 5 s between heartbeats the fastest credit is 2× + 3/5 = 2.6×.
PLAUSIBILITY_GRACE_SECONDS: Final = 3.0

FIELDS: Final = ("item", "session", "seq", "ranges", "position", "duration")

_FIELD_LIST = "item, session, seq, ranges, position and duration"
_UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


class HeartbeatInvalid(ValueError):
    """A heartbeat the API answers with ``400 {"error": message}``."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """One validated heartbeat. Numbers are finite and non-negative; every range has ``start <= end``."""

    item: int
    session: uuid.UUID
    seq: int
    ranges: tuple[tuple[float, float], ...]
    position: float
    duration: float


def loads_strict(raw: bytes, *, max_bytes: int = MAX_BODY_BYTES) -> object:
    """Decode a request body as strict JSON: at most ``max_bytes`` bytes of UTF-8, no ``NaN``/``Infinity``
    literals (Python's ``json`` accepts them by default), no number too large to be a finite float, no key
    repeated within an object, and not nested absurdly deep.

    Check ``CONTENT_LENGTH`` against ``max_bytes`` before reading ``request.body`` where possible, so an oversized
    body is refused without reading it; this function checks the length again in any case.
    """
    if not isinstance(raw, bytes | bytearray):
        raise TypeError(f"loads_strict() takes the raw body as bytes, not {type(raw).__name__}")
    if len(raw) > max_bytes:
        raise HeartbeatInvalid(f"the body is {len(raw)} bytes; a heartbeat must be at most {max_bytes} bytes")
    try:
        text = str(raw, "utf-8")
    except UnicodeDecodeError as error:
        raise HeartbeatInvalid(
            f"the body is not valid UTF-8 (bad byte at offset {error.start}); send the heartbeat as UTF-8 JSON"
        ) from None
    try:
        return json.loads(
            text, parse_constant=_reject_constant, parse_float=_finite_float, object_pairs_hook=_unique_keys
        )
    except HeartbeatInvalid:
        raise
    except json.JSONDecodeError as error:
        raise HeartbeatInvalid(
            f"the body is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}; "
            "send JSON.stringify() of the heartbeat object"
        ) from None
    except RecursionError:
        raise HeartbeatInvalid("the body is nested too deeply to be a heartbeat; send a flat JSON object") from None
    except ValueError:  # an integer literal longer than Python converts (sys.get_int_max_str_digits())
        raise HeartbeatInvalid("the body contains a number with too many digits to be a heartbeat value") from None


def parse_heartbeat(body: object, *, max_ranges: int = MAX_RANGES_PER_HEARTBEAT) -> Heartbeat:
    """Return the heartbeat in ``body`` (a decoded JSON value), or raise ``HeartbeatInvalid`` for the first problem.

    ``body`` must be an object with exactly the fields ``item`` (page id, a positive whole number), ``session``
    (a version-4 UUID in canonical lowercase form), ``seq`` (a whole number ≥ 0), ``ranges`` (at most
    ``max_ranges`` ``[start, end]`` pairs with ``0 <= start <= end``), ``position`` and ``duration`` (seconds).
    Numbers of seconds may be whole or decimal but must be finite and not negative; booleans are never numbers.
    Whether the numbers fit the item is ``check_against_item``'s job.
    """
    if not isinstance(body, dict):
        raise HeartbeatInvalid(f"the body must be a JSON object with the fields {_FIELD_LIST}; got {_describe(body)}")
    if len(body) != len(FIELDS) or any(field not in body for field in FIELDS):
        missing = [field for field in FIELDS if field not in body]
        if missing:
            raise HeartbeatInvalid(
                f"missing field{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
                f"a heartbeat has the fields {_FIELD_LIST}"
            )
        unknown = sorted(repr(key) for key in body if key not in FIELDS)
        raise HeartbeatInvalid(
            f"unknown field{'s' if len(unknown) > 1 else ''} {', '.join(unknown[:5])}; "
            f"a heartbeat has exactly the fields {_FIELD_LIST} (check the spelling)"
        )

    item = body["item"]
    if type(item) is not int or not 1 <= item <= MAX_ID:
        raise HeartbeatInvalid(f"item must be the page id as a positive whole number, e.g. 42; got {_describe(item)}")

    session = body["session"]
    if type(session) is not str or not _UUID4.fullmatch(session):
        raise HeartbeatInvalid(
            "session must be a version-4 UUID in canonical lowercase form "
            f"(xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx, as crypto.randomUUID() makes); got {_describe(session)}"
        )

    seq = body["seq"]
    if type(seq) is not int or not 0 <= seq <= MAX_ID:
        raise HeartbeatInvalid(
            f"seq must be a whole number from 0 to {MAX_ID}, counting this session's heartbeats from 0; "
            f"got {_describe(seq)}"
        )

    raw_ranges = body["ranges"]
    if not isinstance(raw_ranges, list | tuple):
        raise HeartbeatInvalid(
            f"ranges must be a list of [start, end] pairs in seconds, e.g. [[0, 12.5]]; got {_describe(raw_ranges)}"
        )
    if len(raw_ranges) > max_ranges:
        raise HeartbeatInvalid(
            f"ranges has {len(raw_ranges)} pairs; a heartbeat may carry at most {max_ranges}: merge touching ranges "
            "on the client or send heartbeats more often"
        )
    ranges = []
    for index, pair in enumerate(raw_ranges):
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise HeartbeatInvalid(
                f"ranges[{index}] must be a [start, end] pair of numbers in seconds; got {_describe(pair)}"
            )
        start = _seconds(pair[0], f"ranges[{index}][0]")
        end = _seconds(pair[1], f"ranges[{index}][1]")
        if end < start:
            raise HeartbeatInvalid(
                f"ranges[{index}] ends before it starts ([{_number(start)}, {_number(end)}]); "
                "each range is [start, end] with start <= end"
            )
        ranges.append((start, end))

    return Heartbeat(
        item=item,
        session=uuid.UUID(session),
        seq=seq,
        ranges=tuple(ranges),
        position=_seconds(body["position"], "position"),
        duration=_seconds(body["duration"], "duration"),
    )


def check_against_item(
    heartbeat: Heartbeat, *, item_duration: float, tolerance: float = DURATION_TOLERANCE_SECONDS
) -> None:
    """Raise ``HeartbeatInvalid`` unless the heartbeat fits an item whose video is ``item_duration`` seconds long.

    The server's duration is authoritative: the client's ``duration`` must be within ``tolerance`` of it (a
    mismatch usually means the page is out of date), and ``position`` and every range must lie within
    ``[0, item_duration + tolerance]``. Ranges that pass are later clipped to ``item_duration`` by
    ``lms.intervals.normalise``, so the tolerance never credits time past the end.
    """
    if isinstance(item_duration, bool) or not (_is_finite(item_duration) and item_duration > 0):
        raise ValueError(f"item_duration must be a positive number of seconds, got {item_duration!r}")
    if not (_is_finite(tolerance) and tolerance >= 0):
        raise ValueError(f"tolerance must be a finite number of seconds >= 0, got {tolerance!r}")
    item_duration = float(item_duration)
    if abs(heartbeat.duration - item_duration) > tolerance:
        raise HeartbeatInvalid(
            f"duration {_number(heartbeat.duration)} s does not match this item's video, which is "
            f"{_number(item_duration)} s long (±{_number(tolerance)} s); the page may be out of date, reload it"
        )
    limit = item_duration + tolerance
    if heartbeat.position > limit:
        raise HeartbeatInvalid(
            f"position {_number(heartbeat.position)} s is past the end of this item's video "
            f"({_number(item_duration)} s long)"
        )
    for index, (start, end) in enumerate(heartbeat.ranges):
        if end > limit:
            raise HeartbeatInvalid(
                f"ranges[{index}] ([{_number(start)}, {_number(end)}]) goes past the end of this item's video "
                f"({_number(item_duration)} s long)"
            )


def check_plausible(
    *,
    newly_watched_seconds: float,
    elapsed_wall_seconds: float | None,
    max_speed: float = MAX_PLAYBACK_SPEED,
    grace_seconds: float = PLAUSIBILITY_GRACE_SECONDS,
) -> None:
    """Raise ``HeartbeatInvalid`` when a heartbeat adds more newly watched time than wall-clock time allows.

    The limit is ``max_speed × elapsed_wall_seconds + grace_seconds``. ``newly_watched_seconds`` is what the
    heartbeat adds to the learner's whole progress record for the item (``lms.intervals.added_seconds`` against
    the stored ranges, all sessions), so re-watching never counts against it and replaying a heartbeat adds 0.

    ``elapsed_wall_seconds`` is the server's time since this session's previous *accepted* heartbeat, or ``None``
    for the session's first heartbeat, which may add ``grace_seconds`` only: the server cannot know when playback
    began before it first heard from the session, and a larger first allowance would be free credit for every new
    session id a client invents. How the service measures it:

    * Take one timestamp per request, as early as possible, from one clock for all web nodes (the database's
      ``now()``, or ``timezone.now()`` on NTP-synchronised nodes); a negative elapsed (clock skew) counts as 0.
    * Per session (unique with the user) store ``first_seen_at``, and when each accepted heartbeat arrived. On a
      session's first heartbeat create the row with ``first_seen_at = now`` *even when the heartbeat is rejected*,
      and pass ``None``. Afterwards pass ``now - (last accepted arrival or first_seen_at)``.
    * Record an arrival only when a heartbeat is accepted. A rejected heartbeat then leaves the clock
      running, and the next heartbeat, carrying the same ranges again, is measured over both intervals, so a one-off
      network delay heals itself.
    * The client must therefore send a heartbeat (seq 0) as soon as playback starts, carrying what was watched so
      far (normally nothing), and keep every range not yet accepted for the next heartbeat. A client whose first
      heartbeat arrives 10–15 s into playback gets this error once; at 1× the next heartbeat recovers, but at 2×
      it never catches up, because the time before the server first heard from it is never counted.
    * Apply the 429 limit per user and item, not per session, so that inventing session ids cannot multiply the
      grace.
    """
    if not (_is_finite(newly_watched_seconds) and newly_watched_seconds >= 0):
        raise ValueError(f"newly_watched_seconds must be a finite number >= 0, got {newly_watched_seconds!r}")
    if elapsed_wall_seconds is not None and not _is_finite(elapsed_wall_seconds):
        raise ValueError(f"elapsed_wall_seconds must be a finite number or None, got {elapsed_wall_seconds!r}")
    if not (_is_finite(max_speed) and max_speed > 0):
        raise ValueError(f"max_speed must be a finite number > 0, got {max_speed!r}")
    if not (_is_finite(grace_seconds) and grace_seconds >= 0):
        raise ValueError(f"grace_seconds must be a finite number >= 0, got {grace_seconds!r}")

    if elapsed_wall_seconds is None:
        if newly_watched_seconds > grace_seconds:
            raise HeartbeatInvalid(
                f"this heartbeat adds {_number(newly_watched_seconds)} s of newly watched time, more newly watched "
                f"time than the {_number(grace_seconds)} s a session's first heartbeat may add; send a heartbeat "
                "(seq 0) as soon as playback starts, and resend ranges that were not accepted with the next heartbeat"
            )
        return
    elapsed = max(0.0, float(elapsed_wall_seconds))
    allowed = max_speed * elapsed + grace_seconds
    if newly_watched_seconds > allowed:
        raise HeartbeatInvalid(
            f"this heartbeat adds {_number(newly_watched_seconds)} s of newly watched time, more newly watched time "
            f"than the {_number(allowed)} s allowed by {_number(elapsed)} s of wall-clock time since this session's "
            f"previous heartbeat at {_number(max_speed)}× speed (plus {_number(grace_seconds)} s grace); send "
            "heartbeats every 10–15 s while playing, and resend ranges that were not accepted with the next heartbeat"
        )


def _seconds(value: object, field: str) -> float:
    """Return ``value`` as a finite, non-negative number of seconds, or raise naming ``field``."""
    if type(value) is not float and type(value) is not int:
        hint = ""
        if value is None:
            # JSON.stringify(NaN) and JSON.stringify(Infinity) are both "null".
            hint = " (JSON.stringify turns NaN and Infinity into null: is the video's metadata loaded?)"
        raise HeartbeatInvalid(f"{field} must be a number of seconds; got {_describe(value)}{hint}")
    if not _is_finite(value):
        raise HeartbeatInvalid(f"{field} must be a finite number of seconds; got {_describe(value)}")
    if value < 0:
        raise HeartbeatInvalid(f"{field} must not be negative; got {_describe(value)}")
    return float(value)


def _is_finite(value: object) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False
    except TypeError:
        return False


def _number(value: float) -> str:
    """Format seconds for a message: at most 3 decimals, no trailing zeros."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _describe(value: object) -> str:
    """Describe a client-sent value briefly, in JSON terms, without echoing a long string."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (a boolean)"
    if isinstance(value, int):
        return str(value) if abs(value) < 10**15 else "a very large number"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, str):
        shown = json.dumps(value[:40]) + ("…" if len(value) > 40 else "")
        return f"the string {shown}"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)} item{'' if len(value) == 1 else 's'}"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _reject_constant(name: str) -> object:
    raise HeartbeatInvalid(
        f"the body contains {name}, which is not valid JSON; every number must be finite (NaN and Infinity usually "
        "come from a video whose duration is not known yet)"
    )


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # e.g. 1e400, which float() reads as inf
        raise HeartbeatInvalid(
            f"the body contains the number {text[:30]}, which is too large; every number must be finite"
        )
    return value


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise HeartbeatInvalid(f"the body repeats the key {json.dumps(key)[:40]}; send each field once")
            seen.add(key)
    return result
