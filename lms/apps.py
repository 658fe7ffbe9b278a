from django.apps import AppConfig


class LmsConfig(AppConfig):
    name = "lms"
    verbose_name = "Learning"

    def ready(self) -> None:
        from lms import rollup_signals  # noqa: F401  (connects the roll-up's StaffProfile receivers)
