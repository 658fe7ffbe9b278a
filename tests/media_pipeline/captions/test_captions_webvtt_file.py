"""WebVTT file parsing, the spec's tricky cases: signature, header, blocks, timings, settings, regions."""

import pytest

from media_pipeline.captions import CaptionError, Cue, parse_webvtt

TIMING = "00:00.000 --> 00:01.000"


def cues(text: str) -> list[Cue]:
    return parse_webvtt(text).cues


# --- signature -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "WEBVTT",
        "WEBVTT\n",
        f"WEBVTT\n\n{TIMING}\nx",
        f"WEBVTT FOO\n\n{TIMING}\nx",
        f"WEBVTT\tTab title\n\n{TIMING}\nx",
        f"\ufeffWEBVTT\n\n{TIMING}\nx",
        f"WEBVTT\r\n\r\n{TIMING}\r\nx",
        f"WEBVTT\r\r{TIMING}\rx",
    ],
)
def test_valid_signatures_are_accepted(text):
    parse_webvtt(text)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("WEBVTTX\n\n", "WEBVTT on its own"),
        ("WEBVTT-\n", "WEBVTT on its own"),
        ("webvtt\n\n", "must start with WEBVTT"),
        (" WEBVTT\n\n", "must start with WEBVTT"),
        ("WEBVT", "must start with WEBVTT"),
        ("\ufeff\ufeffWEBVTT\n", "must start with WEBVTT"),  # only one BOM is a BOM
        ("1\n00:00:01,000 --> 00:00:02,000\nSRT\n", "must start with WEBVTT"),
    ],
)
def test_invalid_signatures_raise_a_readable_error(text, reason):
    with pytest.raises(CaptionError, match=reason):
        parse_webvtt(text)


def test_signature_only_file_has_no_cues():
    assert cues("WEBVTT") == []
    assert cues("WEBVTT\n\n\n") == []


# --- header and blocks -----------------------------------------------------------------------------------


def test_header_lines_are_ignored():
    parsed = cues(f"WEBVTT - title\nKind: captions\nLanguage: en\n\n{TIMING}\nHello")
    assert [(c.id, c.text) for c in parsed] == [("", "Hello")]


def test_cue_may_follow_the_signature_line_directly():
    assert [c.text for c in cues(f"WEBVTT\n{TIMING}\nright after")] == ["right after"]


def test_header_line_right_before_a_timing_is_not_an_identifier():
    # "Collect a WebVTT block" with "in header" set rewinds to the timing line. (Chromium uses the header
    # line as the id here; the spec does not. The id is never shown, so the difference is harmless.)
    assert [(c.id, c.text) for c in cues(f"WEBVTT\nheader\n{TIMING}\nx")] == [("", "x")]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings_are_normalised(newline):
    text = newline.join(["WEBVTT", "", "id", TIMING, "one", "two", "", "00:02.000 --> 00:03.000", "three"])
    assert [(c.id, c.text) for c in cues(text)] == [("id", "one\ntwo"), ("", "three")]


def test_mixed_line_endings_and_no_final_newline():
    text = f"WEBVTT\r\n\rid\n{TIMING}\r\nline one\rline two"
    assert [(c.id, c.text) for c in cues(text)] == [("id", "line one\nline two")]


def test_nul_becomes_replacement_character():
    parsed = cues(f"WEBVTT\n\nid\x00x\n{TIMING}\nNUL\x00here")
    assert (parsed[0].id, parsed[0].text) == ("id\ufffdx", "NUL\ufffdhere")


def test_identifier_with_arrow_is_a_timing_line():
    # Line 1 contains "-->" so it is read as timings, fails, and the real timing line starts a new block.
    parsed = cues(f"WEBVTT\n\nspeaker-->one\n{TIMING}\ntext")
    assert [(c.id, c.text) for c in parsed] == [("", "text")]


def test_identifier_may_contain_anything_but_an_arrow():
    parsed = cues(f"WEBVTT\n\nIntro \u2013 part 1 <b>&amp;\n{TIMING}\nx")
    assert parsed[0].id == "Intro \u2013 part 1 <b>&amp;"


def test_two_identifier_lines_lose_the_block():
    # The timing line is the third line of the block, so the block ends before it.
    assert [(c.id, c.text) for c in cues(f"WEBVTT\n\nid1\nid2\n{TIMING}\ntext")] == [("", "text")]


