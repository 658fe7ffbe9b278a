import argparse
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from media_pipeline.models import Video, VideoStatus
from media_pipeline.services.ingest import CaptionUpload, VideoRejected, video_create, video_process
from media_pipeline.storage import StorageUnavailable


class _CaptionsAction(argparse.Action):
    """--captions PATH starts a track; a following --language sets that track's language."""

    def __call__(self, parser, namespace, value, option_string=None):
        tracks = getattr(namespace, "captions", None) or []
        if option_string == "--captions":
            tracks.append({"path": Path(value), "language": "en-GB"})
        else:
            if not tracks:
                parser.error("--language must follow the --captions it applies to")
            tracks[-1]["language"] = value
        namespace.captions = tracks


def video_summary(video: Video) -> dict:
    """The contract's JSON description of a video and what the pipeline made of it."""
    video.refresh_from_db()
    return {
        "id": str(video.pk),
        "status": video.status,
        "duration": video.duration,
        "renditions": [
            {
                "profile": r.profile,
                "key": r.key,
                "width": r.width,
                "height": r.height,
                "bytes": r.bytes,
                "sha256": r.sha256,
            }
            for r in video.renditions.order_by("-height")
        ],
        "captions": [
            {"language": t.language, "key": t.vtt_key, "cues": t.cue_count, "lint": t.lint}
            for t in video.caption_tracks.all()
        ],
        "poster": video.poster_key,
        "errors": [video.failure_reason] if video.status == VideoStatus.FAILED else [],
    }


class Command(BaseCommand):
    help = "Store a video and its caption files and process them (with --wait, to the end). Prints JSON."

    def add_arguments(self, parser):
        parser.add_argument("--title", required=True)
        parser.add_argument("--video", required=True, type=Path)
        parser.add_argument("--captions", action=_CaptionsAction, dest="captions", default=[], metavar="PATH")
        parser.add_argument("--language", action=_CaptionsAction, dest="captions", metavar="BCP47")
        parser.add_argument("--wait", action="store_true", help="Run the pipeline now and wait for the result.")

    def handle(self, *args, title, video, captions, wait, **options):
        for path in [video, *(track["path"] for track in captions)]:
            if not path.is_file():
                raise CommandError(f"{path}: no such file.")
        uploads = [
            CaptionUpload(path=track["path"], filename=track["path"].name, language=track["language"])
            for track in captions
        ]
        try:
            created = video_create(title=title, video_path=video, original_filename=video.name, captions=uploads)
        except (VideoRejected, StorageUnavailable) as error:
            raise CommandError(str(error)) from error
        if wait:
            video_process(video_id=created.pk)
        summary = video_summary(created)
        self.stdout.write(json.dumps(summary))
        if wait and summary["status"] != VideoStatus.READY:
            raise CommandError("; ".join(summary["errors"]) or f"The video ended as {summary['status']}.")
