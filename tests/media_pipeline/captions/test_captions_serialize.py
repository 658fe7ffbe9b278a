"""Normalised WebVTT: what we write parses back to the same cues and regions."""

from hypothesis import given, settings
from hypothesis import strategies as st

from media_pipeline.captions import Cue, Region, parse_webvtt, to_webvtt
from media_pipeline.captions.serialize import format_number

percent = st.one_of(
    st.integers(0, 100).map(float),
    st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 3)),
)
# Times as the spec computes them: whole seconds plus milliseconds / 1000 (so 8.899 is 8 + 0.899).
millis = st.integers(0, 360_000_000).map(lambda ms: ms // 1000 + (ms % 1000) / 1000)
cue_text = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\x00"), max_size=40).map(
    lambda text: "\n".join(line for line in text.replace("-->", "").split("\n") if line)
)


@st.composite
def cues(draw) -> Cue:
    cue = Cue(start_time=draw(millis), end_time=draw(millis), text=draw(cue_text))
    cue.id = draw(st.sampled_from(["", "intro", "cue 2", "Ünïcödé id"]))
    cue.align = draw(st.sampled_from(["start", "center", "end", "left", "right"]))
    cue.vertical = draw(st.sampled_from(["", "rl", "lr"]))
    cue.size = draw(percent)
    cue.position = draw(st.one_of(st.just("auto"), percent))
    if cue.position != "auto":
        cue.position_align = draw(st.sampled_from(["auto", "line-left", "center", "line-right"]))
    line = draw(st.one_of(st.just("auto"), percent, st.integers(-20, 20).map(float)))
    if line != "auto":
        cue.line = line
        cue.snap_to_lines = draw(st.booleans()) if 0 <= line <= 100 else True
        cue.line_align = draw(st.sampled_from(["start", "center", "end"]))
    cue.region = draw(st.sampled_from([None, "r1", "r2"]))
    return cue


@settings(max_examples=80, deadline=None)
@given(st.lists(cues(), max_size=5))
def test_written_webvtt_parses_back_to_the_same_cues(generated):
    regions = [Region(id="r1", width=40, lines=2, scroll="up"), Region(id="r2", region_anchor_x=12.5)]
    document = parse_webvtt(to_webvtt(generated, regions))
    assert [region.to_dict() for region in document.regions] == [region.to_dict() for region in regions]
    assert [cue.to_dict() for cue in document.cues] == [cue.to_dict() for cue in generated]


def test_written_file_shape():
    cue = Cue(1.5, 3, "Hello", id="intro", line=10, snap_to_lines=False, align="start", region="r")
    assert to_webvtt([cue], [Region(id="r")]) == (
        "WEBVTT\n\n"
        "REGION\nid:r width:100% lines:3 regionanchor:0%,100% viewportanchor:0%,100%\n\n"
        "intro\n00:00:01.500 --> 00:00:03.000 line:10% align:start region:r\nHello\n"
    )


def test_text_that_would_break_the_file_is_made_safe():
    written = to_webvtt([Cue(0, 1, "one\n\ntwo --> three", id="a-->b\nc")])
    (cue,) = parse_webvtt(written).cues
    assert (cue.id, cue.text) == ("a--b c", "one\ntwo --&gt; three")


def test_numbers_are_written_without_exponents_and_read_back_exactly():
    assert [format_number(x) for x in (100.0, 12.5, 1e-05, -1.0)] == ["100", "12.5", "0.00001", "-1"]
    for number in (1e23, 33.333333333333336, 1e-07, 0.1 + 0.2):
        written = format_number(number)
        assert "e" not in written
        assert float(written) == number
