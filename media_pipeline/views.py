"""Playback: stable app URLs that check permission, then redirect to a short-lived URL or stream the file.

Captions are always served from this origin: browsers refuse cross-origin <track> files without CORS.

When the media store cannot be reached, every one of them answers 503 with a page that says to try again in a
few minutes (and Retry-After), never a 500 or a redirect to a store that is down. The outage is remembered for
MEDIA_OUTAGE_MEMORY_SECONDS in the shared cache, so while it lasts requests answer at once instead of each
waiting for the store's timeouts and tying up the web workers.
"""

import logging
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from media_pipeline.http import ranged_file_response
from media_pipeline.models import CaptionTrack, Rendition, Video, VideoStatus
from media_pipeline.selectors import video_viewable_by
from media_pipeline.storage import (
    StorageUnavailable,
    local_path,
    object_exists,
    object_presigned_url,
    object_read,
)

logger = logging.getLogger(__name__)

OUTAGE_CACHE_KEY = "media_pipeline:store-unavailable"


def storage_unavailable_response(request) -> HttpResponse:
    """The 503 page for a media store outage."""
    response = render(request, "media_pipeline/unavailable.html", status=503)
    response["Retry-After"] = str(settings.MEDIA_OUTAGE_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _store_reachable() -> None:
    """Raise StorageUnavailable at once while a recent request found the store down."""
    if cache.get(OUTAGE_CACHE_KEY):
        raise StorageUnavailable("The media store was unreachable a moment ago.")


def shows_storage_outage(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except StorageUnavailable as error:
            if not cache.get(OUTAGE_CACHE_KEY):
                logger.warning("media store unavailable: %s", error)
                cache.set(OUTAGE_CACHE_KEY, True, settings.MEDIA_OUTAGE_MEMORY_SECONDS)
            return storage_unavailable_response(request)

    return wrapped


def _checked_video(request, video_id) -> Video:
    video = get_object_or_404(Video, pk=video_id)
    if not video_viewable_by(user=request.user, video=video, request=request):
        raise PermissionDenied
    if video.status != VideoStatus.READY:
        raise Http404("This video is not ready to play yet.")
    return video


def _serve_object(request, key: str, content_type: str) -> HttpResponse:
    _store_reachable()
    url = object_presigned_url(key=key, content_type=content_type, expires=settings.MEDIA_PLAYBACK_URL_SECONDS)
    if url is not None:
        # Signing a URL needs no request to the store; one HEAD proves the store answers (and has the object)
        # before the browser is sent there.
        if not object_exists(key):
            raise Http404
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
@shows_storage_outage
def play_rendition(request, video_id, profile: str):
    video = _checked_video(request, video_id)
    rendition = get_object_or_404(Rendition, video=video, profile=profile)
    return _serve_object(request, rendition.key, "video/mp4")


@require_safe
@login_required
@shows_storage_outage
def poster(request, video_id):
    video = _checked_video(request, video_id)
    if not video.poster_key:
        raise Http404
    return _serve_object(request, video.poster_key, "image/jpeg")


@require_safe
@login_required
@shows_storage_outage
def caption_track(request, track_id):
    track = get_object_or_404(CaptionTrack.objects.select_related("video"), pk=track_id)
    _checked_video(request, track.video_id)
    if not track.vtt_key:
        raise Http404
    _store_reachable()
    try:
        content = object_read(key=track.vtt_key)
    except FileNotFoundError as error:
        raise Http404 from error
    response = HttpResponse(content, content_type="text/vtt; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response
