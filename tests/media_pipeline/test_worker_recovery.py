"""A worker killed mid-job: the lease, the fence that stops a job presumed dead, and `media_recover`.

The last test is the real thing: `manage.py db_worker` in its own process against the test database and moto's
S3 server, SIGKILLed mid-transcode, then `manage.py media_recover` and a second worker.
"""

import datetime
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from media_pipeline.models import Rendition, Video, VideoStatus
from media_pipeline.probe import probe
from media_pipeline.services import ingest
from media_pipeline.services.erasure import video_erase
from media_pipeline.services.ingest import CaptionUpload, video_create, video_process
from media_pipeline.services.recovery import (
    WORKER_LOST,
    erasures_requeue_unfinished,
    videos_requeue_stalled,
    workdirs_delete_stale,
)
from media_pipeline.synthetic import make_clip
from media_pipeline.tasks import erase_video, process_video
from media_pipeline.transcode import transcode_all
from tests.media_pipeline.test_ingest import bucket_keys, expected_keys

ROOT = Path(__file__).resolve().parents[2]
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queue(settings):
    """Tasks go to the database queue (as in production) instead of running in-process."""
    settings.TASKS = DATABASE_QUEUE
    settings.MEDIA_PROCESSING_LEASE_SECONDS = 600


@pytest.fixture
def recover(django_capture_on_commit_callbacks):
    """Run a recovery function with its on-commit enqueues executed (as they are outside a test transaction)."""

    def run(function=videos_requeue_stalled, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


@pytest.fixture
def clip(tmp_path) -> Path:
    return make_clip(tmp_path / "talk.mp4", seconds=2, width=320, height=240)


def tasks_for(task, video) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=task.module_path, args_kwargs__args=[str(video.pk)]))


def a_video(status: str, *, age: datetime.timedelta, attempts: int = 1) -> Video:
    """A video row as a job leaves it, last renewed `age` ago (no stored objects: recovery never reads them)."""
    video = Video.objects.create(title="Talk", status=status, attempts=attempts)
    token = uuid.uuid4() if status == VideoStatus.PROCESSING else None
    Video.objects.filter(pk=video.pk).update(
        original_key=f"originals/{video.pk}/source", lease_token=token, updated_at=timezone.now() - age
    )
    video.refresh_from_db()
    return video


def a_task(task, video, *, status: str, started_ago: datetime.timedelta | None = None) -> DBTaskResult:
    result = task.enqueue(str(video.pk))
    row = DBTaskResult.objects.get(pk=result.id)
    if status != TaskResultStatus.READY:
        started = timezone.now() - (started_ago or datetime.timedelta(0))
        DBTaskResult.objects.filter(pk=row.pk).update(status=status, started_at=started)
        row.refresh_from_db()
    return row


