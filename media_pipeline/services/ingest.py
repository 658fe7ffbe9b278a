"""Ingest: store an upload, then probe, transcode, poster and captions – resumable and retried.

`video_create` stores the original and caption sources and enqueues `process_video` on commit.
`video_process` runs the pipeline. Each step records its result only after the object is verified in storage,
so a retried or crashed job skips what is done and never leaves an object without a row (or a row without an
object). Permanent problems (the file is not a usable video) end in `failed` with a reason and no objects kept;
a storage outage puts the video back in the queue with a growing delay.

A running job holds a lease on its video: it renews it (`updated_at`) between steps and every
MEDIA_PROCESSING_RENEW_SECONDS while transcoding. A video whose lease is older than MEDIA_PROCESSING_LEASE_SECONDS
has lost its worker; `media_pipeline.services.recovery` queues it again. Every write is fenced by the job's
`lease_token`, so a job that was only presumed dead stops (LeaseLost) at its next step instead of racing the
job that replaced it.
"""

import logging
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from uuid import UUID, uuid4

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from home.audit import audit_log
from media_pipeline import keys
from media_pipeline.captions import CaptionError, lint_captions, parse_caption_file
from media_pipeline.models import CaptionKind, CaptionTrack, Rendition, Video, VideoStatus
from media_pipeline.poster import PosterError, extract_poster
from media_pipeline.probe import ProbeError, ProbeLimits, probe
from media_pipeline.storage import (
    StorageIntegrityError,
    StorageUnavailable,
    object_fetch,
    object_put,
    objects_delete_prefix,
)
from media_pipeline.transcode import PROFILES, TranscodeError, transcode_all

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
INGEST_WORKDIR_PREFIX = "jcp-ingest-"  # a job's temporary folder; recovery deletes those of dead jobs
RETRY_BASE_SECONDS = 30
STORAGE_RETRY_EXHAUSTED = (
    "The media store could not be reached, so processing stopped. Nothing was lost: choose "
    "'Reprocess' to try again, and tell the JCP Learning team if this keeps happening."
)
UNEXPECTED_FAILURE = (
    "Something went wrong while processing this video. Nothing was lost: choose 'Reprocess' to try again, "
    "and tell the JCP Learning team if this keeps happening."
)


class VideoRejected(Exception):
    """The upload cannot be accepted; the message says what the author should do."""


class LeaseLost(Exception):
    """Another job (or recovery, or erasure) has taken the video from this job: stop without writing."""


def processing_lease() -> timedelta:
    """A processing job that has not renewed its lease for this long is taken to have crashed."""
    return timedelta(seconds=settings.MEDIA_PROCESSING_LEASE_SECONDS)


class _Lease:
    """One job's hold on a video. `renew()` moves the lease on and proves the job still holds it."""

    def __init__(self, video: Video) -> None:
        self.video_id, self.token = video.pk, video.lease_token
        self.every = settings.MEDIA_PROCESSING_RENEW_SECONDS
        self.renewed = time.monotonic()

    def _held(self):
        return Video.objects.filter(pk=self.video_id, status=VideoStatus.PROCESSING, lease_token=self.token)

    def renew(self, *, throttled: bool = False) -> None:
        if throttled and time.monotonic() - self.renewed < self.every:
            return
        if not self._held().update(updated_at=timezone.now()):
            raise LeaseLost(f"video {self.video_id}: the lease was taken by another job")
        self.renewed = time.monotonic()

    def release(self, video: Video, **fields) -> None:
        """End the job: write `fields` (and clear the token) only if this job still holds the lease."""
        if not self._held().update(**fields, lease_token=None, updated_at=timezone.now()):
            raise LeaseLost(f"video {self.video_id}: the lease was taken by another job")
        for name, value in fields.items():
            setattr(video, name, value)
        video.lease_token = None


@dataclass(frozen=True)
class CaptionUpload:
    path: Path
    filename: str
    language: str = "en-GB"
    kind: str = CaptionKind.CAPTIONS
    label: str = ""


