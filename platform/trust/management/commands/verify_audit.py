import json
import time

from django.core.management.base import BaseCommand, CommandError

from trust.audit import audit_verify


class Command(BaseCommand):
    help = ("Verify the audit log's hash chain and signed checkpoints. Exits 0 when intact; otherwise exits 1 "
            "naming the first bad entry (id, seq and what is wrong).")

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args, **options):
        started = time.perf_counter()
        result = audit_verify()
        elapsed = time.perf_counter() - started
        if options["json"]:
            self.stdout.write(_json(result.to_dict() | {"seconds": round(elapsed, 3)}))
        elif result.ok:
            self.stdout.write(f"OK: {result.entries} entries, {result.checkpoints} signed checkpoint(s), "
                              f"chain intact ({elapsed:.2f}s).")
            for note in result.notes:
                self.stdout.write(f"note: {note}")
        if not result.ok:
            p = result.problem
            raise CommandError(f"BROKEN at entry id={p.entry_id if p.entry_id is not None else '-'} seq={p.seq}: "
                               f"{p.kind}: {p.message}", returncode=1)


def _json(value) -> str:
    return json.dumps(value, default=str)
