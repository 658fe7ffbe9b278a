"""Watched-range arithmetic (lms.intervals): unit cases and properties that must hold for any input."""

import math
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.intervals import (
    MERGE_GAP_SECONDS,
    added_seconds,
    coverage,
    from_json,
    merge,
    normalise,
    to_json,
    total,
)

GAP = MERGE_GAP_SECONDS


# --- normalise: unit cases -------------------------------------------------------------------------------------


def test_overlapping_ranges_merge():
    assert normalise([[0, 10], [5, 15]], duration=100) == [(0.0, 15.0)]


def test_nested_range_is_absorbed():
    assert normalise([[0, 20], [5, 10]], duration=100) == [(0.0, 20.0)]


def test_touching_ranges_merge():
    assert normalise([[0, 10], [10, 20]], duration=100) == [(0.0, 20.0)]


def test_gap_under_tolerance_merges():
    # Two timeupdate samples 250 ms apart at 1× leave a 0.25 s gap; at 2× a 0.5 s gap.
    assert normalise([[0, 10], [10.25, 20]], duration=100) == [(0.0, 20.0)]
    assert normalise([[0, 10], [10.4, 20]], duration=100) == [(0.0, 20.0)]


def test_gap_equal_to_tolerance_merges():
    assert normalise([[0, 10], [10 + GAP, 20]], duration=100) == [(0.0, 20.0)]


def test_gap_over_tolerance_stays_a_gap():
    assert normalise([[0, 10], [10.6, 20]], duration=100) == [(0.0, 10.0), (10.6, 20.0)]
    assert normalise([[0, 10], [20, 30]], duration=100) == [(0.0, 10.0), (20.0, 30.0)]


def test_bridged_gaps_count_as_watched():
    assert total(normalise([[0, 10], [10.3, 20]], duration=100)) == 20.0


def test_ranges_are_clipped_to_the_duration():
    assert normalise([[-5, 10], [50, 150]], duration=100) == [(0.0, 10.0), (50.0, 100.0)]


def test_ranges_wholly_outside_the_duration_are_dropped():
    assert normalise([[100, 120], [150, 160]], duration=100) == []
    assert normalise([[-10, -2]], duration=100) == []


def test_unsorted_input_is_sorted():
    assert normalise([[50, 60], [0, 10], [20, 30]], duration=100) == [(0.0, 10.0), (20.0, 30.0), (50.0, 60.0)]


def test_zero_length_and_backwards_ranges_are_dropped():
    assert normalise([[5, 5], [9, 3]], duration=100) == []
    assert normalise([[5, 5], [20, 30]], duration=100) == [(20.0, 30.0)]


def test_duplicates_collapse():
    assert normalise([[10, 20], [10, 20], (10, 20)], duration=100) == [(10.0, 20.0)]


def test_empty_input_and_zero_duration():
    assert normalise([], duration=100) == []
    assert normalise([[0, 10]], duration=0) == []


def test_results_are_floats_and_negative_zero_becomes_zero():
    [(start, end)] = normalise([(-0.0, 3)], duration=10)
    assert (type(start), type(end)) == (float, float)
    assert math.copysign(1, start) == 1


@pytest.mark.parametrize("duration", [-1, math.nan, math.inf, True, "600", None])
def test_a_bad_duration_is_a_programming_error(duration):
    with pytest.raises(ValueError, match="duration"):
        normalise([[0, 1]], duration=duration)


@pytest.mark.parametrize("bad", [[math.nan, 1], [0, math.inf], [-math.inf, 5], [0, 10**400]])
def test_non_finite_endpoints_are_a_programming_error(bad):
    with pytest.raises(ValueError, match="finite"):
        normalise([bad], duration=10)


# --- merge, total, added_seconds, coverage ---------------------------------------------------------------------


def test_merge_joins_a_heartbeat_onto_stored_ranges():
    assert merge([(0.0, 10.0), (30.0, 40.0)], [[9.8, 20]], duration=60) == [(0.0, 20.0), (30.0, 40.0)]


def test_total_counts_overlaps_once_without_bridging():
    assert total([(0, 10), (5, 15), (20, 25)]) == 20
    assert total([(0, 10), (10.2, 20)]) == pytest.approx(19.8)
    assert total([]) == 0.0
    assert total([(5, 5), (9, 3)]) == 0.0


