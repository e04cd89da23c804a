from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run Celery beat: signed audit checkpoints and expiry of unreviewed held requests (CELERY_BEAT_SCHEDULE)."

    def add_arguments(self, parser):
        parser.add_argument("--loglevel", default="INFO")

    def handle(self, *args, loglevel: str, **options):
        from hallmark.celery import app

        schedule = settings.VAR_DIR / "celerybeat-schedule"
        schedule.parent.mkdir(parents=True, exist_ok=True)
        app.start(["beat", "--loglevel", loglevel, "--schedule", str(schedule)])
