import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from trust.audit import audit_redact


class Command(BaseCommand):
    help = ("Delete stored prompts from audit entries older than --days (retention). The entries keep the "
            "content's hash, so the chain still verifies, and the redaction is itself audited.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, required=True)
        parser.add_argument("--reason", default="retention")

    def handle(self, *args, days: int, reason: str, **options):
        if days < 0:
            raise CommandError("--days must be >= 0")
        count = audit_redact(before=timezone.now() - dt.timedelta(days=days), actor="redact_audit", reason=reason)
        self.stdout.write(f"Redacted the content of {count} entr{'y' if count == 1 else 'ies'}.")
