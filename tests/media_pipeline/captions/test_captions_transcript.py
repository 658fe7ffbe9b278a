"""Transcript paragraphs: grouped by speaker and pause, capped in length, each cue a seek target."""

from media_pipeline.captions import Cue, build_transcript


def outline(cues: list[Cue], **options) -> list[tuple[float, str | None, bool, list[str]]]:
    return [
        (paragraph.start_time, paragraph.speaker, paragraph.speaker_changed, [c.text for c in paragraph.cues])
        for paragraph in build_transcript(cues, **options)
    ]


def test_speaker_changes_start_paragraphs_and_untagged_cues_continue():
    cues = [
        Cue(0, 2, "<v Ann>Hello."),
        Cue(2, 4, "How are you?"),
        Cue(4, 6, "<v Bob>Fine, thanks."),
        Cue(6, 8, "<v Bob>And you?"),
        Cue(8, 10, "<v Ann>Well."),
    ]
    assert outline(cues) == [
        (0, "Ann", True, ["Hello.", "How are you?"]),
        (4, "Bob", True, ["Fine, thanks.", "And you?"]),
        (8, "Ann", True, ["Well."]),
    ]


def test_a_pause_longer_than_two_seconds_starts_a_paragraph():
    cues = [Cue(0, 2, "<v Ann>One."), Cue(4, 5, "Two (2 s gap)."), Cue(7.001, 8, "Three (over 2 s).")]
    assert outline(cues) == [
        (0, "Ann", True, ["One.", "Two (2 s gap)."]),
        (7.001, "Ann", False, ["Three (over 2 s)."]),
    ]


def test_no_voices_means_no_speaker_labels():
    assert outline([Cue(0, 1, "a"), Cue(1, 2, "b")]) == [(0, None, False, ["a", "b"])]


def test_long_paragraphs_break_at_a_sentence_end_then_anywhere():
    sentence = "word " * 19 + "end."  # 99 characters
    cues = [Cue(index, index + 1, sentence) for index in range(10)]
    sizes = [len(paragraph.cues) for paragraph in build_transcript(cues, soft_max_characters=250)]
    assert sizes == [3, 3, 3, 1]
    unpunctuated = [Cue(index, index + 1, "word " * 20) for index in range(10)]
    sizes = [len(p.cues) for p in build_transcript(unpunctuated, soft_max_characters=100, hard_max_characters=300)]
    assert sizes == [3, 3, 3, 1]


def test_cues_are_ordered_by_time_and_empty_cues_skipped():
    cues = [Cue(5, 6, "second"), Cue(0, 1, "first"), Cue(2, 3, "<i></i>")]
    assert outline(cues) == [(0, None, False, ["first"]), (5, None, False, ["second"])]


def test_each_cue_has_its_time_sanitised_html_and_text():
    (paragraph,) = build_transcript([Cue(63.2, 65, "<v Ann><i>Fish</i> &amp; <script>chips</script>\nplease")])
    (cue,) = paragraph.cues
    assert (cue.start_time, cue.end_time) == (63.2, 65)
    assert cue.html == '<span class="caption-voice" data-speaker="Ann"><i>Fish</i> &amp; chips please</span>'
    assert cue.text == "Fish & chips please"
    assert paragraph.start_label == "1:03"
    assert paragraph.to_dict()["cues"][0] == {
        "startTime": 63.2,
        "endTime": 65,
        "html": cue.html,
        "text": "Fish & chips please",
    }