# --- The recovery service ----------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestVideosRequeueStalled:
    def test_a_video_whose_worker_died_is_queued_again_and_its_task_closed(self, queue, recover):
        video = a_video(VideoStatus.PROCESSING, age=datetime.timedelta(minutes=11))
        dead = a_task(process_video, video, status=TaskResultStatus.RUNNING, started_ago=datetime.timedelta(hours=1))

        report = recover()

        assert report.requeued == [str(video.pk)] and report.lost_tasks == 1
        video.refresh_from_db()
        assert (video.status, video.lease_token) == (VideoStatus.UPLOADED, None)
        dead.refresh_from_db()
        assert (dead.status, dead.exception_class_path) == (TaskResultStatus.FAILED, WORKER_LOST)
        assert "stopped before it finished" in dead.traceback and dead.finished_at is not None
        assert [t.status for t in tasks_for(process_video, video)].count(TaskResultStatus.READY) == 1

    def test_a_job_that_renews_its_lease_is_left_alone_however_long_it_runs(self, queue, recover):
        video = a_video(VideoStatus.PROCESSING, age=datetime.timedelta(seconds=20))
        task = a_task(process_video, video, status=TaskResultStatus.RUNNING, started_ago=datetime.timedelta(hours=3))

        report = recover()

        assert not report
        task.refresh_from_db()
        video.refresh_from_db()
        assert task.status == TaskResultStatus.RUNNING and video.status == VideoStatus.PROCESSING

    def test_the_lease_setting_decides_when_a_job_is_given_up_for_lost(self, queue, recover, settings):
        video = a_video(VideoStatus.PROCESSING, age=datetime.timedelta(minutes=5))

        assert recover().requeued == []  # 5 minutes < the default 10-minute lease
        settings.MEDIA_PROCESSING_LEASE_SECONDS = 120
        assert recover().requeued == [str(video.pk)]

    def test_a_stalled_video_already_waiting_in_the_queue_is_left_to_that_task(self, queue, recover):
        video = a_video(VideoStatus.PROCESSING, age=datetime.timedelta(hours=1))
        a_task(process_video, video, status=TaskResultStatus.READY)

        assert recover().requeued == []
        assert len(tasks_for(process_video, video)) == 1

    def test_an_upload_whose_enqueue_was_lost_is_queued(self, queue, recover):
        lost = a_video(VideoStatus.UPLOADED, age=datetime.timedelta(minutes=5))
        retry_waiting = a_video(VideoStatus.UPLOADED, age=datetime.timedelta(minutes=5))
        process_video.using(run_after=timezone.now() + datetime.timedelta(minutes=8)).enqueue(str(retry_waiting.pk))
        just_committed = a_video(VideoStatus.UPLOADED, age=datetime.timedelta(seconds=5))

        report = recover()

        assert report.requeued == [str(lost.pk)]
        assert len(tasks_for(process_video, retry_waiting)) == 1  # its delayed retry is not doubled
        assert tasks_for(process_video, just_committed) == []  # its on-commit enqueue may still be on the way

    def test_running_recovery_twice_or_on_two_nodes_queues_each_video_once(self, queue, recover):
        stalled = a_video(VideoStatus.PROCESSING, age=datetime.timedelta(hours=1))
        lost = a_video(VideoStatus.UPLOADED, age=datetime.timedelta(hours=1))
        a_task(process_video, stalled, status=TaskResultStatus.RUNNING, started_ago=datetime.timedelta(hours=2))

        first = recover()
        second = recover(now=timezone.now() + datetime.timedelta(seconds=30))

        assert sorted(first.requeued) == sorted([str(stalled.pk), str(lost.pk)]) and first.lost_tasks == 1
        assert not second
        for video in (stalled, lost):
            ready = [t for t in tasks_for(process_video, video) if t.status == TaskResultStatus.READY]
            assert len(ready) == 1

    def test_a_video_that_kills_its_worker_every_time_is_failed_with_a_reason(self, queue, recover):
        video = a_video(VideoStatus.PROCESSING, age=datetime.timedelta(hours=1), attempts=ingest.MAX_ATTEMPTS)

        report = recover()

        assert report.given_up == [str(video.pk)] and report.requeued == []
        video.refresh_from_db()
        assert video.status == VideoStatus.FAILED
        assert "stopped unexpectedly 5 times" in video.failure_reason and "Reprocess" in video.failure_reason
        assert video.original_key  # nothing lost: Reprocess starts again from the original
        assert tasks_for(process_video, video) == []

    def test_finished_and_failed_videos_are_never_touched(self, queue, recover):
        ready = a_video(VideoStatus.READY, age=datetime.timedelta(days=3))
        failed = a_video(VideoStatus.FAILED, age=datetime.timedelta(days=3))

        assert not recover()
        assert tasks_for(process_video, ready) == tasks_for(process_video, failed) == []

    def test_the_command_prints_what_it_did_as_json(self, queue, recover, monkeypatch, tmp_path):
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # this node's temporary folder, for the test
        video = a_video(VideoStatus.PROCESSING, age=datetime.timedelta(hours=1))
        out = StringIO()

        recover(call_command, command_name="media_recover", stdout=out)

        assert json.loads(out.getvalue()) == {
            "requeued": [str(video.pk)],
            "given_up": [],
            "erasures_requeued": [],
            "lost_tasks": 0,
            "workdirs_deleted": [],
        }


