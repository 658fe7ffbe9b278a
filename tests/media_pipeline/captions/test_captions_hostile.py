"""Hostile caption files: markup must come out inert, and parsing must finish in bounded (linear) time.

Time bounds are relative to a baseline measured in the same test on the same input (a plain Python pass
over it), with a generous factor and floor, so they hold on a slow or busy machine but catch quadratic
behaviour (which on these sizes would take minutes, not a second).
"""

import contextlib
import time
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from media_pipeline.captions import (
    build_transcript,
    cue_text_to_html,
    cue_text_to_plain,
    parse_caption_text,
    parse_webvtt,
)
from media_pipeline.captions.render import MAX_DEPTH

ALLOWED_TAGS = {"span", "i", "b", "u", "ruby", "rt"}
ALLOWED_ATTRIBUTES = {"class", "data-speaker", "lang"}


class _Inventory(HTMLParser):
    """Collects every tag and attribute a browser's HTML parser would see in a fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.class_tokens: set[str] = set()
        self.comments: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            self.attributes.add(name)
            if name == "class":
                self.class_tokens.update((value or "").split())

    def handle_endtag(self, tag):
        self.tags.add(tag)

    def handle_comment(self, data):
        self.comments.append(data)

    def handle_decl(self, decl):
        self.comments.append(decl)


def assert_inert(html: str) -> None:
    inventory = _Inventory()
    inventory.feed(html)
    inventory.close()
    assert inventory.tags <= ALLOWED_TAGS, html
    assert inventory.attributes <= ALLOWED_ATTRIBUTES, html
    assert all(token == "caption-voice" or token.startswith("vtt-") for token in inventory.class_tokens), html
    assert not inventory.comments, html


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def baseline_pass(text: str) -> float:
    """A plain linear pass over the text in Python: the yardstick for "linear time"."""
    return timed(lambda: sum(1 for char in text if char == "<"))


def assert_bounded(elapsed: float, baseline: float) -> None:
    assert elapsed < 60 * baseline + 1.0, f"took {elapsed:.2f}s against a baseline of {baseline:.3f}s"


HOSTILE_CUE_TEXTS = [
    "<script>alert(1)</script>",
    "<img\nsrc=x onerror=alert(1)>after",
    '<v "><svg onload=alert(1)>x</v>',
    "<v '><img src=x onerror=alert(1)>'>x</v>",
    '<c.a"b.c\'d.e><b onclick="x">quotes</b></c>',
    '<c.x" onmouseover="alert(1)>x</c>',
    '<lang en" onfocus="alert(1)>x</lang>',
    "<v <script>>x</v>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<!-- comment --><![CDATA[x]]><?php x ?>",
    "<ruby><rt><style>*{display:none}</style></rt></ruby>",
    "<i><b><u><c><v a><lang x><ruby><rt>deep",
    "</span><span onclick=x>",
    "&#60;script&#62;",
]


def test_hostile_markup_renders_inert():
    for text in HOSTILE_CUE_TEXTS:
        assert_inert(cue_text_to_html(text))
        assert_inert(cue_text_to_html(text, keep_line_breaks=True))


def test_hostile_speaker_names_are_escaped_in_the_attribute():
    # The voice tag ends at the first ">": the speaker is a lone quote, and <svg ...> is an unknown tag.
    assert cue_text_to_html('<v "><svg onload=alert(1)>x</v>') == (
        '<span class="caption-voice" data-speaker="&quot;">x</span>'
    )
    assert cue_text_to_html("<v a&gt;&lt;b &quot;c'>x</v>") == (
        '<span class="caption-voice" data-speaker="a&gt;&lt;b &quot;c&#x27;">x</span>'
    )


def test_hostile_transcript_is_inert():
    text = "WEBVTT\n\n" + "".join(
        f"00:00:{index:02d}.000 --> 00:00:{index:02d}.900\n{cue}\n\n" for index, cue in enumerate(HOSTILE_CUE_TEXTS)
    )
    for paragraph in build_transcript(parse_webvtt(text).cues):
        for cue in paragraph.cues:
            assert_inert(cue.html)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="<>&/.;:# \n\t\"'=vcibrutlang0123456789xX", max_size=60))
def test_any_cue_text_renders_inert(text):
    assert_inert(cue_text_to_html(text))
    assert isinstance(cue_text_to_plain(text), str)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=120))
def test_any_text_either_parses_or_is_refused_cleanly(text):
    from media_pipeline.captions import CaptionError

    for body in (text, "WEBVTT\n\n" + text):
        with contextlib.suppress(CaptionError):
            parse_webvtt(body)


def test_one_megabyte_line_of_less_than_signs():
    line = "<" * 1_000_000
    baseline = baseline_pass(line)
    assert_bounded(timed(lambda: cue_text_to_html(line)), baseline)
    file_text = "WEBVTT\n\n00:00.000 --> 00:01.000\n" + line
    assert_bounded(timed(lambda: parse_webvtt(file_text)), baseline)
    assert cue_text_to_html(line) == ""  # one unknown start tag, named "<<<<...", dropped


def test_long_runs_of_ampersands_and_unterminated_tags():
    for text in ("&" * 100_000, "<c." + "." * 100_000, "<v " + "&a " * 35_000, "&amp" * 25_000):
        baseline = baseline_pass(text)
        assert_bounded(timed(lambda text=text: cue_text_to_html(text)), baseline)


def test_srt_long_line_of_less_than_signs():
    text = "1\n00:00:01,000 --> 00:00:02,000\n" + "<" * 300_000
    baseline = baseline_pass(text)
    parsed = None

    def work():
        nonlocal parsed
        parsed = parse_caption_text(text, filename="x.srt")

    assert_bounded(timed(work), baseline)
    assert parsed.cues[0].text.startswith("&lt;&lt;")


def test_one_hundred_thousand_cues():
    text = "WEBVTT\n\n" + "00:00.000 --> 00:00.001\nx\n\n" * 100_000
    baseline = timed(lambda: sum(1 for line in text.split("\n") if "-->" in line))
    document = None

    def work():
        nonlocal document
        document = parse_webvtt(text)

    elapsed = timed(work)
    assert len(document.cues) == 100_000
    assert elapsed < 100 * baseline + 2.0, f"took {elapsed:.2f}s against a baseline of {baseline:.3f}s"


def test_deep_nesting_is_flattened_in_html_and_does_not_recurse():
    text = "<i>" * 10_000 + "deep" + "</i>" * 10_000
    html = cue_text_to_html(text)
    assert html.count("<i>") == MAX_DEPTH
    assert "deep" in html
    assert cue_text_to_plain(text) == "deep"
    assert_inert(html)


def test_nul_characters_become_replacement_characters():
    document = parse_webvtt("WEBVTT\n\n\x00\n00:00.000 --> 00:01.000\n\x00<i>\x00</i>" + "\x00" * 10_000)
    (cue,) = document.cues
    assert cue.id == "\ufffd"
    assert "\x00" not in cue.text
    assert "\x00" not in cue_text_to_html(cue.text)


def test_absurd_numbers_do_not_crash():
    text = (
        "WEBVTT\n\nREGION\nid:r lines:"
        + "9" * 5000
        + " width:"
        + "1" * 5000
        + "%\n\n"
        + "9" * 5000
        + ":00:00.000 --> 00:01.000\nhuge hours\n\n"
        + "00:00.000 --> 00:01.000 line:"
        + "9" * 5000
        + " position:"
        + "1" * 400
        + "%\n"
        + "&#"
        + "9" * 5000
        + "; &#x"
        + "f" * 5000
        + ";"
    )
    document = parse_webvtt(text)
    assert document.regions[0].lines == 2**32 - 1
    assert document.regions[0].width == 100
    (cue,) = document.cues
    assert (cue.line, cue.position) == ("auto", "auto")
    assert cue_text_to_plain(cue.text) == "\ufffd \ufffd"
