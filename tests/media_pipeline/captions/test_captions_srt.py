"""SRT in real-world variants, encodings, format detection, and the normalised WebVTT we store."""

import pytest

from media_pipeline.captions import (
    CaptionError,
    decode_caption_bytes,
    detect_format,
    parse_caption_file,
    parse_caption_text,
    parse_srt,
)
from media_pipeline.captions.srt import parse_srt_time, srt_text_to_webvtt

BASIC = "1\n00:00:01,000 --> 00:00:04,000\nHello there.\n\n2\n00:00:05,500 --> 00:00:07,250\nGeneral Kenobi!\n"


def timings_and_texts(text: str, filename: str = "captions.srt") -> list[tuple[float, float, str]]:
    return [(c.start_time, c.end_time, c.text) for c in parse_caption_text(text, filename=filename).cues]


EXPECTED_BASIC = [(1.0, 4.0, "Hello there."), (5.5, 7.25, "General Kenobi!")]


def test_basic_srt():
    assert timings_and_texts(BASIC) == EXPECTED_BASIC


@pytest.mark.parametrize(
    "variant",
    [
        "\ufeff" + BASIC,
        BASIC.replace("\n", "\r\n"),
        BASIC.replace("\n", "\r"),
        BASIC.rstrip("\n"),  # missing final blank line (and final newline)
        BASIC + "\n\n\n",
        BASIC.replace(",", "."),  # dot milliseconds
        BASIC.replace("1\n", "7\n", 1).replace("2\n", "12\n", 1),  # numbering gaps
        BASIC.replace("1\n00", "00", 1).replace("2\n00", "00", 1),  # no numbers
        BASIC.replace("00:00:01,000", "0:00:01,000"),  # one-digit hours
        BASIC.replace("-->", "  -->  "),
        BASIC.replace("00:00:04,000", "00:00:04,000  X1:100 X2:200 Y1:10 Y2:50"),  # coordinates
        BASIC.replace("Hello there.", "  Hello there.  "),
        BASIC.replace("\n\n2", "\n2"),  # no blank line between cues
        "\n\n" + BASIC,
    ],
)
def test_real_world_variants(variant):
    assert timings_and_texts(variant) == EXPECTED_BASIC


@pytest.mark.parametrize(
    ("text", "milliseconds"),
    [
        ("00:00:01,000", 1000),
        ("01:02:03,004", 3723004),
        ("1:02:03.4", 3723400),  # one fraction digit is tenths
        ("00:00:01,05", 1050),
        ("00:00:01:500", 1500),
        ("02:03,004", 123004),
        ("100:00:00,000", 360_000_000),
        ("00:00:01", 1000),
        ("00:60:00,000", None),
        ("00:00:60,000", None),
        ("-00:00:01,000", None),
        ("aa:00:01,000", None),
        ("", None),
        ("9" * 5000 + ":00:00,000", None),
    ],
)
def test_srt_timestamps(text, milliseconds):
    assert parse_srt_time(text) == milliseconds


@pytest.mark.parametrize(
    ("srt", "webvtt"),
    [
        ("<i>italic</i> <b>bold</b> <u>under</u>", "<i>italic</i> <b>bold</b> <u>under</u>"),
        ("<I>caps</I> <B >spaced</ b>", "<i>caps</i> <b>spaced</b>"),
        ('<font color="#ff0000">red</font> <font face=Arial size=3>x</font>', "red x"),
        ("<i>unclosed", "<i>unclosed</i>"),
        ("<i><b>crossed</i></b>", "<i><b>crossed</b></i>"),
        ("stray </i> close", "stray  close"),
        ("a < b > c & d", "a &lt; b &gt; c &amp; d"),
        ("<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"),
        ("{\\an8}Top of screen", "Top of screen"),
        ("{not a tag}", "{not a tag}"),
        ("arrow --> in text", "arrow --&gt; in text"),
        ("line one\n\n\nline two", "line one\nline two"),
        ("<i>across\nlines</i>", "<i>across\nlines</i>"),
    ],
)
def test_srt_markup_becomes_webvtt_safe(srt, webvtt):
    assert srt_text_to_webvtt(srt) == webvtt


def test_converted_text_is_what_the_webvtt_parser_returns():
    srt = '1\n00:00:01,000 --> 00:00:02,000\n<font color="red"><i>Fish & chips</i></font> <3\n'
    (cue,) = parse_caption_text(srt, filename="a.srt").cues
    assert cue.text == "<i>Fish &amp; chips</i> &lt;3"


def test_normalised_webvtt_output():
    parsed = parse_caption_text(BASIC, filename="a.srt")
    assert parsed.format == "srt"
    assert parsed.webvtt == (
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nHello there.\n\n00:00:05.500 --> 00:00:07.250\nGeneral Kenobi!\n"
    )