def test_temporary_folders_of_dead_jobs_are_deleted_and_live_ones_kept(tmp_path, monkeypatch, settings):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    settings.MEDIA_PROCESSING_LEASE_SECONDS = 600
    long_ago = time.time() - 3600
    dead = tmp_path / "jcp-ingest-dead"
    (dead / "jcp-captions-x").mkdir(parents=True)
    for path in (dead / "source", dead / ".720p.mp4.part", dead / "jcp-captions-x" / "source"):
        path.write_bytes(b"bytes")
    alive = tmp_path / "jcp-ingest-alive"  # an old folder whose job is still writing its rendition
    alive.mkdir()
    (alive / "source").write_bytes(b"bytes")
    (alive / ".720p.mp4.part").write_bytes(b"still growing")
    someone_elses = tmp_path / "pytest-of-root"
    someone_elses.mkdir()
    for path in [*dead.rglob("*"), dead, alive / "source", alive, someone_elses]:
        os.utime(path, (long_ago, long_ago))

    assert workdirs_delete_stale() == ["jcp-ingest-dead"]
    assert not dead.exists() and alive.exists() and someone_elses.exists()


@pytest.mark.django_db
def test_an_erasure_that_failed_or_lost_its_worker_is_queued_again(
    queue, recover, settings, s3_server, s3_bucket, clip
):
    outage_victim = video_process(video_id=video_create(title="A", video_path=clip, original_filename="a.mp4").pk)
    killed = video_process(video_id=video_create(title="B", video_path=clip, original_filename="b.mp4").pk)
    already_gone = a_video(VideoStatus.READY, age=datetime.timedelta(hours=1))
    a_task(erase_video, outage_victim, status=TaskResultStatus.FAILED)
    a_task(erase_video, killed, status=TaskResultStatus.RUNNING, started_ago=datetime.timedelta(hours=1))
    a_task(erase_video, already_gone, status=TaskResultStatus.FAILED)
    Video.objects.filter(pk=already_gone.pk).delete()

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    report = recover(erasures_requeue_unfinished)

    assert sorted(report.erasures_requeued) == sorted([str(outage_victim.pk), str(killed.pk)])
    assert report.lost_tasks == 1
    assert not Video.objects.filter(pk__in=[outage_victim.pk, killed.pk]).exists()
    assert bucket_keys(s3_server, s3_bucket) == []
    assert not recover(erasures_requeue_unfinished)  # nothing left to erase


# --- The fence: a job presumed dead must not race the job that replaced it ---------------------------------------


@pytest.mark.django_db
def test_a_job_presumed_dead_stops_at_its_next_step_and_writes_nothing(s3_server, s3_bucket, clip, monkeypatch):
    video = video_create(title="Talk", video_path=clip, original_filename="talk.mp4")
    successor = uuid.uuid4()

    def transcode_while_being_replaced(*args, **kwargs):
        results = transcode_all(*args, **kwargs)
        # Meanwhile recovery gave this job up for lost and another job took the video (a new lease token).
        Video.objects.filter(pk=video.pk).update(lease_token=successor)
        return results

    monkeypatch.setattr(ingest, "transcode_all", transcode_while_being_replaced)
    result = video_process(video_id=video.pk)

    assert (result.status, result.lease_token) == (VideoStatus.PROCESSING, successor)  # the successor's, untouched
    assert not Rendition.objects.filter(video=video).exists()
    assert not any(key.startswith("renditions/") for key in bucket_keys(s3_server, s3_bucket))