@dataclass
class _Derived:
    """Objects created by this attempt, deleted again if the attempt is rejected."""

    keys: list[str] = field(default_factory=list)


def probe_limits() -> ProbeLimits:
    return ProbeLimits(
        max_bytes=settings.MEDIA_MAX_UPLOAD_BYTES,
        max_duration=settings.MEDIA_MAX_DURATION_SECONDS,
        max_width=settings.MEDIA_MAX_WIDTH,
        max_height=settings.MEDIA_MAX_HEIGHT,
    )


def _default_label(language: str, kind: str) -> str:
    names = {"en": "English", "cy": "Cymraeg (Welsh)", "gd": "Gàidhlig (Gaelic)"}
    name = names.get(language.lower().split("-")[0], language)
    return name if kind == CaptionKind.CAPTIONS else f"{name} ({CaptionKind(kind).label.split(' (')[0].lower()})"


def video_create(
    *,
    title: str,
    video_path: Path,
    original_filename: str,
    captions: list[CaptionUpload] | tuple = (),
    uploaded_by=None,
) -> Video:
    """Store an uploaded video (and its caption files) and queue it for processing.

    Nothing is decoded here. The size cap is checked first so an oversized upload never reaches storage.
    Raises VideoRejected or StorageUnavailable; on any failure nothing is kept.
    """
    size = Path(video_path).stat().st_size
    limit = settings.MEDIA_MAX_UPLOAD_BYTES
    if size == 0:
        raise _upload_rejected(uploaded_by, original_filename, "The file is empty. Choose the video file again.")
    if size > limit:
        raise _upload_rejected(
            uploaded_by,
            original_filename,
            f"The file is {size / 1024**3:.1f} GB; the largest video you can upload is {limit / 1024**3:.1f} GB.",
        )
    video = Video(title=title, original_filename=Path(original_filename).name[:255], uploaded_by=uploaded_by)
    seen = set()
    for upload in captions:
        if (upload.language, upload.kind) in seen:
            raise _upload_rejected(
                uploaded_by,
                original_filename,
                f"There are two {upload.kind} files for {upload.language}. Keep one of them.",
            )
        seen.add((upload.language, upload.kind))
    try:
        with transaction.atomic():
            stored = object_put(
                key=keys.original_key(video.id), path=video_path, content_type="application/octet-stream"
            )
            video.original_key, video.original_bytes, video.original_sha256 = stored.key, stored.bytes, stored.sha256
            video.save()
            for upload in captions:
                _caption_track_add(video, upload)
            transaction.on_commit(lambda: video_enqueue(video_id=video.id))
    except Exception:
        try:
            _delete_objects(video.id)
        except (StorageUnavailable, StorageIntegrityError):
            # The store went down part-way: what was stored has no row. Raise the first error, not this one;
            # `media_recover --orphans` deletes the objects once the store is back.
            logger.warning("video %s: the objects of an upload that failed could not be deleted yet", video.id)
        raise
    return video


def _upload_rejected(uploaded_by, original_filename: str, reason: str) -> VideoRejected:
    audit_log(
        "upload.rejected", uploaded_by=getattr(uploaded_by, "pk", None), filename=original_filename, reason=reason
    )
    return VideoRejected(reason)


def caption_track_add(*, video: Video, upload: CaptionUpload) -> CaptionTrack:
    """Add (or replace) a caption file on an existing video; it is parsed and linted straight away if ready."""
    with transaction.atomic():
        CaptionTrack.objects.filter(video=video, language=upload.language, kind=upload.kind).delete()
        track = _caption_track_add(video, upload)
    if video.is_ready:
        _caption_track_process(track, media_duration=video.duration)
    return track


def _caption_track_add(video: Video, upload: CaptionUpload) -> CaptionTrack:
    track = CaptionTrack(
        id=uuid4(),
        video=video,
        language=upload.language,
        kind=upload.kind,
        label=upload.label or _default_label(upload.language, upload.kind),
        source_filename=Path(upload.filename).name[:255],
    )
    stored = object_put(
        key=keys.caption_source_key(video.id, track.id), path=upload.path, content_type="application/octet-stream"
    )
    track.source_key = stored.key
    track.save()
    return track


