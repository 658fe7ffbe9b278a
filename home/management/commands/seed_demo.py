import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from home.services import site_ensure_home_page
from lms.services.demo import demo_people_ensure
from lms.services.organisation import RegisterError, organisation_import_register


class Command(BaseCommand):
    help = (
        "Create the demo: page tree, the real jobcentre organisation, demo users per role and synthetic staff. "
        "Idempotent: safe to run again. Prints a JSON summary with the demo logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--register",
            type=Path,
            default=None,
            help="Folder holding the DWP jobcentre register CSVs (default: settings.JOBCENTRE_REGISTER_DIR).",
        )

    def handle(self, *args, register: Path | None, **options):
        register = register or Path(settings.JOBCENTRE_REGISTER_DIR)
        try:
            organisation = organisation_import_register(directory=register)
        except RegisterError as error:
            raise CommandError(f"Could not import the jobcentre register: {error}") from error
        home = site_ensure_home_page()
        people = demo_people_ensure()
        summary = {"organisation": organisation, "home_page": home.pk, **people}
        self.stdout.write(json.dumps(summary))
