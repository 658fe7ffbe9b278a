"""Our WebVTT parser against Chromium's: the same files loaded through ``<track>`` must give the same cues.

Files are served same-origin from a small HTTP server (Chromium loads tracks only over http(s), same origin),
attached to a ``<video>`` without a source (tracks still load), and read back from ``track.cues`` once
each track's ``load`` event fires in ``hidden`` mode. Cue text is also compared as a tree, via
``getCueAsHTML()`` against our cue text parser mapped to DOM nodes as the spec's "WebVTT cue text DOM
construction rules" say.

Known Chromium differences, kept out of these files on purpose (our parser follows the W3C spec):
- Chromium does not expose ``lineAlign`` / ``positionAlign``; they are compared only if present.
- Regions are behind the ``WebVTTRegions`` flag (``VTTRegion`` is undefined by default, and there is no
  ``track.regions``); :func:`test_regions_match_chromium_with_regions_enabled` turns the flag on and
  compares each cue's region. Chromium keeps a cue's region when ``line``, ``size`` or ``vertical`` is set;
  the spec drops it, and so do we. Chromium also reads REGION blocks inside the header; the spec does not.
- A header line directly above a timing line becomes the cue id in Chromium, not in the spec; a ``STYLE``
  line directly above a timing line is the cue id in the spec, not in Chromium.
- Chromium neither trims nor collapses whitespace in ``<v>`` / ``<lang>`` annotations, and keeps
  timestamp tags with trailing junk (``<00:01.000x>``); the spec does both.
"""

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from media_pipeline.captions import (
    CueNode,
    TextNode,
    TimestampNode,
    parse_caption_text,
    parse_cue_text,
    parse_webvtt,
)
from media_pipeline.captions.timestamps import collect_timestamp

pytestmark = pytest.mark.browser

STRUCTURE = (
    "WEBVTT - Structure test\r\nKind: captions\r\nLanguage: en-GB\r\n\r\n"
    "NOTE Comments are ignored\r\nacross lines\r\n\r\n"
    "STYLE\r\n::cue { color: yellow }\r\n\r\n"
    "intro\r\n00:01.000 --> 00:02.500\r\nNo hours\r\n\r\n"
    "Ünïcödé ident ✓\r\n00:00:03.000 --> 00:00:04.009\r\nWith hours\r\ntwo lines\r\n\r\n"
    "speaker-->one\n00:05.000 --> 00:06.000\nArrow in the identifier line makes it a timing line\n\n"
    "00:07.000 --> 00:08.000\nfirst\n00:09.000 --> 00:10.000\nan arrow line starts the next cue\n\n"
    "00:11.000 --> 00:12.000\n\n\n"
    "00:13.000\t-->\t00:14.000\ttabs\n"
    "NUL\x00char\n\n"
    "NOTE\n00:15.000 --> 00:16.000\nNOTE then a timing line is an identifier\n\n"
    "00:17.000 --> 00:18.000\nfoo\n-->\nbar dropped\n\n"
    "60:00.000 --> 61:00.000\ninvalid minutes: dropped\n\n"
    "00:19.000 --> 00:20.000align:start\nsettings with no space\n\n"
    "01:00:00.007 --> 01:00:01.009\nmilliseconds\n\n"
    "100:00:00.001 --> 100:00:01.999\nhours above 99\n"
)

SETTINGS = "WEBVTT\n\n" + "".join(
    f"s{number}\n00:{number:02d}.000 --> 00:{number:02d}.500 {settings}\nsettings: {settings}\n\n"
    for number, settings in enumerate(
        [
            "",
            "vertical:rl",
            "vertical:lr align:start",
            "vertical:RL",
            "line:0",
            "line:-1",
            "line:-0",
            "line:1.5",
            "line:12.5%",
            "line:50%,end",
            "line:0,center",
            "line:0,bogus",
            "line:--1 line:+1 line:.5 line:5. line:101% line:%",
            "position:10%",
            "position:0%,line-right",
            "position:50%,center size:50%",
            "position:50%,bogus",
            "position:101% position:50",
            "size:50.5%",
            "size:0%",
            "size:.5%",
            "align:start",
            "align:end",
            "align:left",
            "align:right",
            "align:middle",
            "align:start align:end line:5 line:abc size:10% size:200%",
            ":x x: line: position :",
            "line:1:2 align:start:x",
            "line:99999999999999999999999",
            "\tline:3\tposition:20%\t",
        ]
    )
)

