"""Learning content for the learner's browser tests, with a REAL video: a synthetic clip made with PyAV and put
through the media pipeline (probe, 720p/360p transcode, poster, caption normalisation) into local storage.
"""

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.cache import cache

from lms.models import ContentNote, Topic
from media_pipeline.models import Video
from media_pipeline.services.ingest import CaptionUpload, video_create, video_process
from media_pipeline.synthetic import make_clip
from tests.lms import factories

CLIP_SECONDS = 10
CAPTIONS = """WEBVTT

00:00.000 --> 00:03.000
<v Sam>Hello, I'm Sam. I'm going to tell you about the year I lost my flat.

00:03.000 --> 00:06.000
The jobcentre was the first place anyone asked how I was.

00:06.000 --> 00:10.000
Small things, like being called by my name, made a difference.
"""
#: The heartbeat interval in the browser tests (the production default is 10 s). At 2× a 10 s clip plays in 5 s:
#: heartbeats at play, after 3 s and at the end stay within the API's rate limit of 3 in 15 s.
TEST_HEARTBEAT_SECONDS = 3


@pytest.fixture(scope="session")
def clip_file(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("learner-clip")
    clip = make_clip(directory / "story.mp4", seconds=CLIP_SECONDS, width=320, height=180, title="Sam's story")
    captions = directory / "story.vtt"
    captions.write_text(CAPTIONS)
    return clip


def ingested_video(clip_file: Path) -> Video:
    captions = clip_file.with_suffix(".vtt")
    video = video_create(
        title="Sam's story",
        video_path=clip_file,
        original_filename="story.mp4",
        captions=[CaptionUpload(captions, "story.vtt")],
    )
    video = video_process(video_id=video.pk)
    assert video.is_ready, video.failure_reason
    return video


@dataclass
class Learning:
    index: object
    series: object
    module: object
    second_module: object
    film: object
    webinar: object
    video: Video


@pytest.fixture
def learning(home_page, clip_file, settings) -> Learning:
    """A browse page with a two-module series (module 1 plays the real clip), a film with content notes and a
    webinar recording, both playing the same clip."""
    settings.LMS_PLAYER_HEARTBEAT_SECONDS = TEST_HEARTBEAT_SECONDS
    cache.clear()  # the transcripts live in the cache, shared with the live server
    video = ingested_video(clip_file)
    topic = Topic.objects.create(name="Homelessness", slug="homelessness")
    index = factories.learning_index(home_page)
    series = factories.series(index, title="Working with people facing homelessness")
    module = factories.module(series, title="First contact", video=video)
    module.learning_outcomes = [("outcome", "explain why a first conversation matters")]
    module.reflective_questions = [("question", "What would you do differently?")]
    module.save()
    second = factories.module(series, title="Keeping in touch")
    storyteller = factories.contributor(name="Sam Jones", credit_preference="first_name")
    film = factories.film(index, title="Sam's story", storyteller=storyteller, video=video, is_demo=True)
    film.content_notes.add(ContentNote.objects.create(name="Homelessness", description="Sleeping rough is described."))
    film.topics.add(topic)
    film.save()
    webinar = factories.webinar(index, title="Housing first: a webinar", video=video)
    return Learning(
        index=index, series=series, module=module, second_module=second, film=film, webinar=webinar, video=video
    )
