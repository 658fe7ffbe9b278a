"""The video admin: upload through the real form, processing, the video's page, permissions, reprocess, status.

Uploads go through the admin POST exactly as a browser sends them; the pipeline runs for real (test settings use
the immediate task backend, and `django_capture_on_commit_callbacks(execute=True)` runs the on-commit enqueue).
"""

import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import ModelLogEntry

from media_pipeline.models import CaptionTrack, Video, VideoStatus
from media_pipeline.services.ingest import CaptionUpload, VideoRejected, video_create
from media_pipeline.storage import object_exists
from media_pipeline.synthetic import make_clip

pytestmark = pytest.mark.django_db

# Two readable cues: the first breaks readability rules (warnings), the second starts after a 2 s video (an error).
CAPTIONS = (
    b"WEBVTT\n\n"
    b"00:00.000 --> 00:01.500\nWelcome to this short film about working together with people.\n\n"
    b"00:05.000 --> 00:06.000\nThis cue starts after the end.\n"
)
CLEAN_CAPTIONS = b"WEBVTT\n\n00:00.000 --> 00:01.800\nHello and welcome.\n"
SECONDS = 2


@pytest.fixture(scope="module")
def clip_bytes(tmp_path_factory) -> bytes:
    return make_clip(tmp_path_factory.mktemp("clips") / "clip.mp4", seconds=SECONDS, width=320, height=240).read_bytes()


def grant(user, *codenames: str):
    """Give `user` Video permissions directly (the roles get theirs from a migration the lead adds)."""
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="media_pipeline", codename__in=codenames)
    )
    return user


@pytest.fixture
def outsider(make_user):
    """Someone who may use the admin but holds no Video permission (no current role is like this)."""
    user = make_user("outsider")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


@pytest.fixture
def author(volunteer):
    """A co-production volunteer: the role grants upload and edit (lms/roles.py)."""
    return volunteer


@pytest.fixture
def video_editor(editor):
    return grant(editor, "add_video", "change_video", "delete_video")


def upload_data(clip_bytes, *, title="Working together", video_name="interview.mp4", captions=(), **extra):
    """The admin upload form's POST data; `captions` is a list of (filename, bytes, language, kind)."""
    data = {
        "title": title,
        "video_file": SimpleUploadedFile(video_name, clip_bytes, content_type="video/mp4"),
        "captions-TOTAL_FORMS": str(max(1, len(captions))),
        "captions-INITIAL_FORMS": "0",
        "captions-MIN_NUM_FORMS": "0",
        "captions-MAX_NUM_FORMS": "10",
        "captions-0-language": "en-GB",
        "captions-0-kind": "captions",
    }
    for index, (name, content, language, kind) in enumerate(captions):
        data[f"captions-{index}-file"] = SimpleUploadedFile(name, content, content_type="text/vtt")
        data[f"captions-{index}-language"] = language
        data[f"captions-{index}-kind"] = kind
    data.update(extra)
    return data


def make_ready_video(clip_bytes, tmp_path, django_capture_on_commit_callbacks, *, user=None, captions=CAPTIONS):
    video_path = tmp_path / "source.mp4"
    video_path.write_bytes(clip_bytes)
    caption_path = tmp_path / "source.vtt"
    caption_path.write_bytes(captions)
    with django_capture_on_commit_callbacks(execute=True):
        video = video_create(
            title="Lived experience",
            video_path=video_path,
            original_filename="lived-experience.mp4",
            captions=[CaptionUpload(path=caption_path, filename="lived-experience.vtt")],
            uploaded_by=user,
        )
    video.refresh_from_db()
    assert video.status == VideoStatus.READY, video.failure_reason
    return video


def edit_url(video):
    return reverse("videos:edit", args=[video.pk])