def video_enqueue(*, video_id: UUID, delay_seconds: int = 0) -> None:
    from django_tasks import default_task_backend

    from media_pipeline.tasks import process_video

    task = process_video
    if delay_seconds:
        if not default_task_backend.supports_defer:
            # An immediate backend would re-run at once, straight into the same outage; leave the video
            # queued for 'Reprocess' instead.
            logger.warning("video %s: this task backend cannot delay a retry", video_id)
            return
        task = task.using(run_after=timezone.now() + timedelta(seconds=delay_seconds))
    task.enqueue(str(video_id))


def video_reprocess(*, video: Video) -> None:
    """Queue a video again (after a failure, or to rebuild its derivatives with a newer pipeline)."""
    if not video.original_key:
        raise VideoRejected("The original file of this video is no longer stored. Upload the video again.")
    Video.objects.filter(pk=video.pk).update(
        status=VideoStatus.UPLOADED, failure_reason="", attempts=0, lease_token=None, updated_at=timezone.now()
    )
    transaction.on_commit(lambda: video_enqueue(video_id=video.pk))


def video_process(*, video_id: UUID) -> Video:
    """Run (or resume) the pipeline for one video. Safe to call again at any point, and beside another job:
    a video whose lease is held (renewed within MEDIA_PROCESSING_LEASE_SECONDS) is left to its job."""
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=video_id)
        if video.status in (VideoStatus.READY, VideoStatus.FAILED) or not video.original_key:
            return video  # a duplicate or stale job: nothing to do
        if video.status == VideoStatus.PROCESSING and video.updated_at > timezone.now() - processing_lease():
            return video  # another worker is on it
        video.status, video.failure_reason = VideoStatus.PROCESSING, ""
        video.attempts += 1
        video.lease_token = uuid4()
        video.save(update_fields=["status", "failure_reason", "attempts", "lease_token", "updated_at"])

    lease = _Lease(video)
    try:
        try:
            with tempfile.TemporaryDirectory(prefix=INGEST_WORKDIR_PREFIX) as workdir:
                _run_steps(video, Path(workdir), lease)
        except (ProbeError, TranscodeError, PosterError) as error:
            audit_log(
                "upload.rejected",
                video_id=str(video.pk),
                uploaded_by=video.uploaded_by_id,
                filename=video.original_filename,
                reason=error.reason,
            )
            _reject(video, lease, error.reason)
        except (StorageUnavailable, StorageIntegrityError) as error:
            _retry_later(video, lease, error)
        except LeaseLost:
            raise
        except Exception:
            logger.exception("video %s: unexpected failure", video.pk)
            lease.release(video, status=VideoStatus.FAILED, failure_reason=UNEXPECTED_FAILURE)
        else:
            lease.release(video, status=VideoStatus.READY, processed_at=timezone.now())
    except LeaseLost:
        return _lease_lost(video)
    return video


def _lease_lost(video: Video) -> Video:
    """This job was presumed dead and replaced (or the video was erased meanwhile): stop, writing nothing more."""
    logger.warning("video %s: another job has taken over this video; this job stops", video.pk)
    try:
        video.refresh_from_db()
    except Video.DoesNotExist:
        # Erased while this job ran: delete whatever the job stored after the erasure.
        _delete_objects(video.pk)
    return video


