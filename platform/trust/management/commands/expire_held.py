from django.core.management.base import BaseCommand

from trust.review import held_expire, held_expiry


class Command(BaseCommand):
    help = "Reject held requests nobody reviewed within HALLMARK_HELD_EXPIRY_S (beat runs this every minute)."

    def handle(self, *args, **options):
        expired = held_expire()
        self.stdout.write(f"Expired {len(expired)} request(s) held longer than {held_expiry()}.")
        for job_id in expired:
            self.stdout.write(f"  {job_id}")