def text_of(response) -> str:
    """The response's visible text, tags removed and whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


# --- Upload ------------------------------------------------------------------------------------------------------


class TestUpload:
    def test_upload_form_speaks_to_volunteers_and_loads_its_script(self, client, author):
        client.force_login(author)
        response = client.get(reverse("videos:add"))

        assert response.status_code == 200
        page = response.content.decode()
        assert "Upload the video file (MP4, MOV, WebM or MKV, up to 4 GB)" in page
        assert "Add the captions file you were given (.vtt or .srt)" in page
        assert 'enctype="multipart/form-data"' in page
        assert "<progress" in page
        assert re.search(r'<script type="module" src="/static/js/admin/video-upload.js">', page)
        # The strict CSP holds: no inline script or style in what we render.
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", page)
        assert " style=" not in page

    def test_upload_with_captions_stores_processes_and_shows_the_lint(
        self, client, author, clip_bytes, s3_bucket, settings, django_capture_on_commit_callbacks
    ):
        settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # uploads arrive as temporary files, as large videos do
        client.force_login(author)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("videos:add"),
                upload_data(clip_bytes, captions=[("film.vtt", CAPTIONS, "en-GB", "captions")]),
            )

        video = Video.objects.get()
        assert response.status_code == 302
        assert response["Location"] == edit_url(video)
        assert video.title == "Working together"
        assert video.uploaded_by == author
        assert video.original_filename == "interview.mp4"
        assert video.status == VideoStatus.READY, video.failure_reason
        assert round(video.duration) == SECONDS
        assert sorted(video.renditions.values_list("profile", flat=True)) == ["360p", "720p"]
        track = video.caption_tracks.get()
        assert (track.language, track.kind, track.label) == ("en-GB", "captions", "English")
        assert track.error_count == 1 and track.warning_count == 5
        assert object_exists(video.original_key) and object_exists(track.vtt_key)
        assert ModelLogEntry.objects.filter(object_id=str(video.pk), action="wagtail.create").exists()

        page = client.get(response["Location"])
        assert page.status_code == 200
        html = page.content.decode()
        assert "Ready" in text_of(page)
        assert "English – 1 error, 5 warnings" in text_of(page) or "Checks: 1 error, 5 warnings" in text_of(page)
        # The lint report: one row per item, errors and warnings told apart.
        assert html.count('data-lint-level="error"') == 1
        assert html.count('data-lint-level="warning"') == 5
        assert "starts after the video ends" in html
        assert "must be fixed in the captions file before a page with this video can be published" in html
        # A preview with the poster and the English captions on by default.
        assert f'src="{reverse("media:play", args=[video.pk, "720p"])}"' in html
        assert f'poster="{reverse("media:poster", args=[video.pk])}"' in html
        assert re.search(
            rf'<track kind="captions" srclang="en-GB" label="English" src="{reverse("media:captions", args=[track.pk])}" default>',
            html,
        )
        assert "data-renditions-table" in html

    def test_two_caption_files_in_one_upload(self, client, author, clip_bytes, django_capture_on_commit_callbacks):
        client.force_login(author)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("videos:add"),
                upload_data(
                    clip_bytes,
                    captions=[
                        ("english.vtt", CLEAN_CAPTIONS, "en-GB", "captions"),
                        ("polish.srt", b"1\n00:00:00,000 --> 00:00:01,800\nDzien dobry.\n", "pl", "subtitles"),
                    ],
                ),
            )

        video = Video.objects.get()
        assert video.status == VideoStatus.READY
        labels = dict(video.caption_tracks.values_list("language", "label"))
        assert labels == {"en-GB": "English", "pl": "Polish (subtitles)"}
        assert all(track.vtt_key for track in video.caption_tracks.all())

    def test_a_text_file_named_mp4_fails_with_the_reason_on_the_videos_page(
        self, client, author, django_capture_on_commit_callbacks
    ):
        client.force_login(author)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("videos:add"),
                upload_data(b"These are my meeting notes, not a video.\n" * 20, video_name="notes.mp4"),
            )

        video = Video.objects.get()
        assert response.status_code == 302
        assert video.status == VideoStatus.FAILED
        assert video.failure_reason == "This file is not a video we can use. Upload an MP4, MOV, WebM or MKV video."

        page = client.get(edit_url(video))
        html = page.content.decode()
        assert "data-video-failure" in html
        assert "This video could not be processed." in html
        assert video.failure_reason in html
        # The file was not kept, so the way forward is a new upload, not 'Reprocess'.
        assert "upload the video again" in html
        assert "data-video-reprocess" not in html

    def test_an_empty_file_is_a_form_error_and_the_title_is_kept(self, client, author, clip_bytes):
        client.force_login(author)
        response = client.post(reverse("videos:add"), upload_data(b"", title="My first film", video_name="film.mp4"))

        assert response.status_code == 200
        assert not Video.objects.exists()
        assert response.context["form"].errors["video_file"] == [
            "The video file you chose is empty. Choose the video file again."
        ]
        assert 'value="My first film"' in response.content.decode()

    def test_a_file_that_is_not_a_video_type_is_a_form_error(self, client, author, clip_bytes):
        client.force_login(author)
        response = client.post(reverse("videos:add"), upload_data(clip_bytes, video_name="film.avi"))

        assert response.status_code == 200
        assert not Video.objects.exists()
        assert "Choose an MP4, MOV, WebM or MKV video file." in response.context["form"].errors["video_file"][0]

    def test_an_unreadable_captions_file_is_a_form_error(self, client, author, clip_bytes):
        client.force_login(author)
        response = client.post(
            reverse("videos:add"), upload_data(clip_bytes, captions=[("film.vtt", b"hello there", "en-GB", "captions")])
        )

        assert response.status_code == 200
        assert not Video.objects.exists()
        errors = response.context["form"].captions.forms[0].errors["file"]
        assert errors == [
            "This captions file cannot be used: This is not a WebVTT file: the first line must start with WEBVTT, "
            "not 'hello there'."
        ]

    def test_two_files_for_the_same_language_and_kind_is_a_form_error(self, client, author, clip_bytes):
        client.force_login(author)
        response = client.post(
            reverse("videos:add"),
            upload_data(
                clip_bytes,
                captions=[
                    ("a.vtt", CLEAN_CAPTIONS, "en-GB", "captions"),
                    ("b.vtt", CLEAN_CAPTIONS, "en-GB", "captions"),
                ],
            ),
        )

        assert response.status_code == 200
        assert not Video.objects.exists()
        assert "There are two English captions files. Remove one of them." in response.content.decode()

    def test_a_rejection_from_the_service_is_shown_as_a_form_error(self, client, author, clip_bytes, monkeypatch):
        def refuse(**kwargs):
            raise VideoRejected("The file is 5.0 GB; the largest video you can upload is 4.0 GB.")

        monkeypatch.setattr("media_pipeline.admin.views.video_create", refuse)
        client.force_login(author)
        response = client.post(reverse("videos:add"), upload_data(clip_bytes, title="Kept title"))

        assert response.status_code == 200
        assert response.context["form"].non_field_errors() == [
            "The file is 5.0 GB; the largest video you can upload is 4.0 GB."
        ]
        assert 'value="Kept title"' in response.content.decode()

    def test_when_the_store_is_down_nothing_is_saved_and_the_form_says_so(
        self, client, author, clip_bytes, s3_bucket, s3_server
    ):
        client.force_login(author)
        s3_server.stop()
        try:
            response = client.post(reverse("videos:add"), upload_data(clip_bytes, title="Outage film"))
        finally:
            s3_server.start()

        assert response.status_code == 200
        assert not Video.objects.exists()
        assert "The media store could not be reached, so the video was not saved." in response.content.decode()
        assert 'value="Outage film"' in response.content.decode()

    def test_the_upload_script_gets_json_with_where_to_go(
        self, client, author, clip_bytes, django_capture_on_commit_callbacks
    ):
        client.force_login(author)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("videos:add"), upload_data(clip_bytes), headers={"x-requested-with": "XMLHttpRequest"}
            )

        assert response.status_code == 200
        assert response.json() == {"location": edit_url(Video.objects.get())}
        # The success message waits for the page the script opens.
        page = client.get(response.json()["location"])
        assert "is uploaded and is being processed" in page.content.decode()

    def test_the_upload_script_gets_the_form_again_when_it_has_errors(self, client, author):
        client.force_login(author)
        response = client.post(
            reverse("videos:add"),
            upload_data(b"", title="Kept"),
            headers={"x-requested-with": "XMLHttpRequest"},
        )

        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert "data-video-upload-form" in response.content.decode()


# --- Listing and chooser -----------------------------------------------------------------------------------------


class TestListing:
    def test_listing_shows_status_length_captions_and_uploader(
        self, client, author, clip_bytes, tmp_path, django_capture_on_commit_callbacks
    ):
        video = make_ready_video(clip_bytes, tmp_path, django_capture_on_commit_callbacks, user=author)
        Video.objects.create(title="Broken upload", status=VideoStatus.FAILED, failure_reason="Not a video.")
        client.force_login(author)

        response = client.get(reverse("videos:index"))

        assert response.status_code == 200
        text = text_of(response)
        assert "Lived experience" in text and "Broken upload" in text
        assert "English – 1 error, 5 warnings" in text
        assert video.duration_display in text
        assert "Could not be processed" in text
        assert "volunteer" in text
        assert 'class="w-status w-status--primary"' in response.content.decode()  # Ready stands out
        assert "Upload a video" in text

    def test_search_by_title_and_filter_by_status(self, client, author):
        Video.objects.create(title="Housing first", status=VideoStatus.READY)
        Video.objects.create(title="Recovery stories", status=VideoStatus.FAILED)
        client.force_login(author)

        found = text_of(client.get(reverse("videos:index"), {"q": "housing"}))
        assert "Housing first" in found and "Recovery stories" not in found

        failed = text_of(client.get(reverse("videos:index"), {"status": "failed"}))
        assert "Recovery stories" in failed and "Housing first" not in failed

    def test_listing_queries_do_not_grow_with_the_number_of_videos(self, client, author):
        def make(count):
            for number in range(count):
                video = Video.objects.create(title=f"Film {number}", uploaded_by=author, status=VideoStatus.READY)
                CaptionTrack.objects.create(video=video, source_key=f"k{number}", lint=[], vtt_key="v")

        client.force_login(author)
        make(1)
        client.get(reverse("videos:index"))  # warm caches (content types, site)
        with CaptureQueriesContext(connection) as one:
            client.get(reverse("videos:index"))
        make(5)
        with CaptureQueriesContext(connection) as six:
            client.get(reverse("videos:index"))
        assert len(six) == len(one)

    def test_videos_is_in_the_menu_for_those_who_may_use_it(self, client, author, outsider):
        client.force_login(author)
        assert reverse("videos:index") in client.get(reverse("wagtailadmin_home")).content.decode()

        client.force_login(outsider)
        assert reverse("videos:index") not in client.get(reverse("wagtailadmin_home")).content.decode()

    def test_the_chooser_lists_videos_and_returns_the_chosen_one(self, client, author):
        video = Video.objects.create(title="Housing first", status=VideoStatus.READY, duration=65)
        Video.objects.create(title="Recovery stories", status=VideoStatus.PROCESSING)
        client.force_login(author)

        modal = client.get(reverse("video_chooser:choose"))
        assert modal.status_code == 200
        html = json.loads(modal.content)["html"]
        assert "Housing first" in html and "1:05" in html and "Ready" in html and "Recovery stories" in html

        results = client.get(reverse("video_chooser:choose_results"), {"q": "housing"}).content.decode()
        assert "Housing first" in results and "Recovery stories" not in results

        chosen = json.loads(client.get(reverse("video_chooser:chosen", args=[video.pk])).content)
        assert chosen["step"] == "chosen"
        assert chosen["result"]["id"] == str(video.pk)
        assert chosen["result"]["title"] == "Housing first"
        assert chosen["result"]["edit_url"] == edit_url(video)

    def test_a_field_panel_for_a_foreign_key_to_video_gets_the_chooser(self):
        from wagtail.admin.panels import FieldPanel, ObjectList

        from media_pipeline.admin.viewsets import VideoChooserWidget
        from media_pipeline.models import Rendition

        reverse("video_chooser:choose")  # loads the admin URLs, which registers the viewsets (as any request does)
        form_class = ObjectList([FieldPanel("video")]).bind_to_model(Rendition).get_form_class()

        assert isinstance(form_class().fields["video"].widget, VideoChooserWidget)


# --- The video's page --------------------------------------------------------------------------------------------


class TestVideoPage:
    def test_status_panel_refreshes_itself_while_processing(self, client, author):
        video = Video.objects.create(title="In progress", status=VideoStatus.PROCESSING)
        client.force_login(author)

        html = client.get(edit_url(video)).content.decode()

        assert f'data-status-url="{reverse("videos:status", args=[video.pk])}"' in html
        assert 'data-status="processing"' in html
        assert re.search(r'<script type="module" src="/static/js/admin/video-status.js">', html)
        assert "data-video-refresh" in html  # without JavaScript: a link, not a meta refresh
        assert "http-equiv" not in html
        assert "You can add or replace caption files once processing has finished." in html

    def test_usage_is_linked(self, client, author):
        video = Video.objects.create(title="Unused", status=VideoStatus.READY)
        client.force_login(author)

        html = client.get(edit_url(video)).content.decode()

        usage_url = reverse("videos:usage", args=[video.pk])
        assert f'href="{usage_url}"' in html
        assert "Not used on any page yet." in html
        assert client.get(usage_url).status_code == 200

    def test_editing_the_title(self, client, author):
        video = Video.objects.create(title="Old title", status=VideoStatus.READY)
        client.force_login(author)

        response = client.post(edit_url(video), {"title": "New title"})

        assert response.status_code == 302 and response["Location"] == edit_url(video)
        video.refresh_from_db()
        assert video.title == "New title"

    def test_add_a_caption_file_in_another_language_and_replace_the_english(
        self, client, author, clip_bytes, tmp_path, django_capture_on_commit_callbacks
    ):
        video = make_ready_video(clip_bytes, tmp_path, django_capture_on_commit_callbacks)
        client.force_login(author)
        url = reverse("videos:caption_add", args=[video.pk])

        welsh = client.post(
            url,
            {
                "caption-file": SimpleUploadedFile("croeso.vtt", CLEAN_CAPTIONS),
                "caption-language": "cy",
                "caption-kind": "captions",
            },
        )
        english = client.post(
            url,
            {
                "caption-file": SimpleUploadedFile("fixed.vtt", CLEAN_CAPTIONS),
                "caption-language": "en-GB",
                "caption-kind": "captions",
            },
        )

        assert welsh.status_code == english.status_code == 302
        assert english["Location"] == edit_url(video) + "#video-captions-section"
        tracks = {track.language: track for track in video.caption_tracks.all()}
        assert set(tracks) == {"cy", "en-GB"}
        assert tracks["en-GB"].source_filename == "fixed.vtt" and tracks["en-GB"].lint == []
        assert tracks["cy"].label == "Cymraeg (Welsh)" and tracks["cy"].vtt_key
        page = client.get(english["Location"])
        assert "The English captions file is added: no problems." in page.content.decode()

    def test_an_unreadable_caption_file_shows_the_error_on_its_own_page(
        self, client, author, clip_bytes, tmp_path, django_capture_on_commit_callbacks
    ):
        video = make_ready_video(clip_bytes, tmp_path, django_capture_on_commit_callbacks)
        client.force_login(author)

        response = client.post(
            reverse("videos:caption_add", args=[video.pk]),
            {
                "caption-file": SimpleUploadedFile("bad.vtt", b"hello"),
                "caption-language": "cy",
                "caption-kind": "captions",
            },
        )

        assert response.status_code == 200
        assert "This captions file cannot be used" in response.content.decode()
        assert not video.caption_tracks.filter(language="cy").exists()


class TestStatusEndpoint:
    def test_reports_status_and_the_fresh_part_of_the_page(self, client, author):
        video = Video.objects.create(title="Waiting", status=VideoStatus.UPLOADED)
        client.force_login(author)
        url = reverse("videos:status", args=[video.pk])

        waiting = client.get(url)
        assert "no-store" in waiting["Cache-Control"]
        assert waiting.json()["status"] == "uploaded"
        assert waiting.json()["finished"] is False

        Video.objects.filter(pk=video.pk).update(status=VideoStatus.FAILED, failure_reason="Not a video.")
        failed = client.get(url).json()
        assert failed["status"] == "failed"
        assert failed["status_label"] == "Could not be processed"
        assert failed["finished"] is True
        assert failed["failure_reason"] == "Not a video."
        assert "data-video-failure" in failed["html"] and "Not a video." in failed["html"]

    def test_is_not_for_users_without_video_permissions(self, client, outsider, learner):
        video = Video.objects.create(title="Private", status=VideoStatus.READY)
        url = reverse("videos:status", args=[video.pk])

        client.force_login(outsider)  # in the admin, but without Video permissions
        assert client.get(url, headers={"x-requested-with": "XMLHttpRequest"}).status_code == 403
        client.force_login(learner)
        assert client.get(url).status_code == 302


# --- Reprocess ---------------------------------------------------------------------------------------------------


class TestReprocess:
    def test_reprocess_asks_first_then_processes_again(
        self, client, author, clip_bytes, tmp_path, django_capture_on_commit_callbacks
    ):
        video = make_ready_video(clip_bytes, tmp_path, django_capture_on_commit_callbacks)
        first_processed_at = video.processed_at
        client.force_login(author)
        url = reverse("videos:reprocess", args=[video.pk])

        assert url in client.get(edit_url(video)).content.decode()
        confirm = client.get(url)
        assert confirm.status_code == 200
        assert "Yes, reprocess" in confirm.content.decode()
        video.refresh_from_db()
        assert video.processed_at == first_processed_at  # a GET changes nothing

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url)

        assert response.status_code == 302 and response["Location"] == edit_url(video)
        video.refresh_from_db()
        assert video.status == VideoStatus.READY
        assert video.processed_at > first_processed_at
        assert ModelLogEntry.objects.filter(object_id=str(video.pk), action="media_pipeline.reprocess").exists()
        history = client.get(reverse("videos:history", args=[video.pk]))
        assert history.status_code == 200 and "Queued for processing again" in history.content.decode()

    def test_refused_while_a_job_is_working_on_the_video(self, client, author, django_capture_on_commit_callbacks):
        video = Video.objects.create(title="Busy", status=VideoStatus.PROCESSING, original_key="originals/x/source")
        client.force_login(author)

        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            client.post(reverse("videos:reprocess", args=[video.pk]))

        assert callbacks == []
        video.refresh_from_db()
        assert video.status == VideoStatus.PROCESSING

    def test_refused_when_the_original_is_gone(self, client, author):
        video = Video.objects.create(title="Gone", status=VideoStatus.FAILED, failure_reason="Not a video.")
        client.force_login(author)

        response = client.post(reverse("videos:reprocess", args=[video.pk]), follow=True)

        assert "The original file of this video is no longer stored" in response.content.decode()
        video.refresh_from_db()
        assert video.status == VideoStatus.FAILED


# --- Permissions -------------------------------------------------------------------------------------------------


class TestPermissions:
    def test_learners_are_sent_to_sign_in(self, client, learner, clip_bytes):
        video = Video.objects.create(title="Private", status=VideoStatus.READY)
        client.force_login(learner)

        for url in [
            reverse("videos:index"),
            reverse("videos:add"),
            edit_url(video),
            reverse("videos:delete", args=[video.pk]),
            reverse("video_chooser:choose"),
        ]:
            response = client.get(url)
            assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url

        client.post(reverse("videos:add"), upload_data(clip_bytes))
        assert Video.objects.count() == 1

    @pytest.mark.parametrize("url_name", ["index", "add", "edit", "delete", "reprocess", "caption_add", "usage"])
    def test_authors_without_video_permissions_are_turned_away(self, client, outsider, url_name):
        video = Video.objects.create(title="Private", status=VideoStatus.READY)
        client.force_login(outsider)
        args = [] if url_name in ("index", "add") else [video.pk]

        response = client.get(reverse(f"videos:{url_name}", args=args))

        assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")

    def test_a_volunteer_may_upload_and_edit_but_not_delete(self, client, author):
        video = Video.objects.create(title="Keep me", status=VideoStatus.READY)
        client.force_login(author)

        assert client.get(reverse("videos:add")).status_code == 200
        assert client.get(edit_url(video)).status_code == 200
        assert reverse("videos:delete", args=[video.pk]) not in client.get(edit_url(video)).content.decode()
        response = client.post(reverse("videos:delete", args=[video.pk]))

        assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
        assert Video.objects.filter(pk=video.pk).exists()

    def test_an_editor_deletes_the_video_and_all_its_files(
        self, client, video_editor, clip_bytes, tmp_path, django_capture_on_commit_callbacks
    ):
        video = make_ready_video(clip_bytes, tmp_path, django_capture_on_commit_callbacks)
        stored = [video.original_key, video.poster_key, *video.renditions.values_list("key", flat=True)]
        client.force_login(video_editor)

        assert reverse("videos:delete", args=[video.pk]) in client.get(edit_url(video)).content.decode()
        response = client.post(reverse("videos:delete", args=[video.pk]))

        assert response.status_code == 302 and response["Location"] == reverse("videos:index")
        assert not Video.objects.filter(pk=video.pk).exists()
        assert not any(object_exists(key) for key in stored)
        assert ModelLogEntry.objects.filter(object_id=str(video.pk), action="wagtail.delete").exists()

    def test_an_editor_cannot_delete_a_video_while_it_is_processed(self, client, video_editor):
        video = Video.objects.create(title="Busy", status=VideoStatus.PROCESSING)
        client.force_login(video_editor)

        response = client.post(reverse("videos:delete", args=[video.pk]), follow=True)

        assert "is being processed now" in response.content.decode()
        assert Video.objects.filter(pk=video.pk).exists()
