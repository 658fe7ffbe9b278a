"""Lint: timing validation against the media, and readability rules, each with a passing and failing case."""

import pytest

from media_pipeline.captions import (
    Cue,
    LintItem,
    has_errors,
    lint_captions,
    lint_cues,
    lint_readability,
    parse_caption_text,
    validate_against_duration,
)


def codes(items: list[LintItem]) -> list[str]:
    return [item.code for item in items]


def readability_codes(start: float, end: float, text: str) -> list[str]:
    return codes(lint_readability([Cue(start_time=start, end_time=end, text=text)]))


@pytest.mark.parametrize(
    ("start", "end", "text", "expected"),
    [
        # more than 2 lines
        (0, 5, "one\ntwo", []),
        (0, 5, "one\ntwo\nthree", ["too-many-lines"]),
        (0, 5, "one\n\n   \ntwo", []),  # blank lines do not count
        # more than 42 characters on a line
        (0, 5, "x" * 42, []),
        (0, 5, "x" * 43, ["line-too-long"]),
        (0, 5, "<i>" + "x" * 42 + "</i>", []),  # markup is not counted
        (0, 5, "&amp;" * 42, []),  # a reference is one character
        (0, 5, "short\n" + "x" * 43, ["line-too-long"]),
        # faster than 180 words per minute (6 words in 2 s is exactly 180)
        (0, 2, "a a a a a a", []),
        (0, 2, "a a a a a a a", ["reading-speed-words"]),
        # faster than 17 characters per second (34 characters in 2 s is exactly 17)
        (0, 2, "x" * 34, []),
        (0, 2, "x" * 35, ["reading-speed-characters"]),
        (0, 2, "x" * 17 + "\n" + "x" * 16, []),  # the line break reads as one space
        # on screen less than 0.83 s or more than 7 s
        (0, 0.83, "Hi", []),
        (0, 0.829, "Hi", ["too-short-on-screen"]),
        (10, 17, "Hi", []),
        (10, 17.001, "Hi", ["too-long-on-screen"]),
        # empty
        (0, 2, "", ["empty-cue"]),
        (0, 2, "<i> </i>", ["empty-cue"]),
    ],
)
def test_readability_rules(start, end, text, expected):
    assert readability_codes(start, end, text) == expected


def test_readability_items_are_warnings_naming_cue_and_time():
    cues = [Cue(0, 2, "fine"), Cue(63.2, 63.4, "x" * 50)]
    items = lint_readability(cues)
    assert {item.level for item in items} == {"warning"}
    assert {item.cue for item in items} == {2}
    assert items[0].message.startswith("Cue 2 (00:01:03.200)")
    assert items[0].to_dict().keys() == {"cue", "level", "code", "message"}


def test_lint_never_changes_the_cues():
    cues = [Cue(0, 0.1, "x" * 100 + "\na\nb")]
    before = [cue.to_dict() for cue in cues]
    lint_cues(cues, media_duration=0.05)
    assert [cue.to_dict() for cue in cues] == before


# --- timing validation ------------------------------------------------------------------------------------


def test_cue_past_the_end_of_the_video_names_cue_and_times():
    cues = [Cue(number * 2, number * 2 + 1, "a") for number in range(11)] + [Cue(63.2, 64.0, "late")]
    (item,) = validate_against_duration(cues, duration=60.0)
    assert (item.cue, item.level, item.code) == (12, "error", "starts-after-media")
    assert item.message.startswith("Cue 12 (00:01:03.200) starts after the video ends (00:01:00.000)")


def test_cue_ending_after_the_video_is_a_warning():
    cues = [Cue(0, 2, "a"), Cue(59.5, 63.2, "late")]
    (item,) = validate_against_duration(cues, duration=60.0)
    assert (item.cue, item.level, item.code) == (2, "warning", "ends-after-media")
    assert item.message.startswith("Cue 2 (00:00:59.500) ends after the video ends (00:01:00.000)")


def test_cues_within_the_video_pass():
    assert validate_against_duration([Cue(0, 2, "a"), Cue(58, 60, "b")], duration=60.0) == []


def test_cue_starting_at_or_after_the_end_is_an_error():
    (item,) = validate_against_duration([Cue(60, 61, "never")], duration=60.0)
    assert (item.level, item.code) == ("error", "starts-after-media")


@pytest.mark.parametrize(("start", "end"), [(5, 5), (5, 4), (5, 5.0004)])
def test_zero_or_negative_duration_is_an_error(start, end):
    (item,) = validate_against_duration([Cue(start, end, "x")])
    assert (item.cue, item.level, item.code) == (1, "error", "no-duration")
    assert "never shown" in item.message


def test_overlapping_cues_are_a_warning_naming_both():
    cues = [Cue(0, 3, "a"), Cue(2.5, 4, "b"), Cue(4, 5, "touching is fine")]
    (item,) = validate_against_duration(cues)
    assert (item.cue, item.level, item.code) == (2, "warning", "overlap")
    assert item.message.startswith("Cue 2 (00:00:02.500) starts before cue 1 ends (00:00:03.000)")


def test_overlap_is_found_when_cues_are_out_of_order():
    cues = [Cue(10, 12, "later"), Cue(0, 11, "long and first")]
    (item,) = validate_against_duration(cues)
    assert (item.cue, item.code) == (1, "overlap")
    assert "starts before cue 2 ends" in item.message


def test_no_cues_is_an_error():
    (item,) = lint_cues([])
    assert (item.cue, item.level, item.code) == (None, "error", "no-cues")


def test_lint_combines_timing_and_readability_in_cue_order():
    cues = [Cue(0, 0.5, "x"), Cue(1, 1, "y"), Cue(2, 20, "z")]
    assert [(item.cue, item.code) for item in lint_cues(cues, media_duration=10)] == [
        (1, "too-short-on-screen"),
        (2, "no-duration"),
        (3, "ends-after-media"),
        (3, "too-long-on-screen"),
    ]


def test_lint_captions_reports_reading_issues_first_and_has_errors():
    srt = "1\n00:00:01,000 --> 00:00:03,000\nOne\n\n2\n00:00:05,000 --> later\nTwo\n"
    parsed = parse_caption_text(srt, filename="a.srt")
    items = lint_captions(parsed)
    assert codes(items) == ["srt-bad-timing"]
    assert has_errors(items)
    assert not has_errors(lint_readability(parsed.cues))
