import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lms.services.organisation import RegisterError, organisation_import_register


class Command(BaseCommand):
    help = (
        "Import the DWP jobcentre register from DIR (jobcentre.csv, jobcentre-district.csv, jobcentre-group.csv). "
        "Re-running updates in place; a malformed file imports nothing. Prints counts as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options):
        try:
            counts = organisation_import_register(directory=directory)
        except RegisterError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(counts))
