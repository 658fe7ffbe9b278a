import json
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lms.services.privacy import heartbeat_detail_prune


class Command(BaseCommand):
    help = "Delete heartbeat detail older than the retention period; progress and completions are kept."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep this many days of heartbeat detail (default: the HEARTBEAT_RETENTION_DAYS setting).",
        )

    def handle(self, *args, days, **options):
        days = settings.HEARTBEAT_RETENTION_DAYS if days is None else days
        if days < 1:
            raise CommandError("--days must be at least 1: the detail of live viewing sessions is still in use.")
        self.stdout.write(json.dumps(heartbeat_detail_prune(older_than=timedelta(days=days))))
