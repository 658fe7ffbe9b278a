"""``manage.py captions_parse``: the contract's JSON on stdout; exit code 1 with a reason for bad files."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

VTT = (
    "WEBVTT\n\n"
    "REGION\nid:r1 width:40% lines:2\n\n"
    "intro\n00:00:01.000 --> 00:00:03.500 align:start region:r1\n<v Ann>Hello &amp; welcome</v>\n\n"
    "00:00:04.000 --> 00:00:04.200\nToo quick\n"
)


def run(path, *args) -> dict:
    out = StringIO()
    call_command("captions_parse", str(path), *args, stdout=out)
    return json.loads(out.getvalue())


def test_webvtt_output_follows_the_contract(tmp_path):
    path = tmp_path / "captions.vtt"
    path.write_text(VTT, encoding="utf-8")
    result = run(path)
    assert result == {
        "format": "vtt",
        "cues": [
            {
                "id": "intro",
                "startTime": 1.0,
                "endTime": 3.5,
                "text": "<v Ann>Hello &amp; welcome</v>",
                "align": "start",
                "line": "auto",
                "position": "auto",
                "size": 100,
                "vertical": "",
                "snapToLines": True,
                "lineAlign": "start",
                "positionAlign": "auto",
                "region": "r1",
            },
            {
                "id": "",
                "startTime": 4.0,
                "endTime": 4.2,
                "text": "Too quick",
                "align": "center",
                "line": "auto",
                "position": "auto",
                "size": 100,
                "vertical": "",
                "snapToLines": True,
                "lineAlign": "start",
                "positionAlign": "auto",
                "region": None,
            },
        ],
        "regions": [
            {
                "id": "r1",
                "width": 40,
                "lines": 2,
                "regionAnchorX": 0,
                "regionAnchorY": 100,
                "viewportAnchorX": 0,
                "viewportAnchorY": 100,
                "scroll": "",
            }
        ],
        "lint": [],
    }


def test_lint_flag_adds_lint_items(tmp_path):
    path = tmp_path / "captions.vtt"
    path.write_text(VTT, encoding="utf-8")
    lint = run(path, "--lint")["lint"]
    assert {"cue": 2, "level": "warning", "code": "too-short-on-screen"}.items() <= lint[-1].items()
    assert all(item.keys() == {"cue", "level", "code", "message"} for item in lint)


def test_srt_cues_are_those_of_the_normalised_webvtt(tmp_path):
    path = tmp_path / "captions.srt"
    path.write_bytes("1\r\n00:00:01,000 --> 00:00:02,500\r\n<i>Fish & chips</i> \u00a35\r\n".encode("cp1252"))
    result = run(path)
    assert result["format"] == "srt"
    assert [(c["startTime"], c["endTime"], c["text"]) for c in result["cues"]] == [
        (1.0, 2.5, "<i>Fish &amp; chips</i> \u00a35")
    ]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("bad.vtt", b"WEBVTTX\n\n00:00.000 --> 00:01.000\nx\n", "WEBVTT"),
        ("bad.srt", b"no timings here\n", "no caption timings"),
        ("bad.vtt", b"WEBVTT\n\n\x81\x90", "Windows-1252"),
    ],
)
def test_invalid_file_exits_1_with_a_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match=reason) as raised:
        run(path)
    assert raised.value.returncode == 1


def test_missing_file_exits_1(tmp_path):
    with pytest.raises(CommandError, match="Cannot read") as raised:
        run(tmp_path / "missing.vtt")
    assert raised.value.returncode == 1
