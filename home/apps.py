from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "Home"

    def ready(self) -> None:
        from home import signals  # noqa: F401  (connects the sign-in audit receivers)