def test_added_seconds_counts_only_new_unique_seconds():
    existing = [(0.0, 10.0)]
    assert added_seconds(existing, [[5, 15]], duration=100) == 5.0
    assert added_seconds(existing, [[0, 10]], duration=100) == 0.0  # re-watching adds nothing
    assert added_seconds(existing, [[90, 200]], duration=100) == 10.0  # clipped at the end
    assert added_seconds([], [[0, 5], [0, 5]], duration=100) == 5.0


def test_added_seconds_includes_a_gap_the_new_range_closes():
    # 0.3 s bridged + 0.7 s watched: the plausibility check limits both.
    assert added_seconds([(0.0, 10.0)], [[10.3, 11]], duration=100) == pytest.approx(1.0)
    # Stored ranges are normalised first, so a small gap in them already counts as watched.
    assert added_seconds([(0.0, 10.0), (10.4, 20.0)], [[10, 10.4]], duration=100) == 0.0


def test_coverage_is_a_percentage_of_the_duration():
    assert coverage([[0, 300]], 600) == 50.0
    assert coverage([[0, 600]], 600) == 100.0
    assert coverage([[0, 900]], 600) == 100.0
    assert coverage([], 600) == 0.0
    assert coverage([[0, 10]], 0) == 0.0


def test_seeking_to_the_end_does_not_complete():
    percent = coverage([[0, 5], [595, 600]], 600)
    assert percent < 2
    assert percent == pytest.approx(10 / 600 * 100)


# --- storage encoding ------------------------------------------------------------------------------------------


def test_to_json_rounds_to_hundredths_and_drops_ranges_rounding_empties():
    assert to_json([(0.0, 10.123456), (20.001, 20.004), (30.5, 41.0)]) == [[0.0, 10.12], [30.5, 41.0]]


def test_json_round_trip():
    ranges = [(0.0, 10.25), (30.5, 41.0)]
    assert from_json(to_json(ranges)) == ranges
    assert from_json([[0, 5]]) == [(0.0, 5.0)]
    assert from_json([]) == []


@pytest.mark.parametrize(
    "stored",
    [
        None,
        {"ranges": []},
        [[0, 1, 2]],
        [[0]],
        [["0", "1"]],
        [[True, 5]],
        [[5, 1]],
        [[-1, 1]],
        [[0, math.inf]],
        [[math.nan, 1]],
        [[0, 10**400]],
        [5],
    ],
)
def test_from_json_rejects_anything_but_pairs_of_finite_numbers(stored):
    with pytest.raises(ValueError, match="stored ranges"):
        from_json(stored)


# --- properties ------------------------------------------------------------------------------------------------

seconds = st.floats(min_value=-20, max_value=320, allow_nan=False, allow_infinity=False) | st.integers(-20, 320)
# Small-grid values make touching, duplicate and nearly-touching ranges common, which is where merging goes wrong.
grid = st.integers(-8, 130).map(lambda step: step * 0.25)
endpoint = seconds | grid
a_range = st.tuples(endpoint, endpoint)
ranges_lists = st.lists(a_range, max_size=30)
durations = st.floats(min_value=0, max_value=300, allow_nan=False) | st.sampled_from([0, 1, 30, 300])


def clipped_lengths(ranges, duration):
    """Lengths of the non-empty input ranges after clipping to [0, duration]."""
    lengths = []
    for start, end in ranges:
        length = min(end, duration) - max(start, 0)
        if length > 0:
            lengths.append(length)
    return lengths


def assert_normalised(result, duration):
    for start, end in result:
        assert type(start) is float and type(end) is float
        assert 0 <= start < end <= duration
    for (_, previous_end), (next_start, _) in pairwise(result):
        assert next_start - previous_end > GAP  # sorted, disjoint, and no bridgeable gap left


@settings(max_examples=300)
@given(ranges_lists, durations)
def test_normalised_ranges_are_sorted_disjoint_and_within_the_duration(ranges, duration):
    assert_normalised(normalise(ranges, duration=duration), duration)


@given(ranges_lists, durations)
def test_total_never_exceeds_the_duration(ranges, duration):
    assert total(normalise(ranges, duration=duration)) <= duration + 1e-9


