from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Jobs and images"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (warm-up of worker processes)
