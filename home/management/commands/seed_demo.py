import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from home.services import site_ensure_home_page
from lms.services.demo import demo_people_ensure
from lms.services.demo_activity import demo_activity_ensure, demo_assignments_ensure
from lms.services.demo_content import DEFAULT_WAIT_SECONDS, DemoContentError, DemoVideoFormat, demo_content_ensure
from lms.services.organisation import RegisterError, organisation_import_register
from media_pipeline.storage import StorageUnavailable


def _video_format(text: str, *, audio: bool) -> DemoVideoFormat:
    try:
        return DemoVideoFormat.parse(text, audio=audio)
    except ValueError as error:
        raise CommandError(str(error)) from None


class Command(BaseCommand):
    help = (
        "Create the demo: the real jobcentre organisation, demo users per role and synthetic staff, the learning "
        "pages with synthetic videos (processed by the media pipeline) and hand-written captions, documents, "
        "assignments and learning activity. Idempotent: safe to run again. Prints a JSON summary with the logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--register",
            type=Path,
            default=None,
            help="Folder holding the DWP jobcentre register CSVs (default: settings.JOBCENTRE_REGISTER_DIR).",
        )
        parser.add_argument(
            "--video-size",
            default="640x360@15",
            help="Picture of new demo videos, WIDTHxHEIGHT[@FPS] (default 640x360@15). Their length is set by "
            "their caption files. Videos that already exist are kept as they are.",
        )
        parser.add_argument(
            "--no-audio",
            action="store_true",
            help="Make new demo videos without their tone: much quicker to make and process (used by the tests).",
        )
        parser.add_argument(
            "--wait",
            type=float,
            default=DEFAULT_WAIT_SECONDS,
            metavar="SECONDS",
            help="How long to wait for demo videos that a task worker is already processing (default 900).",
        )

    def handle(self, *args, register: Path | None, video_size: str, no_audio: bool, wait: float, **options):
        video_format = _video_format(video_size, audio=not no_audio)
        register = register or Path(settings.JOBCENTRE_REGISTER_DIR)
        timings = {}
        started = time.monotonic()
        try:
            organisation = organisation_import_register(directory=register)
        except RegisterError as error:
            raise CommandError(f"Could not import the jobcentre register: {error}") from error
        home = site_ensure_home_page()
        people = demo_people_ensure()
        timings["organisation_and_people"] = round(time.monotonic() - started, 1)
        try:
            content, tally = demo_content_ensure(home=home, video_format=video_format, wait_seconds=wait)
        except DemoContentError as error:
            raise CommandError(str(error)) from error
        except StorageUnavailable as error:
            raise CommandError(
                f"The media store could not be reached, so the demo videos were not stored: {error}"
            ) from error
        timings["content"] = round(time.monotonic() - started - sum(timings.values()), 1)
        demo_assignments_ensure(content=content, tally=tally)
        demo_activity_ensure(content=content, tally=tally)
        timings["activity"] = round(time.monotonic() - started - sum(timings.values()), 1)
        timings["total"] = round(time.monotonic() - started, 1)
        summary = {
            "organisation": organisation,
            "home_page": home.pk,
            **people,
            "learning": {
                "index": content.index.url,
                "series": content.series.pk,
                "items": [
                    {"id": page.pk, "type": page._meta.model_name, "title": page.title} for page in content.items()
                ],
            },
            "counts": tally.as_dict(),
            "seconds": timings,
        }
        self.stdout.write(json.dumps(summary))