@settings(max_examples=300)
@given(ranges_lists, durations)
def test_total_never_exceeds_the_input_lengths_plus_the_gaps_bridged(ranges, duration):
    # Merging can only add the gaps it bridges: at most MERGE_GAP_SECONDS between each pair of consecutive
    # non-empty input ranges, so at most GAP × (n − 1). Without bridging it could only lose overlaps.
    lengths = clipped_lengths(ranges, duration)
    bound = sum(lengths) + GAP * max(0, len(lengths) - 1)
    assert total(normalise(ranges, duration=duration)) <= bound + 1e-9


@given(ranges_lists, durations, st.lists(st.floats(0, 1), max_size=10))
def test_every_watched_instant_stays_watched(ranges, duration, fractions):
    result = normalise(ranges, duration=duration)
    for start, end in ranges:
        start, end = max(start, 0), min(end, duration)
        for fraction in fractions:
            instant = start + (end - start) * fraction
            if start < end and start <= instant < end:
                assert any(s <= instant <= e for s, e in result)


@given(ranges_lists, durations)
def test_merged_endpoints_come_from_the_input(ranges, duration):
    # Nothing is invented: a range starts where some (clipped) input starts and ends where one ends.
    starts = {max(float(s), 0.0) for s, e in ranges}
    ends = {min(float(e), float(duration)) for s, e in ranges}
    for start, end in normalise(ranges, duration=duration):
        assert start in starts
        assert end in ends


@given(ranges_lists, durations, st.randoms(use_true_random=False))
def test_order_of_ranges_does_not_matter(ranges, duration, random):
    shuffled = list(ranges)
    random.shuffle(shuffled)
    assert normalise(shuffled, duration=duration) == normalise(ranges, duration=duration)


@settings(max_examples=300)
@given(ranges_lists, ranges_lists, ranges_lists, durations)
def test_order_of_merging_heartbeats_does_not_matter(first, second, third, duration):
    stored = normalise(first, duration=duration)
    one_way = merge(merge(stored, second, duration=duration), third, duration=duration)
    other_way = merge(merge(stored, third, duration=duration), second, duration=duration)
    all_at_once = normalise([*first, *second, *third], duration=duration)
    assert one_way == other_way == all_at_once
    assert merge(second, first, duration=duration) == merge(first, second, duration=duration)


@given(ranges_lists, ranges_lists, durations)
def test_merging_twice_changes_nothing(existing, new, duration):
    once = merge(existing, new, duration=duration)
    assert merge(once, new, duration=duration) == once
    assert normalise(once, duration=duration) == once


@settings(max_examples=300)
@given(ranges_lists, ranges_lists, durations)
def test_added_seconds_is_the_growth_of_the_total(existing, new, duration):
    stored = normalise(existing, duration=duration)
    added = added_seconds(stored, new, duration=duration)
    assert added >= 0
    assert added == pytest.approx(total(merge(stored, new, duration=duration)) - total(stored), abs=1e-9)
    # The same answer from raw, unnormalised stored ranges.
    assert added_seconds(existing, new, duration=duration) == pytest.approx(added, abs=1e-9)


@given(ranges_lists, durations)
def test_a_replayed_heartbeat_adds_nothing(ranges, duration):
    stored = normalise(ranges, duration=duration)
    assert added_seconds(stored, ranges, duration=duration) == 0.0


@given(ranges_lists, durations)
def test_coverage_is_between_0_and_100(ranges, duration):
    assert 0.0 <= coverage(ranges, duration) <= 100.0


@given(ranges_lists, durations)
def test_stored_ranges_round_trip_within_a_hundredth(ranges, duration):
    result = normalise(ranges, duration=duration)
    stored = from_json(to_json(result))
    assert len(stored) <= len(result)
    assert all(0 <= start < end for start, end in stored)
    assert total(stored) == pytest.approx(total(result), abs=0.01 * len(result) + 1e-9)


@given(ranges_lists, ranges_lists, durations)
def test_merged_heartbeats_never_exceed_the_duration(existing, new, duration):
    merged = merge(normalise(existing, duration=duration), new, duration=duration)
    assert total(merged) <= duration + 1e-9
    assert coverage(merged, duration) <= 100.0