@pytest.mark.django_db
def test_a_video_erased_while_it_is_processed_leaves_no_object_behind(s3_server, s3_bucket, clip, monkeypatch):
    captions = clip.with_suffix(".vtt")
    captions.write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nHello.\n")
    video = video_create(
        title="Talk", video_path=clip, original_filename="talk.mp4", captions=[CaptionUpload(captions, "t.vtt")]
    )
    real_put = ingest.object_put
    calls = []

    def erase_after_first_rendition(**kwargs):
        stored = real_put(**kwargs)
        calls.append(kwargs["key"])
        if len(calls) == 1:
            video_erase(video_id=video.pk)  # consent withdrawn while the job runs
        return stored

    monkeypatch.setattr(ingest, "object_put", erase_after_first_rendition)
    video_process(video_id=video.pk)

    assert calls[0].startswith("renditions/")
    assert not Video.objects.filter(pk=video.pk).exists()
    assert bucket_keys(s3_server, s3_bucket) == []


@pytest.mark.django_db
def test_reprocess_takes_the_video_from_a_job_that_was_only_slow(s3_server, s3_bucket, clip, monkeypatch, settings):
    """A job wedged past its lease; the author chose Reprocess and the new job finished. The old job wakes up."""
    video = video_create(title="Talk", video_path=clip, original_filename="talk.mp4")

    def slow_transcode(*args, **kwargs):
        results = transcode_all(*args, **kwargs)
        monkeypatch.setattr(ingest, "transcode_all", transcode_all)
        ingest.video_reprocess(video=Video.objects.get(pk=video.pk))
        assert video_process(video_id=video.pk).status == VideoStatus.READY  # the new job, start to finish
        return results

    monkeypatch.setattr(ingest, "transcode_all", slow_transcode)
    video_process(video_id=video.pk)

    video.refresh_from_db()
    assert video.status == VideoStatus.READY and video.attempts == 1
    assert Rendition.objects.filter(video=video).count() == 2
    assert bucket_keys(s3_server, s3_bucket) == expected_keys(video)


# --- The transcoder's progress callback --------------------------------------------------------------------------


def test_transcode_reports_progress_at_most_once_per_interval(tmp_path):
    source = make_clip(tmp_path / "six.mp4", seconds=6, width=320, height=240)
    every_frame, throttled = [], []

    transcode_all(source, {"360p": tmp_path / "a.mp4"}, on_progress=every_frame.append, progress_interval=0)
    transcode_all(source, {"360p": tmp_path / "b.mp4"}, on_progress=throttled.append, progress_interval=3600)

    assert len(every_frame) >= 100 and every_frame == sorted(every_frame)
    assert every_frame[-1] == pytest.approx(6.0, abs=0.1)
    assert throttled == []


def test_an_exception_from_the_progress_callback_stops_the_transcode_leaving_no_file(tmp_path):
    source = make_clip(tmp_path / "two.mp4", seconds=2, width=320, height=240)

    def lose_the_lease(seconds):
        raise ingest.LeaseLost("taken")

    with pytest.raises(ingest.LeaseLost):
        transcode_all(source, {"360p": tmp_path / "out.mp4"}, on_progress=lose_the_lease, progress_interval=0)

    assert sorted(path.name for path in tmp_path.iterdir()) == ["two.mp4"]


# --- The real thing: kill -9 a worker process mid-transcode ------------------------------------------------------

LEASE_SECONDS = 3


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def child_env(s3_server, bucket: str, tmpdir: Path) -> dict[str, str]:
    base = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {
        **base,
        "TMPDIR": str(tmpdir),  # the "node's" temporary folder: where jobs work and recovery looks
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "TEST_TASKS_BACKEND": "database",
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": s3_server.endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "MEDIA_PROCESSING_LEASE_SECONDS": str(LEASE_SECONDS),
        "MEDIA_PROCESSING_RENEW_SECONDS": "0.5",
    }


