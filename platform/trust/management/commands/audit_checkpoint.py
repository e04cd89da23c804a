from django.core.management.base import BaseCommand, CommandError

from trust.audit import CheckpointUnavailable, audit_checkpoint


class Command(BaseCommand):
    help = "Sign the audit log's head now with the provenance signing key (beat does it every few minutes)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Sign even if the head has not moved.")

    def handle(self, *args, force: bool, **options):
        try:
            cp = audit_checkpoint(force=force)
        except CheckpointUnavailable as exc:
            raise CommandError(str(exc))
        if cp is None:
            self.stdout.write("Nothing new since the last checkpoint (use --force to sign again).")
        else:
            self.stdout.write(f"Checkpoint {cp.id}: seq {cp.seq}, head {cp.entry_hash}")