def test_arrow_in_cue_text_starts_a_new_cue():
    parsed = cues(f"WEBVTT\n\n{TIMING}\nfirst\n00:02.000 --> 00:03.000\nsecond")
    assert [(c.start_time, c.text) for c in parsed] == [(0.0, "first"), (2.0, "second")]


def test_arrow_line_that_is_not_a_timing_drops_the_rest_of_the_block():
    parsed = cues(f"WEBVTT\n\n{TIMING}\nfoo\n-->\nbar\n\n00:02.000 --> 00:03.000\nnext")
    assert [c.text for c in parsed] == ["foo", "next"]


def test_two_timing_lines_in_a_row_make_an_empty_cue():
    parsed = cues(f"WEBVTT\n\n{TIMING}\n00:02.000 --> 00:03.000\ntext")
    assert [(c.start_time, c.text) for c in parsed] == [(0.0, ""), (2.0, "text")]


def test_whitespace_only_line_does_not_end_a_cue():
    assert cues(f"WEBVTT\n\n{TIMING}\none\n   \ntwo")[0].text == "one\n   \ntwo"


def test_note_blocks_are_ignored():
    parsed = cues(f"WEBVTT\n\nNOTE a comment\nover two lines\n\n{TIMING}\nafter\n\nNOTE at the end")
    assert [c.text for c in parsed] == ["after"]


def test_note_followed_by_a_timing_line_is_a_cue_identifier():
    # The spec has no NOTE rule: a NOTE line before a timing line is simply an identifier.
    assert [(c.id, c.text) for c in cues(f"WEBVTT\n\nNOTE\n{TIMING}\nx")] == [("NOTE", "x")]


def test_style_blocks_are_ignored_and_counted():
    document = parse_webvtt(f"WEBVTT\n\nSTYLE\n::cue {{ color: red }}\n\nSTYLE  \n::cue(b) {{}}\n\n{TIMING}\nx")
    assert [c.text for c in document.cues] == ["x"]
    assert document.stylesheet_count == 2


def test_style_after_a_cue_is_not_a_stylesheet():
    document = parse_webvtt(f"WEBVTT\n\n{TIMING}\nx\n\nSTYLE\n::cue {{}}\n\n00:02.000 --> 00:03.000\ny")
    assert document.stylesheet_count == 0
    assert [c.text for c in document.cues] == ["x", "y"]


def test_style_line_followed_by_timings_is_an_identifier():
    assert cues(f"WEBVTT\n\nSTYLE\n{TIMING}\nx")[0].id == "STYLE"


def test_empty_cue_text_and_extra_blank_lines():
    parsed = cues(f"WEBVTT\n\n\n\n{TIMING}\n\n\n\n00:02.000 --> 00:03.000\nb\n\n\n")
    assert [c.text for c in parsed] == ["", "b"]


# --- timestamps -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timing", "start", "end"),
    [
        ("00:00.000 --> 00:01.500", 0.0, 1.5),
        ("00:00:01.009 --> 00:00:02.007", 1.009, 2.007),
        ("0:00:01.000 --> 1:00:00.000", 1.0, 3600.0),
        ("100:00:00.000 --> 1000:00:00.001", 360000.0, 3600000.001),
        ("12:34:56.789 --> 23:59:59.999", 45296.789, 86399.999),
        ("00:00.000-->00:01.000", 0.0, 1.0),
        ("\t 00:00.000 \t-->\t 00:01.000 \t", 0.0, 1.0),
        ("01:00.000 --> 00:59.000", 60.0, 59.0),  # end before start is kept; lint reports it
    ],
)
def test_valid_timestamps(timing, start, end):
    (cue,) = cues(f"WEBVTT\n\n{timing}\nx")
    assert (cue.start_time, cue.end_time) == (start, end)


