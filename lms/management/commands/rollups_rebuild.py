import json
import time

from django.core.management.base import BaseCommand

from lms.services.rollups import rollup_rebuild


class Command(BaseCommand):
    help = (
        "Recount the completion reports' per-site roll-up from the completions, progress and staff records, "
        "replacing it in one transaction. Safe to run at any time. Prints JSON: rows, completed, in_progress, "
        "repaired (how many counts were wrong before) and seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-check", action="store_true", help="Skip counting how many roll-up rows were wrong (faster)."
        )

    def handle(self, *args, no_check: bool = False, **options):
        started = time.perf_counter()
        result = rollup_rebuild(check=not no_check)
        result["seconds"] = round(time.perf_counter() - started, 3)
        self.stdout.write(json.dumps(result))
