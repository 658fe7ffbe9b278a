"""`manage.py media_recover [--orphans] [--every SECONDS]`: queue again the media work whose worker died.

Prints JSON: {"requeued", "given_up", "erasures_requeued", "lost_tasks", "workdirs_deleted"} and, with --orphans,
"orphans_deleted".
"""

import json
import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections

from media_pipeline.services.recovery import media_recover_all
from media_pipeline.storage import StorageUnavailable

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Queue again videos whose processing or erasure lost its worker, and mark the dead task rows failed. "
        'Prints {"requeued", "given_up", "erasures_requeued", "lost_tasks", "workdirs_deleted"}. Safe to run at any '
        "time, on any node."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--orphans",
            action="store_true",
            help="Also delete stored objects of videos that do not exist (lists the bucket: run it daily).",
        )
        parser.add_argument(
            "--every",
            type=float,
            metavar="SECONDS",
            help="Keep running, once every SECONDS (printing a line whenever something was recovered).",
        )

    def handle(self, *args, every: float | None = None, orphans: bool = False, **options):
        if every is None:
            try:
                report = media_recover_all(orphans=orphans)
            except DatabaseError as error:
                raise CommandError(f"The database could not be reached: {error}") from error
            except StorageUnavailable as error:
                raise CommandError(f"The media store could not be reached: {error}") from error
            self.stdout.write(json.dumps(report.as_dict()))
            return
        if every <= 0:
            raise CommandError("--every must be a positive number of seconds.")
        while True:
            close_old_connections()
            try:
                report = media_recover_all(orphans=orphans)
            except (DatabaseError, StorageUnavailable):
                logger.exception("media_recover: the database or the media store could not be reached; trying later")
            else:
                if report:
                    self.stdout.write(json.dumps(report.as_dict()))
                    self.stdout.flush()
            time.sleep(every)