@pytest.mark.parametrize(
    "timing",
    [
        "60:00.000 --> 61:00.000",  # 60 makes the first field hours, then seconds are missing
        "00:60.000 --> 00:61.000",  # seconds > 59
        "00:00:60.000 --> 00:01:00.000",
        "00:60:00.000 --> 01:00:00.000",  # minutes > 59
        "1:00.000 --> 2:00.000",  # one digit: hours, then seconds missing
        "00:00.00 --> 00:01.000",  # two-digit fraction
        "00:00.0000 --> 00:01.000",
        "00:00,000 --> 00:01,000",  # SRT comma
        "00:00.000 -> 00:01.000",
        "00:00.000 - -> 00:01.000",
        "-00:00.000 --> 00:01.000",
        "00:00.000 --> ",
        "\u0660\u0660:00.000 --> 00:01.000",  # Arabic-Indic digits are not ASCII digits
    ],
)
def test_invalid_timings_drop_the_cue(timing):
    assert cues(f"WEBVTT\n\n{timing}\nx\n\n00:05.000 --> 00:06.000\nkept") == cues(
        "WEBVTT\n\n00:05.000 --> 00:06.000\nkept"
    )


def test_timestamp_fast_path_matches_the_spec_steps():
    from media_pipeline.captions.timestamps import collect_timestamp, collect_timestamp_by_the_steps

    samples = ["00:00:01.009", "00:01.000", "99:59:59.999", "00:60.000", "60:00.000", "00:00:60.000"]
    samples += ["00:00.0000", "00:00:00.0001", "12:34.567x", "00:00:00.000", "5:00:00.000", "00:00:0a.000"]
    for sample in samples:
        assert collect_timestamp(sample, 0) == collect_timestamp_by_the_steps(sample, 0), sample


# --- cue settings -----------------------------------------------------------------------------------------

DEFAULTS = {
    "align": "center",
    "line": "auto",
    "position": "auto",
    "size": 100,
    "vertical": "",
    "snap_to_lines": True,
    "line_align": "start",
    "position_align": "auto",
    "region": None,
}


def settings_of(setting_text: str) -> dict:
    (cue,) = cues(f"WEBVTT\n\n{TIMING} {setting_text}\nx")
    return {name: getattr(cue, name) for name in DEFAULTS}


@pytest.mark.parametrize(
    ("setting_text", "changed"),
    [
        ("", {}),
        ("vertical:rl", {"vertical": "rl"}),
        ("vertical:lr", {"vertical": "lr"}),
        ("vertical:RL", {}),
        ("line:0", {"line": 0}),
        ("line:-1", {"line": -1}),
        ("line:-0", {"line": 0}),
        ("line:1.5", {"line": 1.5}),
        ("line:12.5%", {"line": 12.5, "snap_to_lines": False}),
        ("line:50%,end", {"line": 50, "snap_to_lines": False, "line_align": "end"}),
        ("line:0,center", {"line": 0, "line_align": "center"}),
        ("line:0,bogus", {}),
        ("line:--1", {}),
        ("line:+1", {}),
        ("line:1-", {}),
        ("line:.5", {}),
        ("line:5.", {}),
        ("line:101%", {}),
        ("line:%", {}),
        ("line:5%%", {}),
        ("line:abc", {}),
        ("line:" + "9" * 400, {}),  # rounds to infinity: an error in HTML's float rules
        ("position:10%", {"position": 10}),
        ("position:0%,line-right", {"position": 0, "position_align": "line-right"}),
        ("position:50%,center", {"position": 50, "position_align": "center"}),
        ("position:50%,line-left", {"position": 50, "position_align": "line-left"}),
        ("position:50%,bogus", {}),
        ("position:101%", {}),
        ("position:50", {}),
        ("position:5.%", {}),
        ("size:50.5%", {"size": 50.5}),
        ("size:0%", {"size": 0}),
        ("size:.5%", {}),
        ("size:-1%", {}),
        ("align:start", {"align": "start"}),
        ("align:end", {"align": "end"}),
        ("align:left", {"align": "left"}),
        ("align:right", {"align": "right"}),
        ("align:middle", {}),  # an old draft's value, no longer valid
        (":x x: line: position :", {}),
        ("line:1:2 align:start:x", {}),
        ("LINE:0 Align:start", {}),
    ],
)
def test_cue_settings(setting_text, changed):
    assert settings_of(setting_text) == {**DEFAULTS, **changed}


def test_duplicate_settings_last_valid_one_wins():
    assert settings_of("align:start align:end line:5 line:abc size:10% size:200%") == {
        **DEFAULTS,
        "align": "end",
        "line": 5,
        "size": 10,
    }


def test_settings_need_no_space_after_the_end_time():
    # "Let remainder be the trailing substring of input starting at position" - no separator required.
    assert settings_of("")["align"] == "center"
    (cue,) = cues("WEBVTT\n\n00:00.000 --> 00:01.000align:start\nx")
    assert cue.align == "start"