def test_text_outside_any_cue_is_reported_by_line():
    srt = (
        "stray first\n\n"
        "1\n00:00:01,000 --> 00:00:02,000\nOne\n\n"
        "after a blank\nline\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\nTwo\n"
    )
    document = parse_srt(srt)
    assert [c.text for c in document.cues] == ["One", "Two"]
    messages = [issue.message for issue in document.issues]
    assert [issue.code for issue in document.issues] == ["srt-text-outside-cue", "srt-text-outside-cue"]
    assert messages[0].startswith("Line 1 is not part of any caption")
    assert messages[1].startswith("Lines 7 to 8 are not part of any caption")


def test_unreadable_timing_is_an_error_naming_the_line():
    srt = (
        "1\n00:00:01,000 --> 00:00:02,000\nOne\n\n"
        "2\n00:00:03,000 --> soon\nLost\n\n"
        "3\n00:00:05,000 --> 00:00:06,000\nThree\n"
    )
    document = parse_srt(srt)
    assert [c.text for c in document.cues] == ["One", "Three"]
    (issue,) = document.issues
    assert (issue.level, issue.code, issue.cue) == ("error", "srt-bad-timing", None)
    assert "Line 6" in issue.message


@pytest.mark.parametrize("text", ["", "just some text\n", "WEBVTT\n", "1\n2\n3\n"])
def test_srt_without_timings_is_refused(text):
    with pytest.raises(CaptionError, match="no caption timings"):
        parse_caption_text(text, filename="x.srt")


# --- encodings --------------------------------------------------------------------------------------------

SMART = "1\n00:00:01,000 --> 00:00:02,000\n\u201cIt\u2019s \u00a35\u201d \u2013 caf\u00e9 \u20ac\n"


@pytest.mark.parametrize(
    "data",
    [
        SMART.encode("utf-8"),
        b"\xef\xbb\xbf" + SMART.encode("utf-8"),
        SMART.encode("cp1252"),
        b"\xff\xfe" + SMART.encode("utf-16-le"),
        b"\xfe\xff" + SMART.encode("utf-16-be"),
        b"\xff\xfe\x00\x00" + SMART.encode("utf-32-le"),
    ],
    ids=["utf-8", "utf-8-bom", "cp1252", "utf-16-le", "utf-16-be", "utf-32-le"],
)
def test_encodings_decode_to_the_right_characters(data):
    (cue,) = parse_caption_file(data, filename="smart.srt").cues
    assert cue.text == "\u201cIt\u2019s \u00a35\u201d \u2013 caf\u00e9 \u20ac"


def test_bytes_undefined_in_windows_1252_are_refused_with_the_line():
    data = b"1\n00:00:01,000 --> 00:00:02,000\nbad \x81 byte\n"
    with pytest.raises(CaptionError, match=r"Line 3 has a byte \(0x81\).*Save the file as UTF-8"):
        decode_caption_bytes(data)


def test_mixed_utf8_and_windows_1252_is_refused_not_garbled():
    data = "caf\u00e9 ".encode() + b"\x93quoted\x94\n"
    with pytest.raises(CaptionError, match="mostly UTF-8, but line 1"):
        decode_caption_bytes(data)


def test_invalid_utf8_after_a_utf8_bom_is_refused():
    with pytest.raises(CaptionError, match="UTF-8"):
        decode_caption_bytes(b"\xef\xbb\xbfWEBVTT\n\nok\n\xff")


def test_utf16_without_bom_is_refused_with_advice():
    with pytest.raises(CaptionError, match="UTF-16"):
        decode_caption_bytes("WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n".encode("utf-16-le"))


def test_webvtt_in_windows_1252_is_accepted_too():
    data = "WEBVTT\n\n00:00.000 --> 00:01.000\n\u00a3 \u2019\n".encode("cp1252")
    (cue,) = parse_caption_file(data, filename="a.vtt").cues
    assert cue.text == "\u00a3 \u2019"


# --- format detection -------------------------------------------------------------------------------------

VTT = "WEBVTT\n\n00:00.000 --> 00:01.000\nhi\n"


@pytest.mark.parametrize(
    ("filename", "text", "expected"),
    [
        ("a.vtt", VTT, "vtt"),
        ("A.VTT", VTT, "vtt"),
        ("a.srt", BASIC, "srt"),
        ("a.Srt", BASIC, "srt"),
        ("a.srt", VTT, "srt"),  # the extension decides
        ("a.vtt", BASIC, "vtt"),
        ("a.txt", VTT, "vtt"),
        ("a.txt", "\ufeff" + VTT, "vtt"),
        ("a.txt", BASIC, "srt"),
        ("", VTT, "vtt"),
        ("noextension", BASIC, "srt"),
        ("a.vtt.srt", VTT, "srt"),
    ],
)
def test_detect_format(filename, text, expected):
    assert detect_format(text, filename=filename) == expected


def test_vtt_extension_means_webvtt_and_nothing_else():
    with pytest.raises(CaptionError, match="WEBVTT"):
        parse_caption_text(BASIC, filename="captions.vtt")


def test_unknown_extension_that_is_neither_format_is_refused():
    with pytest.raises(CaptionError, match="neither WebVTT"):
        parse_caption_text("hello\nworld\n", filename="notes.txt")


def test_sniffed_srt_is_parsed_as_srt():
    assert parse_caption_text(BASIC, filename="captions.txt").format == "srt"
