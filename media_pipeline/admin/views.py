"""Admin views for videos: listing, upload, the video's own page, its live status, reprocess, captions, delete.

Permissions are the Video model's (`add`, `change`, `delete`), checked by Wagtail's PermissionCheckedMixin on
every view, so what a user is not offered they cannot do by typing the URL either.
"""

import logging

from django.contrib.admin.utils import quote
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView, View
from wagtail.admin import messages
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import BaseObjectMixin, WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log
from wagtail.models import ReferenceIndex

from media_pipeline.forms import VideoCaptionForm, VideoUploadForm, uploaded_file_path
from media_pipeline.models import CaptionKind, CaptionTrack, Video, VideoStatus
from media_pipeline.services.erasure import video_erase
from media_pipeline.services.ingest import (
    VideoRejected,
    caption_track_add,
    processing_lease,
    video_create,
    video_reprocess,
)
from media_pipeline.storage import StorageUnavailable

logger = logging.getLogger(__name__)

STATE_TEMPLATE = "media_pipeline/admin/includes/video_state.html"
PENDING = frozenset({VideoStatus.UPLOADED, VideoStatus.PROCESSING})
PREVIEW_MAX_WIDTH = 640

STORAGE_UNAVAILABLE_UPLOAD = (
    "The media store could not be reached, so the video was not saved. Your title is kept below: choose the "
    "video file and captions files again and upload once more. If this keeps happening, tell the JCP Learning team."
)
STORAGE_UNAVAILABLE_CAPTIONS = (
    "The media store could not be reached, so the captions file was not saved. Choose it again and try once more."
)
STORAGE_UNAVAILABLE_DELETE = (
    "The media store could not be reached, so the video was not deleted. Try again in a few minutes."
)


# --- Rules the views share ---------------------------------------------------------------------------------------


def video_is_being_processed(video: Video) -> bool:
    """True while a job is (or may be) working on the video: queued, or running and not given up for lost."""
    return video.status in PENDING and video.updated_at > timezone.now() - processing_lease()


def video_may_reprocess(video: Video) -> bool:
    """Reprocessing needs the original file, and must not start a second job beside a live one."""
    return bool(video.original_key) and not video_is_being_processed(video)


def video_accepts_captions(video: Video) -> bool:
    """Caption files can be added once processing is over: checked at once when ready, on 'Reprocess' if failed.

    (While a job runs it might finish without seeing a file added part-way through.)
    """
    return video.status == VideoStatus.READY or (video.status == VideoStatus.FAILED and bool(video.original_key))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def lint_summary(track: CaptionTrack) -> str:
    """'2 errors, 1 warning', 'no problems', or 'not checked yet' (before processing)."""
    if not track.vtt_key and not track.lint:
        return "not checked yet"
    found = []
    if track.error_count:
        found.append(_plural(track.error_count, "error"))
    if track.warning_count:
        found.append(_plural(track.warning_count, "warning"))
    return ", ".join(found) or "no problems"


def captions_summary(video: Video) -> str:
    """For the listing: 'English – 2 warnings'. Reads the prefetched caption tracks."""
    return "; ".join(f"{track.label} – {lint_summary(track)}" for track in video.caption_tracks.all()) or "None"


def uploader_name(video: Video) -> str:
    user = video.uploaded_by
    if user is None:
        return ""
    return user.get_full_name().strip() or user.get_username()


def _is_xhr(request) -> bool:
    return request.headers.get("x-requested-with") == "XMLHttpRequest"


def _edit_url(url_name: str, video: Video, fragment: str = "") -> str:
    return reverse(url_name, args=[quote(video.pk)]) + (f"#{fragment}" if fragment else "")