def test_settings_are_split_on_ascii_whitespace_only():
    (cue,) = cues(f"WEBVTT\n\n{TIMING}\talign:start\x0cline:1\nx")
    assert (cue.align, cue.line) == ("start", 1)
    # NBSP is not a separator: this is one setting, align with the invalid value "start\u00a0line:1".
    (cue,) = cues(f"WEBVTT\n\n{TIMING} align:start\u00a0line:1\nx")
    assert (cue.align, cue.line) == ("center", "auto")


# --- regions ----------------------------------------------------------------------------------------------

REGION = "REGION\nid:fred width:40% lines:4 regionanchor:10%,90% viewportanchor:20%,80% scroll:up\n\n"


def test_region_block_is_parsed():
    document = parse_webvtt(f"WEBVTT\n\n{REGION}{TIMING} region:fred\nx")
    assert [r.to_dict() for r in document.regions] == [
        {
            "id": "fred",
            "width": 40,
            "lines": 4,
            "regionAnchorX": 10,
            "regionAnchorY": 90,
            "viewportAnchorX": 20,
            "viewportAnchorY": 80,
            "scroll": "up",
        }
    ]
    assert document.cues[0].region == "fred"


def test_region_defaults_and_invalid_settings_ignored():
    text = "WEBVTT\n\nREGION\nid:a width:bogus lines:x regionanchor:10% viewportanchor:101%,5% scroll:down\n"
    (region,) = parse_webvtt(text).regions
    assert region.to_dict() == {
        "id": "a",
        "width": 100,
        "lines": 3,
        "regionAnchorX": 0,
        "regionAnchorY": 100,
        "viewportAnchorX": 0,
        "viewportAnchorY": 100,
        "scroll": "",
    }


def test_region_settings_may_span_lines_and_repeat():
    (region,) = parse_webvtt("WEBVTT\n\nREGION\nid:a\nwidth:50%\nlines:2 id:b\n").regions
    assert (region.id, region.width, region.lines) == ("b", 50, 2)


def test_region_lines_is_clamped_like_the_idl_unsigned_long():
    (region,) = parse_webvtt("WEBVTT\n\nREGION\nid:a lines:99999999999\n").regions
    assert region.lines == 4294967295
    (region,) = parse_webvtt("WEBVTT\n\nREGION\nid:a lines:" + "9" * 5000 + "\n").regions
    assert region.lines == 4294967295


def test_cue_refers_to_the_last_region_with_that_id():
    text = f"WEBVTT\n\nREGION\nid:dup width:10%\n\nREGION\nid:dup width:20%\n\n{TIMING} region:dup\nx"
    document = parse_webvtt(text)
    assert [r.width for r in document.regions] == [10, 20]
    assert document.cues[0].region == "dup"


def test_unknown_region_is_null():
    assert cues(f"WEBVTT\n\n{REGION}{TIMING} region:nope\nx")[0].region is None


def test_regions_only_count_before_the_first_cue():
    text = f"WEBVTT\n\n{TIMING}\nfirst\n\nREGION\nid:late\n\n00:02.000 --> 00:03.000 region:late\nx"
    document = parse_webvtt(text)
    assert document.regions == []
    assert document.cues[1].region is None


def test_region_inside_the_header_is_not_a_region():
    # Without the blank line REGION is header text. (Chromium still reads it; the spec does not.)
    assert parse_webvtt(f"WEBVTT\nREGION\nid:hdr\n\n{TIMING} region:hdr\nx").regions == []


@pytest.mark.parametrize(
    ("setting_text", "region"),
    [
        ("region:fred", "fred"),
        ("region:fred line:0", None),  # explicitly positioned: drops out of the region
        ("line:0 region:fred", "fred"),  # the spec applies settings in order
        ("region:fred size:50%", None),
        ("region:fred size:100%", "fred"),
        ("size:50% region:fred", "fred"),
        ("region:fred vertical:rl", None),  # there are no vertical regions
        ("region:fred vertical:bogus", "fred"),
        ("region:fred line:bogus", "fred"),
        ("region:fred region:nope", None),
    ],
)
def test_region_is_dropped_by_later_line_size_or_vertical(setting_text, region):
    assert cues(f"WEBVTT\n\n{REGION}{TIMING} {setting_text}\nx")[0].region == region
