"""The demo content: its hand-written captions and documents, and the service that puts it on the site.

The whole set goes through the real media pipeline once here, with tiny silent clips (the captions fix each
video's length; the picture size and the tone only change how long processing takes).
"""

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Page

from home.demo_content import CAPTIONS_DIR, DOCUMENTS_DIR, catalogue
from home.demo_content.pdf import A4, SLIDE, Block, blocks_parse, pdf_document
from lms.models import (
    ContentNote,
    Contributor,
    CreditPreference,
    HumanLibraryFilmPage,
    LearningIndexPage,
    ModulePage,
    SeriesPage,
    Topic,
    WebinarPage,
)
from lms.services.demo_activity import demo_activity_plan
from lms.services.demo_content import (
    DemoContentError,
    DemoVideoFormat,
    _videos_wait_ready,
    demo_content_ensure,
    document_pdf,
)
from media_pipeline.captions import lint_captions, parse_caption_file
from media_pipeline.models import CaptionTrack, Video, VideoStatus
from tests.lms.factories import ready_video

TINY = DemoVideoFormat(96, 54, 5, audio=False)
SERIES_TITLES = [
    "Multiple complex needs explained",
    "Trauma-informed conversations",
    "Psychologically informed environments",
    "Universal Credit and complex lives",
    "Co-production with lived experience",
    "Community Partners and referral pathways",
    "What mystery shopping taught us",
    "Building trust",
]
TOPICS = {
    "Homelessness",
    "Substance use",
    "Mental health",
    "Offending and prison",
    "Trauma-informed practice",
    "Co-production",
    "Universal Credit",
    "Partnership working",
}
CONTENT_NOTES = {
    "Self-harm",
    "Suicide",
    "Substance use",
    "Homelessness",
    "Abuse",
    "Prison",
    "Domestic abuse",
    "Mental ill-health",
}

# --- the hand-written material (no database) ------------------------------------------------------------------


@pytest.mark.parametrize("video", catalogue.demo_videos(), ids=lambda video: video.key)
def test_caption_file_is_clean_and_fits_its_video(video):
    parsed = parse_caption_file(video.captions_path.read_bytes(), filename=video.captions_path.name)

    assert parsed.format == "vtt"
    assert lint_captions(parsed, media_duration=video.seconds) == []  # no errors and no warnings
    assert len(parsed.cues) >= 8
    assert parsed.cues[0].start_time == 0
    # The last words leave the screen before the picture does, as they would in a real recording.
    assert max(cue.end_time for cue in parsed.cues) <= video.seconds - 0.5
    assert 20 <= video.seconds <= 45


@pytest.mark.parametrize("video", catalogue.demo_videos(), ids=lambda video: video.key)
def test_captions_parse_command_lints_each_file_clean(video):
    out = StringIO()
    call_command("captions_parse", str(video.captions_path), "--lint", stdout=out)

    result = json.loads(out.getvalue())
    assert result["format"] == "vtt"
    assert result["lint"] == []


def test_every_caption_file_belongs_to_a_video_and_names_its_speakers():
    keys = {video.key for video in catalogue.demo_videos()}

    assert {path.stem for path in CAPTIONS_DIR.glob("*.vtt")} == keys
    for path in CAPTIONS_DIR.glob("*.vtt"):
        text = path.read_text(encoding="utf-8")
        assert re.search(r"<v [A-Z][a-z]+>", text), f"{path.name} identifies no speaker"
        assert re.search(r"^\[[a-z][^\]]*\]?$", text, re.MULTILINE), f"{path.name} describes no sound"


def test_catalogue_is_the_series_from_the_brief():
    assert [module.title for module in catalogue.SERIES.modules] == SERIES_TITLES
    assert catalogue.SERIES.title == "Working with people with multiple complex needs"
    assert {topic.name for topic in catalogue.TOPICS} == TOPICS
    assert {name for name, _ in catalogue.CONTENT_NOTES} == CONTENT_NOTES
    topic_slugs = {topic.slug for topic in catalogue.TOPICS}
    for module in catalogue.MODULES:
        assert 2 <= len(module.outcomes) <= 4, module.slug
        assert 2 <= len(module.questions) <= 3, module.slug
        assert module.before_you_watch.startswith("<p>")
        assert set(module.topics) <= topic_slugs
        assert len(module.summary) <= 300
    document_keys = {document.key for document in catalogue.DOCUMENTS}
    assert set(catalogue.WEBINAR.documents) <= document_keys
    assert {key for module in catalogue.MODULES for key in module.documents} <= document_keys
    for film in catalogue.FILMS:
        assert set(film.content_notes) <= CONTENT_NOTES
        assert "116 123" in film.support and "Employee Assistance Programme" in film.support


