"""Validating progress heartbeats (lms.heartbeats): every 400 of the progress API that needs no database."""

import json
import math
import re
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.heartbeats import (
    MAX_BODY_BYTES,
    MAX_ID,
    MAX_RANGES_PER_HEARTBEAT,
    PLAUSIBILITY_GRACE_SECONDS,
    Heartbeat,
    HeartbeatInvalid,
    check_against_item,
    check_plausible,
    loads_strict,
    parse_heartbeat,
)
from lms.intervals import added_seconds

SESSION = "0b6f4a3e-2c1d-4e5f-9a8b-7c6d5e4f3a2b"


def body(**changes):
    valid = {"item": 42, "session": SESSION, "seq": 3, "ranges": [[0, 12.5], [30, 41.25]], "position": 41.25}
    valid["duration"] = 600
    valid.update(changes)
    return valid


def without(field):
    valid = body()
    del valid[field]
    return valid


def raw(value):
    return json.dumps(value).encode()


def invalid(value, match):
    with pytest.raises(HeartbeatInvalid, match=match):
        parse_heartbeat(value)


# --- valid bodies ----------------------------------------------------------------------------------------------


def test_a_valid_body_parses():
    heartbeat = parse_heartbeat(loads_strict(raw(body())))
    assert heartbeat == Heartbeat(
        item=42,
        session=uuid.UUID(SESSION),
        seq=3,
        ranges=((0.0, 12.5), (30.0, 41.25)),
        position=41.25,
        duration=600.0,
    )
    assert all(type(number) is float for pair in heartbeat.ranges for number in pair)


def test_heartbeats_are_immutable():
    heartbeat = parse_heartbeat(body())
    with pytest.raises(AttributeError):
        heartbeat.seq = 4


def test_edge_values_are_valid():
    heartbeat = parse_heartbeat(body(seq=0, ranges=[], position=0, duration=0, item=MAX_ID))
    assert (heartbeat.seq, heartbeat.ranges, heartbeat.position) == (0, (), 0.0)
    assert parse_heartbeat(body(ranges=[[5, 5]])).ranges == ((5.0, 5.0),)  # a zero-length range is harmless
    assert len(parse_heartbeat(body(ranges=[[i, i + 1] for i in range(MAX_RANGES_PER_HEARTBEAT)])).ranges) == 50


@given(
    item=st.integers(1, MAX_ID),
    session=st.uuids(version=4).map(str),
    seq=st.integers(0, MAX_ID),
    ranges=st.lists(st.tuples(st.floats(0, 1e5), st.floats(0, 1e5)).map(sorted), max_size=MAX_RANGES_PER_HEARTBEAT),
    position=st.floats(0, 1e5) | st.integers(0, 10**5),
    duration=st.floats(0, 1e5) | st.integers(0, 10**5),
)
def test_any_body_within_the_contract_round_trips(item, session, seq, ranges, position, duration):
    sent = {"item": item, "session": session, "seq": seq, "ranges": ranges, "position": position}
    sent["duration"] = duration
    heartbeat = parse_heartbeat(loads_strict(raw(sent)))
    assert (heartbeat.item, str(heartbeat.session), heartbeat.seq) == (item, session, seq)
    assert heartbeat.ranges == tuple(tuple(pair) for pair in ranges)
    assert (heartbeat.position, heartbeat.duration) == (position, duration)


# --- loads_strict ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize(
    "template",
    [
        '"ranges": [[0, {}]], "position": 1, "duration": 600',
        '"ranges": [[0, 1]], "position": {}, "duration": 600',
        '"ranges": [[0, 1]], "position": 1, "duration": {}',
    ],
)
def test_nan_and_infinity_literals_are_rejected(literal, template):
    text = f'{{"item": 42, "session": "{SESSION}", "seq": 3, {template.format(literal)}}}'
    with pytest.raises(HeartbeatInvalid, match=f"contains {literal}, which is not valid JSON"):
        loads_strict(text.encode())


@pytest.mark.parametrize("number", [b"1e400", b"-1e400", b"1E999"])
def test_numbers_too_large_for_a_float_are_rejected(number):
    with pytest.raises(HeartbeatInvalid, match="too large; every number must be finite"):
        loads_strict(b'{"position": ' + number + b"}")


def test_python_json_would_have_accepted_those_literals():
    # Why loads_strict exists: the standard library reads NaN and Infinity (and 1e400 as inf) without complaint.
    assert math.isnan(json.loads(b'{"x": NaN}')["x"])
    assert json.loads(b"1e400") == math.inf


