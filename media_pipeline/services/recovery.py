"""Recovery: queue again the media work whose worker died, and close the task rows it left running.

A worker killed mid-job (out of memory, a node replaced, SIGKILL) leaves its video `processing` with a lease that
nobody renews, and its django-tasks-db row RUNNING for ever; a video whose enqueue was lost (the process died
between the commit and the enqueue) stays `uploaded` with no task at all; an erasure whose worker died or whose
store was down leaves the video's objects in the bucket. Nothing in the queue retries these, so `media_recover`
runs `media_recover_all` at worker start, every minute beside the workers (`bin/serve`), or from cron; with
`--orphans` (daily) it also deletes objects left in the bucket by an upload refused during an outage.

Running it twice, on several nodes at once, or while the work is in fact alive, is harmless: a live job renews its
lease (so its video is left alone), every change is a conditional UPDATE that only one runner wins, and a
duplicate job finds the video ready or held and does nothing (`video_process` takes a row lock).
"""

import logging
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from media_pipeline import keys
from media_pipeline.models import Video, VideoStatus
from media_pipeline.services.ingest import INGEST_WORKDIR_PREFIX, MAX_ATTEMPTS, processing_lease, video_enqueue
from media_pipeline.storage import objects_delete_prefix, objects_list

logger = logging.getLogger(__name__)

# A video left `uploaded` this long with no task waiting for it has lost its enqueue.
UPLOADED_GRACE = timedelta(seconds=60)
# Failed erasures are retried while their rows are this recent (older rows are pruned by prune_db_task_results).
ERASURE_RETRY_WINDOW = timedelta(days=30)
# Objects of a video with no row are kept this long: an upload stores its original before its row is committed.
ORPHAN_GRACE = timedelta(hours=6)
WORKER_LOST = "media_pipeline.services.recovery.WorkerLost"
WORKER_LOST_TRACEBACK = (
    "The worker running this task stopped before it finished (it renewed no lease for {lease} s). "
    "media_recover marked this task failed and queued the work again."
)
GAVE_UP = (
    "Processing this video stopped unexpectedly {attempts} times, so it was not tried again. Nothing was lost: "
    "choose 'Reprocess' to try once more. If it stops again, export the video again as an MP4 (H.264) file and "
    "upload that, or tell the JCP Learning team."
)


@dataclass
class RecoveryReport:
    requeued: list[str] = field(default_factory=list)  # videos queued for processing again
    given_up: list[str] = field(default_factory=list)  # videos that stalled MAX_ATTEMPTS times: now failed
    erasures_requeued: list[str] = field(default_factory=list)  # videos whose erasure was queued again
    lost_tasks: int = 0  # RUNNING task rows whose worker had died, marked failed
    workdirs_deleted: list[str] = field(default_factory=list)  # temporary folders of dead jobs on this node
    orphans_deleted: list[str] | None = None  # with --orphans: prefixes of videos with no row, deleted

    def as_dict(self) -> dict:
        report = asdict(self)
        if self.orphans_deleted is None:
            del report["orphans_deleted"]
        return report

    def __bool__(self) -> bool:
        return any(
            (
                self.requeued,
                self.given_up,
                self.erasures_requeued,
                self.lost_tasks,
                self.workdirs_deleted,
                self.orphans_deleted,
            )
        )


def _task_rows(task, statuses):
    return DBTaskResult.objects.filter(task_path=task.module_path, status__in=statuses).values_list(
        "pk", "status", "started_at", "args_kwargs"
    )


def _video_id(args_kwargs) -> str | None:
    args = (args_kwargs or {}).get("args") or []
    return str(args[0]) if args else None


def _mark_lost(task_ids: list, *, now: datetime) -> int:
    """Close RUNNING rows whose worker died, as django-tasks-db's own `set_failed` would."""
    if not task_ids:
        return 0
    return DBTaskResult.objects.filter(pk__in=task_ids, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        return_value=None,
        exception_class_path=WORKER_LOST,
        traceback=WORKER_LOST_TRACEBACK.format(lease=int(processing_lease().total_seconds())),
    )