def test_demo_people_are_marked_fictional_with_varied_credits():
    credits = {person.credit for person in catalogue.CONTRIBUTORS}

    assert {CreditPreference.FULL_NAME, CreditPreference.FIRST_NAME, CreditPreference.ANONYMOUS} <= credits
    for person in catalogue.CONTRIBUTORS:
        assert catalogue.consent_scope(person).startswith(catalogue.FICTIONAL_PERSON)
        assert not person.organisation or "fictional" in person.organisation


def test_demo_text_states_no_statistics():
    text = json.dumps([catalogue.SERIES, catalogue.FILMS, catalogue.WEBINAR], default=lambda o: o.__dict__)
    text += "".join(path.read_text() for path in CAPTIONS_DIR.glob("*.vtt"))

    assert "%" not in text
    assert not re.search(r"\b\d+ (in|out of) \d+\b", text)


def test_video_format_parses_size_and_frame_rate():
    assert DemoVideoFormat.parse("640x360") == DemoVideoFormat(640, 360, 15)
    assert DemoVideoFormat.parse("1280x720@25", audio=False) == DemoVideoFormat(1280, 720, 25, False)
    for bad in ("640", "641x360", "axb", "640x360@0", "-2x4"):
        with pytest.raises(ValueError):
            DemoVideoFormat.parse(bad)


# --- documents ------------------------------------------------------------------------------------------------


def pdf_objects(data: bytes) -> dict[int, bytes]:
    """Check the file's cross-reference table against the bytes, and return its objects by number."""
    assert data.startswith(b"%PDF-1.7\n") and data.endswith(b"%%EOF\n")
    startxref = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", data).group(1))
    assert data[startxref:].startswith(b"xref\n0 ")
    count = int(re.match(rb"xref\n0 (\d+)\n", data[startxref:]).group(1))
    table = data[startxref:].split(b"\n")[2 : 2 + count]
    assert table[0] == b"0000000000 65535 f "
    objects = {}
    for number, entry in enumerate(table[1:], start=1):
        offset = int(entry[:10])
        assert entry.endswith(b" 00000 n ")
        assert data[offset:].startswith(f"{number} 0 obj\n".encode())
        header = f"{number} 0 obj\n".encode()
        objects[number] = data[offset + len(header) : data.index(b"\nendobj\n", offset)]
    assert re.search(rf"trailer\n<</Size {count} /Root 1 0 R".encode(), data)
    return objects


def shown_text(objects: dict[int, bytes]) -> str:
    """The text drawn by every content stream (string literals in WinAnsi), with Length checked."""
    text = []
    for body in objects.values():
        match = re.search(rb"<</Length (\d+)>>\nstream\n", body)
        if not match:
            continue
        stream = body[match.end() :]
        assert stream.endswith(b"\nendstream")
        assert len(stream) - len(b"\nendstream") == int(match.group(1))
        for literal in re.findall(rb"\(((?:[^()\\]|\\.)*)\) (?:Tj|')", stream):
            text.append(re.sub(rb"\\(.)", rb"\1", literal).decode("cp1252"))
    return " ".join(text)


@pytest.mark.parametrize("demo", catalogue.DOCUMENTS, ids=lambda demo: demo.key)
def test_demo_documents_are_valid_tagged_pdfs_with_all_their_text(demo):
    data = document_pdf(demo)
    objects = pdf_objects(data)

    catalog = objects[1]
    assert b"/MarkInfo <</Marked true>>" in catalog and b"/Lang (en-GB)" in catalog
    assert b"/DisplayDocTitle true" in catalog
    assert demo.title.encode("utf-16-be").hex().upper().encode() in objects[4]  # the title in /Info
    pages = [body for body in objects.values() if body.startswith(b"<</Type /Page ")]
    assert len(pages) == len(blocks_parse((DOCUMENTS_DIR / f"{demo.key}.txt").read_text()))
    assert all(b"/StructParents" in page for page in pages)
    box = SLIDE if demo.layout == "slides" else A4
    assert all(f"/MediaBox [0 0 {box[0]:g} {box[1]:g}]".encode() in page for page in pages)
    drawn = " ".join(shown_text(objects).split())
    for page in blocks_parse((DOCUMENTS_DIR / f"{demo.key}.txt").read_text()):
        for block in page:
            assert " ".join(block.text.split()) in drawn, block.text
    assert document_pdf(demo) == data  # deterministic