def test_a_body_over_the_size_cap_is_rejected():
    padded = raw(body(ranges=[[0, 1]] * 3000))
    assert len(padded) > MAX_BODY_BYTES
    with pytest.raises(HeartbeatInvalid, match=rf"bytes; a heartbeat must be at most {MAX_BODY_BYTES} bytes"):
        loads_strict(padded)


def test_a_body_at_the_size_cap_is_read():
    text = raw(body())
    text = text[:-1] + b" " * (MAX_BODY_BYTES - len(text)) + b"}"
    assert len(text) == MAX_BODY_BYTES
    assert loads_strict(text) == body()


@pytest.mark.parametrize("text", [b'{"session": "\xff"}', b"\xef\xbb", b'{"x": "\xc3\x28"}', b"\xed\xa0\x80"])
def test_invalid_utf8_is_rejected(text):
    with pytest.raises(HeartbeatInvalid, match="not valid UTF-8"):
        loads_strict(text)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (b"", "not valid JSON: Expecting value at line 1 column 1"),
        (b"{", "not valid JSON"),
        (b'{"item": 42,}', "not valid JSON"),
        (b"{'item': 42}", "not valid JSON"),
        (b'{"item": 42} {"item": 43}', "not valid JSON: Extra data"),
        (b"\xef\xbb\xbf{}", "not valid JSON"),  # a byte-order mark
        (b"[" * 5000 + b"]" * 5000, "nested too deeply"),
        (b'{"seq": ' + b"9" * 5000 + b"}", "too many digits"),
        (b'{"seq": 1, "seq": 2}', 'repeats the key "seq"'),
        (b'{"ranges": [{"a": 1, "a": 2}]}', 'repeats the key "a"'),
    ],
)
def test_malformed_json_is_rejected(text, match):
    with pytest.raises(HeartbeatInvalid, match=match):
        loads_strict(text)


def test_loads_strict_takes_bytes_only():
    with pytest.raises(TypeError):
        loads_strict(json.dumps(body()))


# --- parse_heartbeat -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [[], "heartbeat", 42, None, [body()]])
def test_the_body_must_be_an_object(value):
    invalid(value, "the body must be a JSON object with the fields item, session, seq, ranges, position and")


@pytest.mark.parametrize("field", ["item", "session", "seq", "ranges", "position", "duration"])
def test_every_field_is_required(field):
    invalid(without(field), f"missing field {field};")


def test_all_missing_fields_are_named():
    invalid({}, "missing fields item, session, seq, ranges, position, duration;")


def test_unknown_fields_are_rejected():
    misspelt = without("position")
    misspelt["postion"] = 41.25
    invalid(misspelt, "missing field position")
    invalid(body(speed=2), r"unknown field 'speed'; a heartbeat has exactly the fields .* \(check the spelling\)")


@pytest.mark.parametrize(
    ("item", "got"),
    [
        (True, "true (a boolean)"),
        (False, "false (a boolean)"),
        (0, "0"),
        (-7, "-7"),
        (42.0, "42.0"),
        ("42", 'the string "42"'),
        (None, "null"),
        (MAX_ID + 1, str(MAX_ID + 1)),
        (10**30, "a very large number"),
    ],
)
def test_item_must_be_a_positive_whole_number(item, got):
    invalid(body(item=item), re.escape(f"item must be the page id as a positive whole number, e.g. 42; got {got}"))


@pytest.mark.parametrize(
    "session",
    [
        SESSION.upper(),
        SESSION.replace("-", ""),
        "{" + SESSION + "}",
        "urn:uuid:" + SESSION,
        SESSION + "\n",
        "0b6f4a3e-2c1d-1e5f-9a8b-7c6d5e4f3a2b",  # version 1
        "0b6f4a3e-2c1d-4e5f-7a8b-7c6d5e4f3a2b",  # not the RFC 4122 variant
        "00000000-0000-0000-0000-000000000000",
        "",
        "x" * 5000,
        42,
        None,
    ],
)
def test_session_must_be_a_canonical_uuid4(session):
    invalid(body(session=session), "session must be a version-4 UUID in canonical lowercase form")


def test_a_long_bad_value_is_not_echoed_in_full():
    with pytest.raises(HeartbeatInvalid) as caught:
        parse_heartbeat(body(session="x" * 5000))
    assert len(str(caught.value)) < 300