def start_worker(env, log: Path, *extra: str) -> subprocess.Popen:
    command = [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--no-reload", "--no-startup-delay"]
    with open(log, "ab") as out:
        return subprocess.Popen([*command, "--interval", "0.2", *extra], cwd=ROOT, env=env, stdout=out, stderr=out)


def media_recover(env) -> dict:
    result = subprocess.run(
        [sys.executable, "manage.py", "media_recover"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def wait_for(condition, *, timeout: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}" + (f"\n{log.read_text()[-3000:]}" if log else ""))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_transcode_is_recovered_and_the_video_finishes_without_orphans(
    s3_server, s3_bucket, settings, tmp_path
):
    settings.TASKS = DATABASE_QUEUE
    # Long enough that the transcode takes several seconds even on a fast machine.
    clip = make_clip(tmp_path / "long-talk.mp4", seconds=60, width=640, height=360, title="Long talk")
    captions = tmp_path / "long-talk.vtt"
    captions.write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nWelcome to the long talk.\n")
    video = video_create(
        title="Long talk", video_path=clip, original_filename="t.mp4", captions=[CaptionUpload(captions, "t.vtt")]
    )
    node_tmp = tmp_path / "node-tmp"
    node_tmp.mkdir()
    env = child_env(s3_server, s3_bucket, node_tmp)
    log = tmp_path / "workers.log"
    workers: list[subprocess.Popen] = []

    def current() -> Video:
        return Video.objects.get(pk=video.pk)

    try:
        first = start_worker(env, log)
        workers.append(first)
        processing = wait_for(
            lambda: (v := current()).status == VideoStatus.PROCESSING and v, timeout=60, what="processing", log=log
        )
        started_at = processing.updated_at
        # The job renews its lease while it transcodes, so a recovery run past the lease leaves it alone.
        wait_for(lambda: current().updated_at > started_at, timeout=30, what="a lease renewal", log=log)
        time.sleep(LEASE_SECONDS + 0.5)
        assert current().status == VideoStatus.PROCESSING, "the transcode finished too soon to be interrupted"
        nothing = {"requeued": [], "given_up": [], "erasures_requeued": [], "lost_tasks": 0, "workdirs_deleted": []}
        assert media_recover(env) == nothing
        [workdir] = node_tmp.glob("jcp-ingest-*")  # the live job's, kept

        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        killed = current()
        assert killed.status == VideoStatus.PROCESSING and not killed.renditions.exists()
        [dead_task] = tasks_for(process_video, video)
        assert dead_task.status == TaskResultStatus.RUNNING  # and it would stay so for ever

        wait_for(
            lambda: timezone.now() - current().updated_at > datetime.timedelta(seconds=LEASE_SECONDS + 0.2),
            timeout=30,
            what="the lease to run out",
        )
        assert media_recover(env) == {
            "requeued": [str(video.pk)],
            "given_up": [],
            "erasures_requeued": [],
            "lost_tasks": 1,
            "workdirs_deleted": [workdir.name],  # the dead job's temporary files, on this node
        }
        assert not workdir.exists()
        dead_task.refresh_from_db()
        assert (dead_task.status, dead_task.exception_class_path) == (TaskResultStatus.FAILED, WORKER_LOST)
        assert media_recover(env)["requeued"] == []  # queued once, however often recovery runs

        second = start_worker(env, log, "--batch")
        workers.append(second)
        assert second.wait(timeout=300) == 0, log.read_text()[-3000:]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)

    video = current()
    assert video.status == VideoStatus.READY, video.failure_reason
    assert video.attempts == 2 and video.lease_token is None
    assert sorted(t.status for t in tasks_for(process_video, video)) == sorted(
        [TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL]
    )
    client = s3_server.client()
    for rendition in video.renditions.all():
        local = tmp_path / f"{rendition.profile}.mp4"
        client.download_file(s3_bucket, rendition.key, str(local))
        assert hashlib.sha256(local.read_bytes()).hexdigest() == rendition.sha256
        info = probe(local)
        assert (info.video_codec, info.audio_codec) == ("h264", "aac")
        assert (info.width, info.height) == (rendition.width, rendition.height)
        assert info.duration == pytest.approx(60, abs=0.2)
    assert video.caption_tracks.get().vtt_key
    assert bucket_keys(s3_server, s3_bucket) == expected_keys(video)  # exactly what the rows reference
    assert list(node_tmp.iterdir()) == []  # and nothing is left on the node's disk
    assert media_recover(env) == nothing
