"""Playback: stable app URLs that check permission, then redirect to a short-lived URL or stream the file.

Captions are always served from this origin: browsers refuse cross-origin <track> files without CORS.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from media_pipeline.http import ranged_file_response
from media_pipeline.models import CaptionTrack, Rendition, Video, VideoStatus
from media_pipeline.selectors import video_viewable_by
from media_pipeline.storage import StorageUnavailable, local_path, media_storage, object_presigned_url


def _checked_video(request, video_id) -> Video:
    video = get_object_or_404(Video, pk=video_id)
    if not video_viewable_by(user=request.user, video=video, request=request):
        raise PermissionDenied
    if video.status != VideoStatus.READY:
        raise Http404("This video is not ready to play yet.")
    return video


def _serve_object(request, key: str, content_type: str) -> HttpResponse:
    try:
        url = object_presigned_url(key=key, content_type=content_type, expires=settings.MEDIA_PLAYBACK_URL_SECONDS)
    except StorageUnavailable as error:
        raise Http404 from error
    if url is not None:
        response = HttpResponseRedirect(url)
    else:
        path = local_path(key)
        if path is None or not path.exists():
            raise Http404
        response = ranged_file_response(request, path, content_type=content_type)
    # The redirect target expires: never let a shared cache keep it.
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@login_required
def play_rendition(request, video_id, profile: str):
    video = _checked_video(request, video_id)
    rendition = get_object_or_404(Rendition, video=video, profile=profile)
    return _serve_object(request, rendition.key, "video/mp4")


@require_safe
@login_required
def poster(request, video_id):
    video = _checked_video(request, video_id)
    if not video.poster_key:
        raise Http404
    return _serve_object(request, video.poster_key, "image/jpeg")


@require_safe
@login_required
def caption_track(request, track_id):
    track = get_object_or_404(CaptionTrack.objects.select_related("video"), pk=track_id)
    _checked_video(request, track.video_id)
    if not track.vtt_key:
        raise Http404
    try:
        with media_storage().open(track.vtt_key, "rb") as handle:
            content = handle.read()
    except FileNotFoundError as error:
        raise Http404 from error
    response = HttpResponse(content, content_type="text/vtt; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response