class VideoStateMixin:
    """Builds the context of the part of the video's page that changes as it is processed (see STATE_TEMPLATE)."""

    add_url_name = None
    edit_url_name = None
    status_url_name = None
    reprocess_url_name = None
    caption_add_url_name = None

    def get_state_context(self, video: Video) -> dict:
        can_change = self.user_has_permission("change")
        tracks = list(video.caption_tracks.all())
        renditions = list(video.renditions.all())
        default_track = next((track for track in tracks if track.vtt_key and track.is_english_captions), None)
        reports = [self._caption_report(video, track, default=track is default_track) for track in tracks]
        return {
            "video": video,
            "is_pending": video.status in PENDING,
            "is_ready": video.is_ready,
            "is_failed": video.status == VideoStatus.FAILED,
            "caption_reports": reports,
            "renditions": renditions,
            "preview": self._preview(video, renditions, reports) if video.is_ready and renditions else None,
            "may_reprocess": can_change and video_may_reprocess(video),
            "original_lost": not video.original_key,
            "accepts_captions": can_change and video_accepts_captions(video),
            "caption_form": VideoCaptionForm(),
            "caption_add_url": reverse(self.caption_add_url_name, args=[quote(video.pk)]),
            "reprocess_url": reverse(self.reprocess_url_name, args=[quote(video.pk)]),
            "refresh_url": reverse(self.edit_url_name, args=[quote(video.pk)]),
            "upload_url": reverse(self.add_url_name) if self.user_has_permission("add") else None,
        }

    @staticmethod
    def _caption_report(video: Video, track: CaptionTrack, *, default: bool) -> dict:
        items = sorted(track.lint, key=lambda item: item.get("cue") or 0)
        return {
            "track": track,
            "kind_name": CaptionKind(track.kind).label.split(" (")[0],
            "summary": lint_summary(track),
            "items": items,
            "errors": [item for item in items if item.get("level") == "error"],
            "warnings": [item for item in items if item.get("level") != "error"],
            "src": reverse("media:captions", args=[track.pk]) if track.vtt_key and video.is_ready else None,
            "default": default,
        }

    @staticmethod
    def _preview(video: Video, renditions: list, reports: list[dict]) -> dict:
        largest = renditions[0]  # renditions are ordered tallest first
        width = min(PREVIEW_MAX_WIDTH, largest.width)
        return {
            "sources": [reverse("media:play", args=[video.pk, rendition.profile]) for rendition in renditions],
            "poster": reverse("media:poster", args=[video.pk]) if video.poster_key else "",
            "width": width,
            "height": round(largest.height * width / largest.width),
            "tracks": [report for report in reports if report["src"]],
        }


# --- Listing -----------------------------------------------------------------------------------------------------


class VideoIndexView(generic.IndexView):
    add_item_label = "Upload a video"

    def get_base_queryset(self):
        # The captions column reads every video's tracks: one query for the page, not one per row.
        return super().get_base_queryset().select_related("uploaded_by").prefetch_related("caption_tracks")


# --- Upload ------------------------------------------------------------------------------------------------------


class VideoUploadView(generic.CreateView):
    """Stores the upload with `video_create`; processing starts once the request's transaction commits."""

    template_name = "media_pipeline/admin/create.html"
    page_title = "Upload a video"
    page_subtitle = "Upload a video"
    submit_button_label = "Upload video"
    submit_button_active_label = "Uploading…"
    success_message = "“%(object)s” is uploaded and is being processed. This page shows when it is ready."
    error_message = "The video could not be uploaded. Check the messages below."

    def get_header_title(self):
        return self.page_title

    def get_form_class(self):
        return VideoUploadForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)  # not a model form: the service creates the video
        return kwargs

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": "Videos"},
            {"url": "", "label": self.page_title},
        ]

    def get_success_url(self):
        return self.get_edit_url()

    def get_success_buttons(self):
        return []  # the success page is the video's own page

    def form_valid(self, form):
        self.form = form
        try:
            with form.service_arguments() as arguments:
                self.object = video_create(**arguments, uploaded_by=self.request.user)
        except VideoRejected as error:
            return self._refused(form, str(error))
        except StorageUnavailable as error:
            logger.warning("upload not stored: %s", error)
            return self._refused(form, STORAGE_UNAVAILABLE_UPLOAD)
        log(instance=self.object, action="wagtail.create", user=self.request.user, content_changed=True)
        if _is_xhr(self.request):
            # The upload script navigates itself; a redirect would be followed (and the message read) by the XHR.
            messages.success(self.request, self.get_success_message(self.object))
            return JsonResponse({"location": self.get_success_url()})
        return self.save_action()

    def _refused(self, form, message: str):
        form.add_error(None, message)
        self.produced_error_message = self.get_error_message()
        return self.form_invalid(form)


# --- The video's page --------------------------------------------------------------------------------------------


class VideoEditView(VideoStateMixin, generic.EditView):
    template_name = "media_pipeline/admin/edit.html"
    success_message = "Your changes to “%(object)s” are saved."

    def get_success_url(self):
        return self.get_edit_url()

    def get_success_buttons(self):
        return []

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.user_has_permission("change") and video_may_reprocess(self.object):
            buttons.append(
                Button(
                    "Reprocess",
                    url=reverse(self.reprocess_url_name, args=[quote(self.object.pk)]),
                    icon_name="rotate",
                    priority=15,
                )
            )
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.get_state_context(self.object))
        context["status_url"] = reverse(self.status_url_name, args=[quote(self.object.pk)])
        context["usage_url"] = self.get_usage_url()
        context["usage_count"] = ReferenceIndex.get_grouped_references_to(self.object).count()
        return context


