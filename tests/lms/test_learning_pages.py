"""Learning pages as a learner gets them without JavaScript: sign-in, the player, transcript, notes, series."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from lms.models import Completion, CompletionMethod, ContentNote, Progress, Topic
from lms.pages import FILM_NOTES_SEEN_SESSION_KEY
from lms.services.completions import completion_record
from media_pipeline.models import CaptionTrack, Rendition
from media_pipeline.storage import object_put
from tests.lms import factories

pytestmark = pytest.mark.django_db

VTT = """WEBVTT

00:00.000 --> 00:02.000
<v Sam>Hello, I'm Sam.

00:02.000 --> 00:04.500
I was homeless for <i>two</i> years.

00:08.000 --> 00:10.000
<script>alert(1)</script>Thank you.
"""


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def index(home_page):
    return factories.learning_index(home_page)


def playable_video(tmp_path, *, duration=10.0, vtt=VTT):
    """A ready video with both renditions and an English track whose WebVTT is really in storage."""
    video = factories.ready_video(duration=duration, captions=False, poster_key="posters/x/poster.jpg")
    for profile, height in (("720p", 720), ("360p", 360)):
        Rendition.objects.create(
            video=video,
            profile=profile,
            key=f"renditions/{video.pk}/{profile}.mp4",
            width=height * 16 // 9,
            height=height,
            bitrate=1,
            bytes=1,
            sha256="0" * 64,
        )
    track = CaptionTrack.objects.create(video=video, language="en-GB", label="English", source_key="x", cue_count=3)
    source = tmp_path / f"{track.pk}.vtt"
    source.write_text(vtt)
    track.vtt_key = object_put(key=f"captions/{video.pk}/{track.pk}.vtt", path=source, content_type="text/vtt").key
    track.save()
    return video


@pytest.fixture
def client(learner):
    client = Client()
    client.force_login(learner)
    return client


def test_learning_pages_send_visitors_to_sign_in(index):
    series = factories.series(index)
    module = factories.module(series)
    for page in (index, series, module):
        response = Client().get(page.url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_module_page_has_the_player_with_captions_and_transcript(client, index, tmp_path):
    series = factories.series(index, title="Working with trauma")
    first = factories.module(series, title="What trauma is")
    video = playable_video(tmp_path)
    module = factories.module(series, title="Safety first", video=video, is_demo=True)
    factories.module(series, title="Next steps")

    html = client.get(module.url).content.decode()

    assert "Demonstration content" in html
    assert "Working with trauma: module 2 of 3" in html
    assert f'<source src="/media/play/{video.pk}/720p/" type="video/mp4" data-profile="720p">' in html
    assert f'src="/media/play/{video.pk}/360p/"' in html
    assert f'poster="/media/poster/{video.pk}/"' in html
    track = video.caption_tracks.get()
    assert (
        f'<track kind="captions" srclang="en-GB" label="English" src="/media/captions/{track.pk}.vtt" default>' in html
    )
    # The transcript: sanitised cue HTML, each line a link that starts the video there, the speaker named.
    assert "Sam:" in html
    assert 'href="?t=2.000#player"' in html
    assert "I was homeless for <i>two</i> years." in html
    assert "<script>alert(1)</script>" not in html and "Thank you." in html
    assert f'href="{first.url}"' in html and "Previous" in html and "Next steps" in html
    assert 'data-heartbeat-seconds="10"' in html


def test_transcript_is_cached_and_survives_a_storage_outage(client, index, tmp_path, settings):
    video = playable_video(tmp_path)
    module = factories.module(factories.series(index), video=video)
    assert "homeless" in client.get(module.url).content.decode()

    object_path = settings.MEDIA_ROOT / video.caption_tracks.get().vtt_key
    object_path.unlink()
    assert "homeless" in client.get(module.url).content.decode()  # cached

    cache.clear()
    html = client.get(module.url).content.decode()
    assert "The transcript cannot be shown at the moment" in html
    assert "<video" in html


def test_the_video_resumes_where_the_learner_left_off(client, index, learner, tmp_path):
    video = playable_video(tmp_path, duration=100)
    module = factories.module(factories.series(index), video=video)
    now = timezone.now()
    Progress.objects.create(
        user=learner,
        item_id=module.pk,
        ranges=[[0, 42]],
        watched_seconds=42,
        duration=100,
        position=42,
        started_at=now,
        updated_at=now,
    )

    html = client.get(module.url).content.decode()
    assert f'src="/media/play/{video.pk}/720p/#t=42.00"' in html
    assert "The video will start at 0:42, where you stopped last time." in html
    assert 'href="?restart=1#player"' in html
    assert "In progress" in html

    restarted = client.get(module.url + "?restart=1").content.decode()
    assert f'src="/media/play/{video.pk}/720p/"' in restarted
    from_transcript = client.get(module.url + "?t=8").content.decode()
    assert f'src="/media/play/{video.pk}/720p/#t=8.00"' in from_transcript


def test_a_completed_item_starts_from_the_beginning(client, index, learner, tmp_path):
    video = playable_video(tmp_path, duration=100)
    module = factories.module(factories.series(index), video=video)
    now = timezone.now()
    Progress.objects.create(
        user=learner,
        item_id=module.pk,
        ranges=[[0, 95]],
        watched_seconds=95,
        duration=100,
        position=50,
        started_at=now,
        updated_at=now,
    )
    completion_record(user=learner, item=module, method=CompletionMethod.WATCHED)

    html = client.get(module.url).content.decode()
    assert f'src="/media/play/{video.pk}/720p/"' in html
    assert 'data-completed="true"' in html
    assert "govuk-tag--green" in html


def test_film_shows_content_notes_before_the_player(client, index, tmp_path):
    storyteller = factories.contributor(name="Alex Smith", credit_preference="first_name")
    film = factories.film(index, title="Alex's story", storyteller=storyteller, video=playable_video(tmp_path))
    film.content_notes.add(ContentNote.objects.create(name="Self-harm", description="Talked about, not shown."))
    film.content_note_detail = "Alex describes sleeping rough in winter."
    film.save()

    notes = client.get(film.url).content.decode()
    assert "This film talks about:" in notes
    assert "Self-harm" in notes and "Talked about, not shown." in notes
    assert "Alex describes sleeping rough in winter." in notes
    assert "Samaritans" in notes  # the standard support signposting
    assert "Told by Alex." in notes or "Told by Alex" in notes
    assert "Alex Smith" not in notes  # credited by first name only, as chosen
    assert "<video" not in notes and "Transcript" not in notes
    assert 'href="?continue=1"' in notes

    response = client.get(film.url + "?continue=1")
    assert response.status_code == 302
    assert response["Location"] == film.url + "#player"
    assert film.pk in client.session[FILM_NOTES_SEEN_SESSION_KEY]
    player = client.get(film.url).content.decode()
    assert "<video" in player and "Transcript" in player
    assert "Content notes and support" in player  # still there, folded away


def test_webinar_page(client, index, tmp_path):
    presenter = factories.contributor(name="Dr Jo Bloggs", credit_preference="full_name", organisation="Shelter")
    upcoming = factories.webinar(
        index,
        title="Upcoming webinar",
        starts_at=timezone.make_aware(datetime.datetime(2099, 3, 3, 10, 0)),
        duration_minutes=60,
        joining_instructions="<p>Join on Teams.</p>",
    )
    upcoming.presenters.add(presenter)
    upcoming.save()
    html = client.get(upcoming.url).content.decode()
    assert "Tuesday 3 March 2099, 10:00am to 11:00am" in html
    assert "Dr Jo Bloggs (Shelter)" in html
    assert "Join on Teams." in html
    assert "The recording will be here after the webinar." in html

    past = factories.webinar(index, title="Past webinar", video=playable_video(tmp_path))
    html = client.get(past.url).content.decode()
    assert "<video" in html
    assert "Join on Teams" not in html


def test_series_page_shows_progress_through_its_modules(client, index, learner):
    series = factories.series(index)
    modules = [factories.module(series, title=f"Part {n}") for n in range(1, 5)]
    completion_record(user=learner, item=modules[0], method=CompletionMethod.WATCHED)
    now = timezone.now()
    Progress.objects.create(
        user=learner,
        item_id=modules[2].pk,
        ranges=[[0, 10]],
        watched_seconds=10,
        duration=120,
        position=10,
        started_at=now,
        updated_at=now,
    )

    html = client.get(series.url).content.decode()
    assert "1 of 4 modules complete" in html
    assert re.search(r"Continue with module 3", html)
    statuses = re.findall(r'class="govuk-tag (govuk-tag--[a-z-]+)"[^>]*>([^<]+)<', html)
    assert [label for _, label in statuses] == ["In progress", "Completed", "Not started", "In progress", "Not started"]


def test_series_page_starts_at_module_one_and_counts_required_modules(client, index):
    series = factories.series(index)
    first = factories.module(series, title="Part 1")
    factories.module(series, title="Part 2")
    factories.module(series, title="Extra", is_required=False)
    html = client.get(series.url).content.decode()
    assert "0 of 2 required modules complete" in html
    assert "Start the series" in html
    assert f'href="{first.url}" role="button"' in html


def test_series_page_queries_do_not_grow_with_modules(client, index, learner, django_assert_max_num_queries):
    series = factories.series(index)

    def add_modules(count):
        for _ in range(count):
            module = factories.module(series)
            completion_record(user=learner, item=module, method=CompletionMethod.WATCHED)

    add_modules(2)
    client.get(series.url)  # warm caches (content types, site root paths)
    with django_assert_max_num_queries(20) as few:
        client.get(series.url)
    add_modules(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(series.url)
    assert "12 of 12 modules complete" in response.content.decode()
    assert Completion.objects.filter(user=learner, item_id=series.pk).exists()


def test_topics_are_listed_for_filtering(client, index):
    Topic.objects.create(name="Homelessness", slug="homelessness")
    html = client.get(index.url).content.decode()
    assert 'name="topic" type="checkbox" value="homelessness"' in html


def test_playback_is_allowed_where_the_page_is(client, index, tmp_path):
    from django.contrib.auth.models import Group
    from wagtail.models import PageViewRestriction

    video = playable_video(tmp_path)
    module = factories.module(factories.series(index), video=video)
    captions = f"/media/captions/{video.caption_tracks.get().pk}.vtt"
    assert client.get(module.url).status_code == 200
    assert client.get(captions).status_code == 200
    assert Client().get(captions).status_code == 302  # signed out: sign in first, like the page

    editors_only = PageViewRestriction.objects.create(page=module, restriction_type=PageViewRestriction.GROUPS)
    editors_only.groups.add(Group.objects.get(name="Content editor"))
    assert client.get(module.url).status_code != 200
    assert client.get(captions).status_code == 403


@pytest.mark.slow
def test_every_demo_page_renders_for_a_learner(client, home_page):
    from lms.services.demo_content import DemoVideoFormat, demo_content_ensure

    content, _ = demo_content_ensure(home=home_page, video_format=DemoVideoFormat(96, 54, 5, audio=False))
    for page in [content.index, content.series, *content.modules, content.webinar]:
        response = client.get(page.url)
        assert response.status_code == 200, page.title
        assert "Demonstration content" in response.content.decode(), page.title
    for page in content.items():
        client.get(page.url + "?continue=1")  # past a film's content notes
        html = client.get(page.url).content.decode()
        assert "<video" in html and 'class="govuk-link app-transcript__cue"' in html, page.title
        assert "Transcript" in html, page.title