MARKUP = "WEBVTT\n\n" + "".join(
    f"00:{number:02d}.000 --> 00:{number:02d}.900\n{text}\n\n"
    for number, text in enumerate(
        [
            "&amp; &lt; &gt; &nbsp; &lrm; &rlm; &notit; &amp &copy2 &bogus; & x &",
            "&#65; &#x41; &#X41 &#0; &#x80; &#x92; &#xD800; &#x110000; &#; &#x1F600;",
            "&AMP; &Aacute &aacute; &CounterClockwiseContourIntegral;",
            "<c.yellow.bg_blue>classes</c> <c>plain c</c>",
            "<v Bob>voice</v> <v.loud Bob Smith>voice with class</v> <v>no name</v>",
            "<v Ann &amp; Bo>entity in annotation</v> <v a&gt;b>gt</v>",
            "<lang en>english <lang fr-CA>french</lang> back</lang> after",
            "<ruby>漢<rt>kan</rt>字<rt>ji</rt></ruby> <rt>outside</rt> <ruby>a<rt>b</ruby>c",
            "a <00:00:01.500>b <00:01.700>c <1:00.000>d",
            "<i>italic</i> <b>bold</b> <u>under</u> <I>not a tag</I>",
            "<i>a</b>b</i>c unclosed <b>bold",
            "<script>alert(1)</script> <img src=x onerror=alert(1)>",
            "<img\nsrc=x onerror=alert(1)>after",
            '<v "><svg onload=alert(1)>x</v>',
            "<c.a\"b.c'd>quotes in classes</c>",
            "< x>y <>z </>w <.x>dot</.x> </i>stray",
            "<v\nBob>lf in tag</v>",
        ]
    )
)

REGIONS = (
    "WEBVTT\n\n"
    "REGION\nid:fred width:40% lines:4 regionanchor:10%,90% viewportanchor:20%,80% scroll:up\n\n"
    "REGION\nid:bill width:50.5%\nlines:2\n\n"
    "REGION\nid:bad width:bogus lines:x regionanchor:10% viewportanchor:101%,5% scroll:down\n\n"
    "REGION\nid:dup width:10%\n\nREGION\nid:dup width:20%\n\n"
    "00:01.000 --> 00:02.000 region:fred\nin fred\n\n"
    "00:03.000 --> 00:04.000 region:bill align:start position:10%\nin bill\n\n"
    "00:05.000 --> 00:06.000 region:bad\nin bad\n\n"
    "00:07.000 --> 00:08.000 region:dup\nlast dup wins\n\n"
    "00:09.000 --> 00:10.000 region:nope\nunknown region\n\n"
    "00:11.000 --> 00:12.000 region:fred\n\nREGION\nid:late\n\n"
    "00:13.000 --> 00:14.000 region:late\nregion after a cue is not a region\n"
)

SRT = (
    "\ufeff1\r\n00:00:01,000 --> 00:00:03,500\r\n<i>Fish & chips</i> <font color=red>\u00a35</font>\r\n\r\n"
    "7\r\n00:00:04,000 --> 00:00:05,25\r\n{\\an8}a < b > c\r\n<b>bold\r\n\r\n"
    "00:00:06.000 --> 00:00:07.000 X1:10 X2:20\r\n- No number, dot milliseconds\r\n- Second speaker\r\n"
    "8\r\n00:00:08,000 --> 00:00:09,000\r\nno blank line before this one"
)

FILES = {
    "structure.vtt": STRUCTURE,
    "settings.vtt": SETTINGS,
    "markup.vtt": MARKUP,
    "regions.vtt": REGIONS,
    # What the pipeline stores: SRT converted to WebVTT, and WebVTT re-serialised, must read the same.
    "from-srt.vtt": parse_caption_text(SRT, filename="from.srt").webvtt,
    "normalised-settings.vtt": parse_caption_text(SETTINGS, filename="s.vtt").webvtt,
    "normalised-structure.vtt": parse_caption_text(STRUCTURE, filename="s.vtt").webvtt,
}
ATTRIBUTES = [
    "id",
    "startTime",
    "endTime",
    "text",
    "align",
    "line",
    "position",
    "size",
    "vertical",
    "snapToLines",
]

READ_TRACKS = """(names) => new Promise((resolve, reject) => {
  const results = {};
  let pending = names.length;
  const timer = setTimeout(() => reject(new Error('tracks did not load: ' + JSON.stringify(results))), 8000);
  const dump = (fragment) => Array.from(fragment.childNodes).map(function walk(node) {
    if (node.nodeType === Node.TEXT_NODE) return node.data;
    if (node.nodeType === Node.PROCESSING_INSTRUCTION_NODE) return ['?' + node.target, node.data];
    const attributes = {};
    for (const attribute of node.attributes) attributes[attribute.name] = attribute.value;
    return [node.localName, attributes, Array.from(node.childNodes).map(walk)];
  });
  const region = (r) => r && {id: r.id, width: r.width, lines: r.lines, regionAnchorX: r.regionAnchorX,
    regionAnchorY: r.regionAnchorY, viewportAnchorX: r.viewportAnchorX, viewportAnchorY: r.viewportAnchorY,
    scroll: r.scroll};
  const video = document.createElement('video');
  document.body.appendChild(video);
  for (const name of names) {
    const element = document.createElement('track');
    element.kind = 'captions';
    element.src = name;
    video.appendChild(element);
    const finish = (loaded) => {
      results[name] = !loaded ? null : {
        readyState: element.readyState,
        cues: Array.from(element.track.cues).map((c) => ({
          id: c.id, startTime: c.startTime, endTime: c.endTime, text: c.text, align: c.align, line: c.line,
          position: c.position, size: c.size, vertical: c.vertical, snapToLines: c.snapToLines,
          lineAlign: c.lineAlign === undefined ? null : c.lineAlign,
          positionAlign: c.positionAlign === undefined ? null : c.positionAlign,
          region: region(c.region), html: dump(c.getCueAsHTML()),
        })),
      };
      if (--pending === 0) { clearTimeout(timer); resolve(results); }
    };
    element.addEventListener('load', () => finish(true));
    element.addEventListener('error', () => finish(false));
    element.track.mode = 'hidden';
  }
})"""