def test_pdf_flows_on_to_a_new_page_and_tags_every_block():
    blocks = [Block("H1", "A long document")] + [Block("P", "Words " * 60) for _ in range(30)]
    objects = pdf_objects(pdf_document(pages=[blocks], title="Long", author="Tests"))

    pages = [body for body in objects.values() if body.startswith(b"<</Type /Page ")]
    elements = [body for body in objects.values() if b"/Type /StructElem" in body and b"/K " in body]
    assert len(pages) > 1
    assert sum(1 for body in elements if b"/S /P " in body) == 30
    with pytest.raises(UnicodeEncodeError):
        pdf_document(pages=[[Block("P", "Not in Windows-1252: \u2603")]], title="x", author="y")


# --- activity plan (no database) ------------------------------------------------------------------------------


def test_activity_plan_is_deterministic_and_per_person():
    staff = [(f"staff{n:03d}", f"JC{n % 7}") for n in range(1, 61)]
    plan = demo_activity_plan(staff=staff)

    assert demo_activity_plan(staff=list(reversed(staff))) == plan
    with_one_more = demo_activity_plan(staff=[*staff, ("staff999", "JC1")])
    assert [p for p in with_one_more if p.username != "staff999"] == plan
    by_person: dict[str, list] = {}
    for planned in plan:
        by_person.setdefault(planned.username, []).append(planned)
    module_slugs = [module.slug for module in catalogue.MODULES]
    for activities in by_person.values():
        taken = [a for a in activities if a.item in module_slugs]
        completed = [a.item for a in taken if a.method]
        assert completed == module_slugs[: len(completed)]  # modules are taken in order
        assert all(a.watched < 1 for a in taken if not a.method)
    live = [p for p in plan if p.method == "attended_live"]
    assert live and all(p.days_ago == catalogue.WEBINAR.held_days_ago for p in live)
    assert any(p.method is None for p in plan) and any(p.method == "watched" for p in plan)


# --- the service, with the real pipeline ----------------------------------------------------------------------


def media_files(settings) -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()}


