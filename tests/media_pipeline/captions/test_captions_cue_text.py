"""Cue text: the spec's tokenizer and tree, character references, and the safe HTML and plain renderings."""

import pytest

from media_pipeline.captions import (
    CueNode,
    TextNode,
    TimestampNode,
    cue_text_to_html,
    cue_text_to_plain,
    parse_cue_text,
)


def shape(node: CueNode) -> list:
    """A comparable picture of a tree: text as strings, nodes as (kind, classes, annotation, children)."""
    out: list = []
    for child in node.children:
        if isinstance(child, TextNode):
            out.append(child.value)
        elif isinstance(child, TimestampNode):
            out.append(("@", child.seconds))
        else:
            out.append((child.kind, child.classes, child.annotation, shape(child)))
    return out


def test_plain_text_is_one_text_node():
    assert shape(parse_cue_text("Hello\nworld")) == ["Hello\nworld"]


def test_basic_tags_and_classes():
    assert shape(parse_cue_text("<c.yellow.bg_blue>a</c> <i>b</i> <b.x>c</b> <u>d</u>")) == [
        ("c", ("yellow", "bg_blue"), None, ["a"]),
        " ",
        ("i", (), None, ["b"]),
        " ",
        ("b", ("x",), None, ["c"]),
        " ",
        ("u", (), None, ["d"]),
    ]


def test_empty_class_names_are_dropped():
    assert shape(parse_cue_text("<c..x.>a</c>")) == [("c", ("x",), None, ["a"])]


def test_voice_annotation_is_whitespace_normalised():
    assert shape(parse_cue_text("<v.loud  Bob \t Smith >hi</v><v>anon</v>")) == [
        ("v", ("loud",), "Bob Smith", ["hi"]),
        ("v", (), "", ["anon"]),
    ]


def test_line_feed_inside_a_tag_goes_to_the_annotation():
    assert shape(parse_cue_text("<v\nBob>a</v><v Bob\n>b</v><i\n>c</i>")) == [
        ("v", (), "Bob", ["a"]),
        ("v", (), "Bob", ["b"]),
        ("i", (), None, ["c"]),
    ]


def test_language_stack():
    root = parse_cue_text("<lang en>a <lang fr-CA>b</lang> c</lang> d", language="cy")
    outer = root.children[0]
    inner = outer.children[1]
    assert (root.language, outer.language, inner.language) == ("cy", "en", "fr-CA")
    assert shape(root) == [("lang", (), "en", ["a ", ("lang", (), "fr-CA", ["b"]), " c"]), " d"]


def test_ruby_and_ruby_text():
    assert shape(parse_cue_text("<ruby>漢<rt>kan</rt>字<rt>ji</rt></ruby>")) == [
        ("ruby", (), None, ["漢", ("rt", (), None, ["kan"]), "字", ("rt", (), None, ["ji"])])
    ]


def test_rt_outside_ruby_is_ignored_and_end_ruby_closes_rt():
    assert shape(parse_cue_text("<rt>x</rt><ruby>a<rt>b</ruby>c")) == [
        "x",
        ("ruby", (), None, ["a", ("rt", (), None, ["b"])]),
        "c",
    ]


def test_timestamps_must_be_whole():
    # Trailing characters and a one-digit first field make the tag invalid: it is dropped (text splits there).
    assert shape(parse_cue_text("a<00:00:00.500>b<00:01.700>c<00:00:00.500x>d<1:00.000>e")) == [
        "a",
        ("@", 0.5),
        "b",
        ("@", 1.7),
        "c",
        "d",
        "e",
    ]


def test_unknown_and_stray_tags_are_dropped():
    assert shape(parse_cue_text("<script>x</script><span>y</span></i>z<>w</>")) == ["x", "y", "z", "w"]