def videos_requeue_stalled(*, now: datetime | None = None) -> RecoveryReport:
    """Queue again every video whose processing worker died, and every `uploaded` video that no task waits for.

    * `processing` past its lease (MEDIA_PROCESSING_LEASE_SECONDS without renewal) → back to `uploaded` with its
      lease token cleared (so the old job, were it only slow, stops at its next step) and queued; after
      MAX_ATTEMPTS starts it is `failed` with a reason instead (a file that kills its worker every time must not
      loop for ever).
    * `uploaded` for over a minute with no READY or live RUNNING task → queued.
    * RUNNING `process_video` rows started before the lease whose video no job holds → marked failed.
    Videos already waiting in the queue are left to that task. `now` is for tests.
    """
    from media_pipeline.tasks import process_video

    now = now or timezone.now()
    cutoff = now - processing_lease()
    report = RecoveryReport()
    held = {
        str(pk)
        for pk in Video.objects.filter(status=VideoStatus.PROCESSING, updated_at__gte=cutoff).values_list(
            "pk", flat=True
        )
    }
    queued, running, lost = set(), set(), []
    for task_id, status, started_at, args_kwargs in _task_rows(
        process_video, [TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ):
        video_id = _video_id(args_kwargs)
        if status == TaskResultStatus.READY:
            queued.add(video_id)
        elif video_id in held or (started_at and started_at >= cutoff):
            running.add(video_id)  # alive, or just claimed and about to take the lease
        else:
            lost.append(task_id)
    report.lost_tasks += _mark_lost(lost, now=now)

    for video in Video.objects.filter(status=VideoStatus.PROCESSING, updated_at__lt=cutoff):
        if str(video.pk) in queued or str(video.pk) in running:
            continue  # a task will take it over
        stalled = Video.objects.filter(
            pk=video.pk, status=VideoStatus.PROCESSING, updated_at=video.updated_at, lease_token=video.lease_token
        )
        if video.attempts >= MAX_ATTEMPTS:
            reason = GAVE_UP.format(attempts=video.attempts)
            if stalled.update(status=VideoStatus.FAILED, failure_reason=reason, lease_token=None, updated_at=now):
                logger.warning("video %s: stalled %s times; marked failed", video.pk, video.attempts)
                report.given_up.append(str(video.pk))
            continue
        with transaction.atomic():
            if stalled.update(status=VideoStatus.UPLOADED, lease_token=None, updated_at=now):
                transaction.on_commit(lambda video_id=video.pk: video_enqueue(video_id=video_id))
                report.requeued.append(str(video.pk))

    grace = min(UPLOADED_GRACE, processing_lease())
    waiting = Video.objects.filter(status=VideoStatus.UPLOADED, updated_at__lt=now - grace).exclude(original_key="")
    for video in waiting:
        if str(video.pk) in queued or str(video.pk) in running:
            continue
        with transaction.atomic():
            # Touching updated_at claims the requeue: a second runner sees a fresh video and leaves it.
            claimed = Video.objects.filter(pk=video.pk, status=VideoStatus.UPLOADED, updated_at=video.updated_at)
            if claimed.update(updated_at=now):
                transaction.on_commit(lambda video_id=video.pk: video_enqueue(video_id=video_id))
                report.requeued.append(str(video.pk))
    for video_id in report.requeued:
        logger.warning("video %s: its processing had no live worker; queued again", video_id)
    return report


def erasures_requeue_unfinished(*, now: datetime | None = None) -> RecoveryReport:
    """Queue again the erasure of every video that still exists after its `erase_video` task failed (e.g. the
    store was down) or lost its worker. Erasure is idempotent; a video already gone is left alone."""
    from media_pipeline.tasks import erase_video

    now = now or timezone.now()
    cutoff = now - processing_lease()
    report = RecoveryReport()
    pending, unfinished, lost = set(), set(), []
    rows = _task_rows(erase_video, [TaskResultStatus.READY, TaskResultStatus.RUNNING, TaskResultStatus.FAILED])
    for task_id, status, started_at, args_kwargs in rows.exclude(
        status=TaskResultStatus.FAILED, finished_at__lt=now - ERASURE_RETRY_WINDOW
    ):
        video_id = _video_id(args_kwargs)
        if status == TaskResultStatus.READY or (status == TaskResultStatus.RUNNING and started_at >= cutoff):
            pending.add(video_id)
        else:
            unfinished.add(video_id)
            if status == TaskResultStatus.RUNNING:
                lost.append(task_id)
    report.lost_tasks += _mark_lost(lost, now=now)
    still_there = Video.objects.filter(pk__in=[v for v in unfinished - pending if v]).values_list("pk", flat=True)
    for video_id in still_there:
        transaction.on_commit(lambda video_id=video_id: erase_video.enqueue(str(video_id)))
        report.erasures_requeued.append(str(video_id))
        logger.warning("video %s: its erasure did not finish; queued again", video_id)
    return report


def objects_delete_orphaned(*, older_than: timedelta = ORPHAN_GRACE, now: datetime | None = None) -> list[str]:
    """Delete the stored objects of videos that have no row, and return the prefixes deleted.

    Orphans come from an upload refused while the store was going down (its original was stored, the cleanup
    could not reach the store) or a job that outlived its video's erasure and could not clean up. Objects are
    deleted per `<area>/<video id>/` prefix, only when the video does not exist and the prefix's newest object is
    older than `older_than` – an upload in progress stores its original before its row is committed.
    """
    now = now or timezone.now()
    newest: dict[str, datetime] = {}
    for area in keys.AREAS:
        for key, modified in objects_list(f"{area}/"):
            _, video_id, *_ = [*key.split("/"), ""]
            try:
                UUID(video_id)
            except ValueError:
                continue
            prefix = f"{area}/{video_id}/"
            newest[prefix] = max(modified, newest.get(prefix, modified))
    ids = {prefix.split("/")[1] for prefix in newest}
    existing = {str(pk) for pk in Video.objects.filter(pk__in=ids).values_list("pk", flat=True)}
    deleted = []
    for prefix, modified in sorted(newest.items()):
        if prefix.split("/")[1] not in existing and modified < now - older_than:
            objects_delete_prefix(prefix)
            deleted.append(prefix)
            logger.warning("%s: objects of a video that does not exist; deleted", prefix)
    return deleted


def workdirs_delete_stale(*, older_than: timedelta | None = None) -> list[str]:
    """Delete the temporary folders (`jcp-ingest-*`) that killed jobs left on this node, and return their names.

    A folder counts as stale when nothing in it has changed for longer than the processing lease: a live job
    writes its renditions continuously and renews its lease at least as often. Only this node's temporary
    directory is looked at, so run it on every worker node (bin/serve and the worker's ExecStartPre do).
    """
    cutoff = time.time() - (older_than or processing_lease()).total_seconds()
    deleted = []
    for folder in Path(tempfile.gettempdir()).glob(f"{INGEST_WORKDIR_PREFIX}*"):
        try:
            newest = max([folder.stat().st_mtime, *(item.stat().st_mtime for item in folder.rglob("*"))])
        except FileNotFoundError:
            continue  # a job finished (and removed it) while we looked
        if folder.is_dir() and newest < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            deleted.append(folder.name)
            logger.warning("%s: temporary files of a job that died; deleted", folder)
    return deleted


def media_recover_all(*, now: datetime | None = None, orphans: bool = False) -> RecoveryReport:
    """Both recoveries and this node's dead jobs' temporary folders – and with `orphans`, the orphaned objects –
    in one report (what `manage.py media_recover` prints)."""
    videos = videos_requeue_stalled(now=now)
    erasures = erasures_requeue_unfinished(now=now)
    videos.erasures_requeued = erasures.erasures_requeued
    videos.lost_tasks += erasures.lost_tasks
    videos.workdirs_deleted = workdirs_delete_stale()
    if orphans:
        videos.orphans_deleted = objects_delete_orphaned(now=now)
    return videos