@pytest.mark.parametrize("seq", [-1, True, 1.5, 3.0, "3", None, MAX_ID + 1])
def test_seq_must_be_a_whole_number_from_zero(seq):
    invalid(body(seq=seq), "seq must be a whole number from 0 to 2147483647")


@pytest.mark.parametrize("ranges", [None, "0-12", {"0": 12}, 12])
def test_ranges_must_be_a_list(ranges):
    invalid(body(ranges=ranges), r"ranges must be a list of \[start, end\] pairs in seconds")


@pytest.mark.parametrize("pair", [[1], [1, 2, 3], [], "ab", 5, None, {"start": 1, "end": 2}])
def test_each_range_must_be_a_pair(pair):
    invalid(body(ranges=[[0, 1], pair]), r"ranges\[1\] must be a \[start, end\] pair of numbers in seconds")


@pytest.mark.parametrize(
    ("pair", "match"),
    [
        ([0, True], r"ranges\[0\]\[1\] must be a number of seconds; got true \(a boolean\)"),
        (["0", 5], r"ranges\[0\]\[0\] must be a number of seconds; got the string \"0\""),
        ([0, None], r"ranges\[0\]\[1\] must be a number of seconds; got null \(JSON.stringify turns NaN"),
        ([math.nan, 5], r"ranges\[0\]\[0\] must be a finite number of seconds; got NaN"),
        ([0, math.inf], r"ranges\[0\]\[1\] must be a finite number of seconds; got Infinity"),
        ([-math.inf, 5], r"ranges\[0\]\[0\] must be a finite number of seconds; got -Infinity"),
        ([0, 10**400], r"ranges\[0\]\[1\] must be a finite number of seconds; got a very large number"),
        ([-1.5, 5], r"ranges\[0\]\[0\] must not be negative; got -1.5"),
    ],
)
def test_range_endpoints_must_be_finite_non_negative_numbers(pair, match):
    invalid(body(ranges=[pair]), match)


def test_a_range_may_not_end_before_it_starts():
    invalid(body(ranges=[[0, 5], [20, 12.5]]), r"ranges\[1\] ends before it starts \(\[20, 12.5\]\)")


def test_too_many_ranges_are_rejected():
    too_many = [[i, i + 0.5] for i in range(MAX_RANGES_PER_HEARTBEAT + 1)]
    invalid(body(ranges=too_many), "ranges has 51 pairs; a heartbeat may carry at most 50")
    with pytest.raises(HeartbeatInvalid, match="at most 10"):
        parse_heartbeat(body(ranges=too_many[:11]), max_ranges=10)


@pytest.mark.parametrize("field", ["position", "duration"])
@pytest.mark.parametrize(
    ("value", "match"),
    [
        (math.nan, "must be a finite number of seconds; got NaN"),
        (math.inf, "must be a finite number of seconds; got Infinity"),
        (-math.inf, "must be a finite number of seconds; got -Infinity"),
        (-0.5, "must not be negative; got -0.5"),
        (None, "must be a number of seconds; got null"),
        (False, "must be a number of seconds; got false"),
        ("12", "must be a number of seconds; got the string"),
    ],
)
def test_position_and_duration_must_be_finite_non_negative_numbers(field, value, match):
    invalid(body(**{field: value}), f"{field} {match}")


# --- check_against_item ----------------------------------------------------------------------------------------


def test_a_heartbeat_within_the_item_passes():
    check_against_item(parse_heartbeat(body()), item_duration=600)
    # The browser's duration and the last range may run a little past the server's (rendition vs original).
    check_against_item(parse_heartbeat(body(duration=600.9, ranges=[[590, 600.9]], position=600.9)), item_duration=600)


def test_ranges_past_the_end_of_the_item_are_rejected():
    heartbeat = parse_heartbeat(body(ranges=[[0, 10], [590, 612.5]]))
    with pytest.raises(HeartbeatInvalid, match=r"ranges\[1\] \(\[590, 612.5\]\) goes past the end of this item's"):
        check_against_item(heartbeat, item_duration=600)


def test_a_range_wholly_past_the_end_is_rejected():
    with pytest.raises(HeartbeatInvalid, match=r"ranges\[0\]"):
        check_against_item(parse_heartbeat(body(ranges=[[700, 710]])), item_duration=600)


def test_a_position_past_the_end_is_rejected():
    with pytest.raises(HeartbeatInvalid, match=r"position 640 s is past the end of this item's video \(600 s long\)"):
        check_against_item(parse_heartbeat(body(position=640)), item_duration=600)