def test_mismatched_end_tag_is_ignored_and_unclosed_tags_stay_open():
    assert shape(parse_cue_text("<i>a</b>b</i>c")) == [("i", (), None, ["a", "b"]), "c"]
    assert shape(parse_cue_text("<i>a<b>b")) == [("i", (), None, ["a", ("b", (), None, ["b"])])]


def test_tags_are_case_sensitive():
    assert shape(parse_cue_text("<I>caps</I>")) == ["caps"]


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("&amp; &lt; &gt; &nbsp;", "& < > \u00a0"),
        ("&amp &lt", "& <"),  # legacy names work without a semicolon
        ("&notit; &notin;", "¬it; ∉"),  # longest match
        ("&ampx &copy2", "&x ©2"),
        ("&AMP; &Aacute &aacute;", "& Á á"),
        ("&CounterClockwiseContourIntegral; &NotNestedGreaterGreater;", "∳ ⪢̸"),
        ("&bogus; & x &; &", "&bogus; & x &; &"),
        ("&#65; &#x41; &#X41 &#65", "A A A A"),
        ("&#x1F600; &#128512;", "😀 😀"),
        ("&#0; &#xD800; &#x110000; &#99999999999999999999;", "\ufffd \ufffd \ufffd \ufffd"),
        ("&#x80; &#x92; &#150;", "\u20ac \u2019 \u2013"),  # C1 numbers mean Windows-1252
        ("&#; &#x; &#xg;", "&#; &#x; &#xg;"),
        ("&lt;script&gt;", "<script>"),
    ],
)
def test_character_references(text, plain):
    assert cue_text_to_plain(text) == plain


def test_character_references_in_annotations():
    (voice,) = parse_cue_text("<v &amp;&lt;Ann&gt; a&gt;b>x</v>").children
    assert voice.annotation == "&<Ann> a>b"


def test_plain_text_leaves_out_ruby_text_and_markup():
    assert cue_text_to_plain("<v Bob><i>Hello</i> <ruby>漢<rt>kan</rt></ruby>\nthere</v>") == "Hello 漢\nthere"


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Hello & <goodbye>", "Hello &amp; "),
        ("a &lt;b&gt; \"q\" 'a'", "a &lt;b&gt; &quot;q&quot; &#x27;a&#x27;"),
        ("<i>it</i> <b>bo</b> <u>un</u>", "<i>it</i> <b>bo</b> <u>un</u>"),
        ("<c.yellow.bg_blue>x</c>", '<span class="vtt-yellow vtt-bg_blue">x</span>'),
        ("<c>x</c>", "<span>x</span>"),
        ("<v Bob>Hi</v>", '<span class="caption-voice" data-speaker="Bob">Hi</span>'),
        (
            "<v.loud Ann &amp; Bo>Hi",
            '<span class="caption-voice vtt-loud" data-speaker="Ann &amp; Bo">Hi</span>',
        ),
        ("<lang en-GB>colour</lang>", '<span lang="en-GB">colour</span>'),
        ('<lang en" onclick="x>y</lang>', "<span>y</span>"),
        ("<ruby>漢<rt>kan</rt></ruby>", "<ruby>漢<rt>kan</rt></ruby>"),
        ("one\ntwo", "one two"),
        ("a<00:00:01.000>b", "ab"),
    ],
)
def test_html_rendering(text, html):
    assert cue_text_to_html(text) == html


def test_html_rendering_can_keep_line_breaks():
    assert cue_text_to_html("one\ntwo", keep_line_breaks=True) == "one\ntwo"


def test_unsafe_class_names_are_dropped_not_mangled():
    html = cue_text_to_html("<c.ok.govuk-visually-hidden.bad\"x.bad'y.bad&z.b<c>x</c>")
    assert html == '<span class="vtt-ok vtt-govuk-visually-hidden">x</span>'


def test_walk_visits_every_node_in_order():
    root = parse_cue_text("<i>a<b>b</b></i>c")
    kinds = [node.kind if isinstance(node, CueNode) else node.value for node in root.walk()]
    assert kinds == ["i", "a", "b", "b", "c"]