def _run_steps(video: Video, workdir: Path, lease: _Lease) -> None:
    source = object_fetch(key=video.original_key, path=workdir / "source")
    lease.renew()
    info = probe(source, limits=probe_limits())
    video.duration, video.width, video.height = info.duration, info.display_width, info.display_height
    video.container, video.video_codec, video.audio_codec = info.container, info.video_codec, info.audio_codec or ""
    lease.renew()
    video.save(update_fields=["duration", "width", "height", "container", "video_codec", "audio_codec"])

    done = set(video.renditions.values_list("profile", flat=True))
    missing = {name: workdir / f"{name}.mp4" for name in PROFILES if name not in done}
    if missing:
        results = transcode_all(
            source,
            missing,
            probe=info,
            on_progress=lambda seconds: lease.renew(throttled=True),
            progress_interval=lease.every,
        )
        for name, result in results.items():
            lease.renew()
            stored = object_put(
                key=keys.rendition_key(video.id, name), path=result.path, content_type="video/mp4", sha256=result.sha256
            )
            lease.renew()
            Rendition.objects.update_or_create(
                video=video,
                profile=name,
                defaults={
                    "key": stored.key,
                    "width": result.width,
                    "height": result.height,
                    "bitrate": result.bitrate,
                    "bytes": stored.bytes,
                    "sha256": stored.sha256,
                },
            )

    if not video.poster_key:
        poster = extract_poster(source, workdir / "poster.jpg", probe=info)
        lease.renew()
        stored = object_put(
            key=keys.poster_key(video.id), path=poster.path, content_type="image/jpeg", sha256=poster.sha256
        )
        lease.renew()
        video.poster_key, video.poster_width, video.poster_height = stored.key, poster.width, poster.height
        video.save(update_fields=["poster_key", "poster_width", "poster_height"])

    for track in video.caption_tracks.filter(vtt_key=""):
        _caption_track_process(track, media_duration=info.duration, workdir=workdir, lease=lease)


def _caption_track_process(
    track: CaptionTrack, *, media_duration: float | None, workdir: Path | None = None, lease: _Lease | None = None
) -> None:
    """Parse, lint and normalise one caption file. An unreadable file is recorded on the track as an error
    (the publish gate then refuses the page); it does not fail the video."""
    with tempfile.TemporaryDirectory(prefix="jcp-captions-", dir=workdir) as tmp:
        source = object_fetch(key=track.source_key, path=Path(tmp) / "source")
        try:
            parsed = parse_caption_file(source.read_bytes(), filename=track.source_filename)
        except CaptionError as error:
            track.lint = [{"cue": None, "level": "error", "code": "unreadable", "message": str(error)}]
            track.error_count, track.cue_count, track.vtt_key = 1, 0, ""
            track.save(update_fields=["lint", "error_count", "cue_count", "vtt_key"])
            return
        lint = [item.to_dict() for item in lint_captions(parsed, media_duration=media_duration)]
        normalised = Path(tmp) / "captions.vtt"
        normalised.write_text(parsed.webvtt, encoding="utf-8")
        stored = object_put(
            key=keys.caption_key(track.video_id, track.id), path=normalised, content_type="text/vtt; charset=utf-8"
        )
    if lease is not None:
        lease.renew()
    track.vtt_key, track.source_format, track.cue_count = stored.key, parsed.format, len(parsed.cues)
    track.lint, track.error_count = lint, sum(1 for item in lint if item["level"] == "error")
    track.save(update_fields=["vtt_key", "source_format", "cue_count", "lint", "error_count"])


def _delete_objects(video_id: UUID) -> int:
    return sum(objects_delete_prefix(prefix) for prefix in keys.video_prefixes(video_id))


def _reject(video: Video, lease: _Lease, reason: str) -> None:
    """The file can never become a usable video: keep the row (so the author sees why), drop every object."""
    lease.renew()
    _delete_objects(video.id)
    video.renditions.all().delete()
    video.caption_tracks.all().delete()
    lease.release(video, status=VideoStatus.FAILED, failure_reason=reason, original_key="", poster_key="")


def _retry_later(video: Video, lease: _Lease, error: Exception) -> None:
    if video.attempts >= MAX_ATTEMPTS:
        logger.warning("video %s: giving up after %s attempts: %s", video.pk, video.attempts, error)
        lease.release(video, status=VideoStatus.FAILED, failure_reason=STORAGE_RETRY_EXHAUSTED)
        return
    delay = RETRY_BASE_SECONDS * 2 ** (video.attempts - 1)
    logger.warning("video %s: storage problem (%s); retrying in %s s", video.pk, error, delay)
    lease.release(video, status=VideoStatus.UPLOADED, failure_reason="")
    video_enqueue(video_id=video.pk, delay_seconds=delay)