@pytest.mark.parametrize("duration", [0, 300, 598.9, 601.1, 6000])
def test_the_client_duration_must_match_the_server_duration(duration):
    with pytest.raises(HeartbeatInvalid, match=r"does not match this item's video, which is 600 s long \(±1 s\)"):
        check_against_item(parse_heartbeat(body(duration=duration, ranges=[], position=0)), item_duration=600)


def test_the_duration_tolerance_is_adjustable():
    heartbeat = parse_heartbeat(body(duration=603, ranges=[[0, 602.5]], position=602.5))
    check_against_item(heartbeat, item_duration=600, tolerance=3)
    with pytest.raises(HeartbeatInvalid):
        check_against_item(heartbeat, item_duration=600, tolerance=0.5)


@pytest.mark.parametrize("item_duration", [0, -1, math.nan, math.inf, None, True])
def test_an_unknown_item_duration_is_a_programming_error(item_duration):
    with pytest.raises(ValueError, match="item_duration") as caught:
        check_against_item(parse_heartbeat(body()), item_duration=item_duration)
    assert not isinstance(caught.value, HeartbeatInvalid)


# --- check_plausible -------------------------------------------------------------------------------------------


def test_twice_the_elapsed_time_is_accepted():
    check_plausible(newly_watched_seconds=20, elapsed_wall_seconds=10)
    check_plausible(newly_watched_seconds=20 + PLAUSIBILITY_GRACE_SECONDS, elapsed_wall_seconds=10)


def test_more_than_twice_the_elapsed_time_is_rejected():
    with pytest.raises(HeartbeatInvalid, match="more newly watched time than") as caught:
        check_plausible(newly_watched_seconds=30, elapsed_wall_seconds=10)
    message = str(caught.value)
    assert "adds 30 s" in message
    assert "10 s of wall-clock time since this session's previous heartbeat at 2× speed" in message


def test_just_over_the_allowance_is_rejected():
    with pytest.raises(HeartbeatInvalid):
        check_plausible(newly_watched_seconds=20 + PLAUSIBILITY_GRACE_SECONDS + 0.01, elapsed_wall_seconds=10)


def test_the_first_heartbeat_of_a_session_gets_the_grace_only():
    check_plausible(newly_watched_seconds=0, elapsed_wall_seconds=None)
    check_plausible(newly_watched_seconds=PLAUSIBILITY_GRACE_SECONDS, elapsed_wall_seconds=None)
    with pytest.raises(HeartbeatInvalid, match=r"a session's first heartbeat may add; send a heartbeat \(seq 0\)"):
        check_plausible(newly_watched_seconds=12, elapsed_wall_seconds=None)


def test_clock_skew_never_gives_more_than_the_grace():
    check_plausible(newly_watched_seconds=PLAUSIBILITY_GRACE_SECONDS, elapsed_wall_seconds=-30)
    with pytest.raises(HeartbeatInvalid):
        check_plausible(newly_watched_seconds=PLAUSIBILITY_GRACE_SECONDS + 1, elapsed_wall_seconds=-30)


def test_rewatching_is_always_plausible():
    stored = [(0.0, 300.0)]
    newly = added_seconds(stored, [[0, 300]], duration=600)
    check_plausible(newly_watched_seconds=newly, elapsed_wall_seconds=0)
    check_plausible(newly_watched_seconds=newly, elapsed_wall_seconds=None)


def test_speed_and_grace_are_adjustable():
    check_plausible(newly_watched_seconds=15, elapsed_wall_seconds=10, max_speed=1.5, grace_seconds=0)
    with pytest.raises(HeartbeatInvalid, match=r"at 1\.5× speed"):
        check_plausible(newly_watched_seconds=15.5, elapsed_wall_seconds=10, max_speed=1.5, grace_seconds=0)


@pytest.mark.parametrize(
    "arguments",
    [
        {"newly_watched_seconds": math.nan, "elapsed_wall_seconds": 10},
        {"newly_watched_seconds": -1, "elapsed_wall_seconds": 10},
        {"newly_watched_seconds": 1, "elapsed_wall_seconds": math.nan},
        {"newly_watched_seconds": 1, "elapsed_wall_seconds": 10, "max_speed": 0},
        {"newly_watched_seconds": 1, "elapsed_wall_seconds": 10, "grace_seconds": -1},
    ],
)
def test_bad_server_side_arguments_are_programming_errors(arguments):
    with pytest.raises(ValueError) as caught:
        check_plausible(**arguments)
    assert not isinstance(caught.value, HeartbeatInvalid)