@pytest.mark.django_db
def test_demo_content_goes_live_through_the_pipeline_and_a_second_run_changes_nothing(
    home_page, settings, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        content, tally = demo_content_ensure(home=home_page, video_format=TINY)

    # The tree: Browse learning → the series → its eight modules in order; the films and the webinar.
    index = LearningIndexPage.objects.child_of(home_page).get()
    assert (index.title, index.slug) == ("Browse learning", "learning")
    series = SeriesPage.objects.child_of(index).get()
    assert series.title == "Working with people with multiple complex needs"
    modules = ModulePage.objects.child_of(series).order_by("path")
    assert [module.title for module in modules] == SERIES_TITLES
    assert HumanLibraryFilmPage.objects.child_of(index).count() == 3
    webinar = WebinarPage.objects.child_of(index).get()
    items = [*modules, *HumanLibraryFilmPage.objects.child_of(index), webinar]
    assert [page.pk for page in content.items()] == [page.pk for page in items]

    # Every page is live, marked as demonstration content, and was published (through the gate).
    for page in [series, *items]:
        assert page.live and page.is_demo and page.first_published_at is not None, page.title
        assert page.live_revision_id is not None
    assert Page.objects.live().descendant_of(home_page).count() == 14

    # Every video went through the pipeline and has its hand-written captions, clean against its real length.
    lengths = {video.title: video.seconds for video in catalogue.demo_videos()}
    for page in items:
        video = page.video
        assert video.status == VideoStatus.READY and video.renditions.count() == 2 and video.poster_key
        assert video.duration == pytest.approx(lengths[video.title], abs=0.1)
        track = video.caption_tracks.get()
        assert track.is_english_captions and track.vtt_key
        assert (track.error_count, track.lint) == (0, [])

    # Snippets, people and documents.
    assert set(Topic.objects.values_list("name", flat=True)) >= TOPICS
    assert set(ContentNote.objects.values_list("name", flat=True)) >= CONTENT_NOTES
    for film in HumanLibraryFilmPage.objects.child_of(index):
        assert film.storyteller.consent_scope.startswith(catalogue.FICTIONAL_PERSON)
        assert film.content_notes.exists() and "116 123" in film.support
    assert {film.storyteller.credit_preference for film in HumanLibraryFilmPage.objects.all()} == {
        "first_name",
        "anonymous",
        "full_name",
    }
    assert webinar.ends_at < timezone.now()
    assert set(webinar.presenters.values_list("name", flat=True)) == {"Ruth Okoro", "Tom Hughes"}
    documents = [block.value["document"] for block in webinar.resources]
    assert [block.value["kind"] for block in webinar.resources] == ["slides", "handout"]
    for document in documents:
        assert document.collection.name == "Demonstration content"
        with document.file.open("rb") as handle:
            assert handle.read(8) == b"%PDF-1.7"
        assert document.file_size and document.file_hash
    referrals = modules.get(slug="community-partners-and-referral-pathways")
    assert [block.value["document"] for block in referrals.resources] == documents[1:]  # the checklist handout

    created = tally.as_dict()
    assert {kind: counts["created"] for kind, counts in created.items()} == {
        "content_notes": 8,
        "contributors": 7,
        "documents": 2,
        "pages": 14,
        "topics": 8,
        "videos": 12,
    }

    # A second run creates nothing, uploads nothing and processes nothing, and leaves alone a page that an editor
    # has taken offline.
    content.films[0].unpublish()
    counts = [model.objects.count() for model in (Page, Video, CaptionTrack, Contributor, get_document_model())]
    files = media_files(settings)
    calls = []
    for name in ("make_clip", "video_create", "video_process", "caption_track_add"):
        monkeypatch.setattr(f"lms.services.demo_content.{name}", lambda *a, name=name, **k: calls.append(name))
    again, second = demo_content_ensure(home=home_page, video_format=TINY)

    assert [model.objects.count() for model in (Page, Video, CaptionTrack, Contributor, get_document_model())] == (
        counts
    )
    assert media_files(settings) == files
    assert calls == []
    assert {kind: c["created"] for kind, c in second.as_dict().items()} == dict.fromkeys(created, 0)
    assert {kind: c["kept"] for kind, c in second.as_dict().items()} == {k: c["created"] for k, c in created.items()}
    assert [page.pk for page in again.items()] == [page.pk for page in content.items()]
    assert not again.films[0].live

    # The jobs the uploads queued (run by the immediate task backend here) find their video ready: nothing to do.
    monkeypatch.undo()
    for callback in queued:
        callback()
    assert set(Video.objects.values_list("status", flat=True)) == {VideoStatus.READY}
    assert media_files(settings) == files

    # A demo video that has failed (say, a reprocess went wrong) is erased and made again, and its page gets it back.
    module = content.modules[2]
    Video.objects.filter(pk=module.video_id).update(status=VideoStatus.FAILED, failure_reason="Broken for a test.")

    _, tally = demo_content_ensure(home=home_page, video_format=TINY)

    assert (tally.created["videos"], tally.created["pages"]) == (1, 0)
    replaced = ModulePage.objects.get(pk=module.pk)
    assert replaced.live and replaced.video_id not in (None, module.video_id)
    assert replaced.video.status == VideoStatus.READY
    assert not Video.objects.filter(pk=module.video_id).exists()


@pytest.mark.django_db
def test_waiting_for_demo_videos_says_what_went_wrong():
    # A worker is processing this one (its lease is fresh), so the seed waits for it and then gives up.
    busy = ready_video(title="Busy")
    Video.objects.filter(pk=busy.pk).update(status=VideoStatus.PROCESSING)
    with pytest.raises(DemoContentError, match="1 demo videos were still processing after 0 seconds"):
        _videos_wait_ready([busy], wait_seconds=0, poll_seconds=0)

    broken = ready_video(title="Broken")
    Video.objects.filter(pk=broken.pk).update(status=VideoStatus.FAILED, failure_reason="The file is damaged.")
    expected = "The demo video 'Broken' could not be processed: The file is damaged. Run seed_demo again"
    with pytest.raises(DemoContentError, match=re.escape(expected)):
        _videos_wait_ready([broken], wait_seconds=60)
