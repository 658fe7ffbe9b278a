import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from lms.services.privacy import learner_data_export, learner_erase


class Command(BaseCommand):
    help = "Export (default) or erase one learner's personal data. Prints JSON."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--erase",
            action="store_true",
            help="Erase the learner: their account, progress, completions and sign-in records. Cannot be undone.",
        )
        parser.add_argument("--yes", action="store_true", help="Confirm --erase without asking.")

    def handle(self, *args, username, erase, yes, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user with the username {username!r}.")
        if not erase:
            self.stdout.write(json.dumps(learner_data_export(user=user), indent=2))
            return
        if not yes:
            raise CommandError("Erasing cannot be undone: run it again with --erase --yes to confirm.")
        self.stdout.write(json.dumps(learner_erase(user=user)))