class VideoStatusView(VideoStateMixin, PermissionCheckedMixin, BaseObjectMixin, View):
    """GET → JSON: the status, and the changing part of the video's page for the page to swap in."""

    model = Video
    any_permission_required = ["add", "change", "delete", "view"]

    def get(self, request, *args, **kwargs):
        video = self.object
        html = render_to_string(STATE_TEMPLATE, self.get_state_context(video), request=request)
        response = JsonResponse(
            {
                "id": str(video.pk),
                "status": video.status,
                "status_label": video.get_status_display(),
                "finished": video.status not in PENDING,
                "failure_reason": video.failure_reason,
                "html": html,
            }
        )
        response["Cache-Control"] = "no-store"
        return response


class VideoOperationView(PermissionCheckedMixin, BaseObjectMixin, WagtailAdminTemplateMixin, TemplateView):
    """A page about one video with a form that POSTs back to it; subclasses define `post`."""

    model = Video
    permission_required = "change"
    header_icon = "media"
    index_url_name = None
    edit_url_name = None

    def get_page_subtitle(self):
        return str(self.object)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": "Videos"},
            {"url": self.get_edit_url(), "label": str(self.object)},
            {"url": "", "label": self.page_title},
        ]

    def get_edit_url(self, fragment: str = "") -> str:
        return _edit_url(self.edit_url_name, self.object, fragment)

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.object, edit_url=self.get_edit_url(), **kwargs)


class VideoReprocessView(VideoOperationView):
    """GET asks for confirmation; POST queues the video again with `video_reprocess`."""

    template_name = "media_pipeline/admin/confirm_reprocess.html"
    page_title = "Reprocess"

    def get_context_data(self, **kwargs):
        return super().get_context_data(may_reprocess=video_may_reprocess(self.object), **kwargs)

    def post(self, request, *args, **kwargs):
        video = self.object
        if video_is_being_processed(video):
            messages.error(request, f"“{video}” is being processed now. Wait for it to finish.")
            return redirect(self.get_edit_url())
        try:
            video_reprocess(video=video)
        except VideoRejected as error:
            messages.error(request, str(error))
            return redirect(self.get_edit_url())
        log(instance=video, action="media_pipeline.reprocess", user=request.user)
        messages.success(request, f"“{video}” is being processed again. This page shows when it is ready.")
        return redirect(self.get_edit_url())


class VideoCaptionAddView(VideoOperationView):
    """Add a caption file, or replace the one for the same language and kind (`caption_track_add`).

    The form lives on the video's page; this view's own page shows it again when it has errors.
    """

    template_name = "media_pipeline/admin/caption_add.html"
    page_title = "Add or replace a caption file"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", VideoCaptionForm())
        return super().get_context_data(accepts_captions=video_accepts_captions(self.object), **kwargs)

    def post(self, request, *args, **kwargs):
        video = self.object
        if not video_accepts_captions(video):
            return self.render_to_response(self.get_context_data())
        form = VideoCaptionForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            with uploaded_file_path(form.cleaned_data["file"]) as path:
                track = caption_track_add(video=video, upload=form.caption_upload(path))
        except StorageUnavailable as error:
            logger.warning("caption file for video %s not stored: %s", video.pk, error)
            form.add_error(None, STORAGE_UNAVAILABLE_CAPTIONS)
            return self.render_to_response(self.get_context_data(form=form))
        log(
            instance=video,
            action="media_pipeline.caption_add",
            user=request.user,
            data={"language": track.language, "kind": track.kind},
        )
        if video.is_ready:
            messages.success(request, f"The {track.label} captions file is added: {lint_summary(track)}.")
        else:
            messages.success(request, f"The {track.label} captions file is added. Choose 'Reprocess' to check it.")
        return redirect(self.get_edit_url("video-captions-section"))


# --- Delete ------------------------------------------------------------------------------------------------------


class VideoDeleteView(generic.DeleteView):
    """Deletes every stored file of the video, then its rows (`video_erase`)."""

    def delete_action(self):
        video_erase(video_id=self.object.pk)
        log(instance=self.object, action="wagtail.delete", user=self.request.user, deleted=True)

    def form_valid(self, form):
        if video_is_being_processed(self.object):
            messages.error(self.request, f"“{self.object}” is being processed now. Delete it once that has finished.")
            return redirect(_edit_url(self.edit_url_name, self.object))
        try:
            return super().form_valid(form)
        except StorageUnavailable as error:
            logger.warning("video %s not deleted: %s", self.object.pk, error)
            messages.error(self.request, STORAGE_UNAVAILABLE_DELETE)
            return redirect(_edit_url(self.edit_url_name, self.object))
