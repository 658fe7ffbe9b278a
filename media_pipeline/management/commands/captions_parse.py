"""``python manage.py captions_parse PATH [--lint]``: parse a WebVTT or SRT file and print it as JSON.

Output (the contract): ``{"format", "cues", "regions", "lint"}`` with the browser's VTTCue / VTTRegion
attribute names; ``lint`` is ``[]`` unless ``--lint``. A file that is not valid WebVTT or SRT prints the
reason on stderr and exits 1.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from media_pipeline.captions import CaptionError, lint_captions, parse_caption_file

# Larger than any real caption file (a two-hour film is well under 1 MB); stops a mistaken upload of a video.
MAX_CAPTION_BYTES = 20 * 1024 * 1024


class Command(BaseCommand):
    help = "Parse a WebVTT (.vtt) or SubRip (.srt) caption file and print its cues as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="Caption file: .vtt is WebVTT, .srt is SubRip, others are sniffed.")
        parser.add_argument("--lint", action="store_true", help="Also check timing and readability.")

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["path"]))
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_CAPTION_BYTES + 1)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}", returncode=1) from None
        if len(data) > MAX_CAPTION_BYTES:
            raise CommandError(f"{path} is larger than 20 MB, too large to be a caption file.", returncode=1)
        try:
            parsed = parse_caption_file(data, filename=path.name)
        except CaptionError as error:
            raise CommandError(f"{path.name}: {error}", returncode=1) from None
        lint = lint_captions(parsed) if options["lint"] else []
        self.stdout.write(json.dumps(parsed.to_dict(lint), ensure_ascii=True))
