from uuid import UUID

from django_tasks import task


@task()
def process_video(video_id: str) -> str:
    """Background job: run (or resume) the ingest pipeline for one video. Returns the resulting status."""
    from media_pipeline.services.ingest import video_process

    return video_process(video_id=UUID(video_id)).status


@task()
def erase_video(video_id: str) -> int:
    """Background job: delete every stored object and row of a video (consent withdrawal)."""
    from media_pipeline.services.erasure import video_erase

    return video_erase(video_id=UUID(video_id))