@pytest.fixture(scope="module")
def caption_site(tmp_path_factory) -> Iterator[str]:
    """The caption files and an empty page, served from 127.0.0.1 on a free port."""
    root: Path = tmp_path_factory.mktemp("captions-site")
    for name, text in FILES.items():
        (root / name).write_text(text, encoding="utf-8", newline="")
    (root / "index.html").write_text("<!doctype html><title>captions</title>", encoding="utf-8")

    class Handler(http.server.SimpleHTTPRequestHandler):
        extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".vtt": "text/vtt"}

        def log_message(self, format, *args):  # keep test output clean
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def read_tracks(page, site: str) -> dict:
    page.goto(f"{site}/index.html")
    results = page.evaluate(READ_TRACKS, list(FILES))
    assert all(result is not None for result in results.values()), results
    return results


def expected_dom(node: CueNode) -> list:
    """Our cue tree as the spec's DOM construction rules map it (c/v/lang -> span, v title, lang lang)."""
    out: list = []
    for child in node.children:
        if isinstance(child, TextNode):
            out.append(child.value)
        elif isinstance(child, TimestampNode):
            out.append(("?timestamp", child.seconds))
        else:
            attributes = {}
            if child.classes:
                attributes["class"] = tuple(child.classes)
            if child.kind == "v":
                attributes["title"] = child.annotation
            if child.kind == "lang":
                attributes["lang"] = child.annotation
            tag = "span" if child.kind in ("c", "v", "lang") else child.kind
            out.append((tag, attributes, expected_dom(child)))
    return merge_text(out)


def browser_dom(nodes: list) -> list:
    """Chromium's fragment in the same shape: adjacent text merged, classes as a tuple, times as seconds."""
    out: list = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif node[0] == "?timestamp":
            out.append(("?timestamp", collect_timestamp(node[1], 0)[0]))
        else:
            tag, attributes, children = node
            attributes = dict(attributes)
            if "class" in attributes:
                attributes["class"] = tuple(attributes["class"].split())
                if not attributes["class"]:
                    del attributes["class"]
            out.append((tag, attributes, browser_dom(children)))
    return merge_text(out)


def merge_text(nodes: list) -> list:
    merged: list = []
    for node in nodes:
        if isinstance(node, str) and merged and isinstance(merged[-1], str):
            merged[-1] += node
        elif node != "":
            merged.append(node)
    return merged


def test_video_without_source_loads_tracks(page, caption_site):
    results = read_tracks(page, caption_site)
    assert {name: result["readyState"] for name, result in results.items()} == dict.fromkeys(FILES, 2)


@pytest.mark.parametrize("name", list(FILES))
def test_track_cues_match_chromium(page, caption_site, name):
    browser_cues = read_tracks(page, caption_site)[name]["cues"]
    our_cues = parse_webvtt(FILES[name]).cues
    assert len(our_cues) > 3
    assert [c.to_dict()["startTime"] for c in our_cues] == sorted(c.start_time for c in our_cues)
    assert [{key: cue.to_dict()[key] for key in ATTRIBUTES} for cue in our_cues] == [
        {key: cue[key] for key in ATTRIBUTES} for cue in browser_cues
    ]
    for ours, theirs in zip(our_cues, browser_cues, strict=True):
        for key in ("lineAlign", "positionAlign"):
            if theirs[key] is not None:  # not exposed by Chromium today
                assert ours.to_dict()[key] == theirs[key]
        assert expected_dom(parse_cue_text(ours.text)) == browser_dom(theirs["html"]), ours.text


def test_regions_match_chromium_with_regions_enabled(browser, caption_site):
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    regional = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[*CHROMIUM_ARGS, "--enable-blink-features=WebVTTRegions"],
    )
    try:
        page = regional.new_page()
        browser_cues = read_tracks(page, caption_site)["regions.vtt"]["cues"]
    finally:
        regional.close()
    document = parse_webvtt(REGIONS)
    regions = {region.id: region.to_dict() for region in document.regions}  # later duplicates win, as in cues
    expected = [regions[cue.region] if cue.region else None for cue in document.cues]
    assert [cue["region"] for cue in browser_cues] == expected
    assert sum(region is not None for region in expected) == 5
