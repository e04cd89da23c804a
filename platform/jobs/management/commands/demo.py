"""`make demo`: set up the embedded platform once, then serve it with a real worker."""
from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

ROOT = Path(settings.BASE_DIR)
VAR = ROOT / "var"


class Command(BaseCommand):
    help = "Prepare the demo (database, tiny model, development CA, users, key) and serve it with a Celery worker."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
        parser.add_argument("--setup-only", action="store_true", help="Prepare everything, then exit.")

    def handle(self, *args, port: int, setup_only: bool, **options):
        if settings.HALLMARK_ENV != "demo":
            self.stderr.write(f"Warning: HALLMARK_ENV is {settings.HALLMARK_ENV!r}, not 'demo' (set in the environment).")
        call_command("migrate", interactive=False, verbosity=0)
        self._model()
        self._keys()
        self._users_and_key()
        if setup_only:
            return
        self._serve(port)

    def _model(self) -> None:
        from generation import tiny_model

        source = settings.HALLMARK["MODEL_SOURCE"]
        if Path(source).is_absolute() or source.startswith("."):
            self.stdout.write(f"Model: {source} (the tiny offline demo model: it paints noise; see README to use Karlo)")
            tiny_model.build(source)

    def _keys(self) -> None:
        from provenance import devca

        folder = Path(settings.HALLMARK["SIGNING_KEY"]).parent
        devca.create(folder)
        self.stdout.write(f"Signing: development CA in {folder} (trusted only where ca.pem is a trust anchor)")
        from provenance.keys import create_key_file

        key = create_key_file(settings.HALLMARK["WATERMARK_KEY"])  # kept if present: older images stay readable
        self.stdout.write(f"Watermark: secret key in {key} (mode 0600; never commit it)")

    def _users_and_key(self) -> None:
        from accounts.services import api_key_create, user_get_or_create

        creds_file = VAR / "demo-credentials.json"
        creds = json.loads(creds_file.read_text()) if creds_file.exists() else {}
        for username, staff in (("demo", False), ("staff", True)):
            password = creds.get(username) or secrets.token_urlsafe(12)
            user, created = user_get_or_create(username=username, password=password, is_staff=staff)
            if staff and not user.is_superuser:
                user.is_superuser = True
                user.save(update_fields=["is_superuser"])
            creds[username] = password
        # Passwords: created 0600 from the start, never world-readable even briefly.
        fd = os.open(creds_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(json.dumps(creds))
        demo = user_get_or_create(username="demo")[0]
        _, raw = api_key_create(user=demo, name="demo")
        self.stdout.write("")
        self.stdout.write(f"  Web user:   demo / {creds['demo']}")
        self.stdout.write(f"  Staff user: staff / {creds['staff']}   (review queue: /staff/ or /admin/)")
        self.stdout.write(f"  API key for 'demo' (shown once): {raw}")
        self.stdout.write("")

    def _serve(self, port: int) -> None:
        manage = str(ROOT / "manage.py")
        # Everything shares this machine's cores, and the demo's "GPU" worker is the CPU: the workers
        # run at a lower priority (nice 10) so the web server answers first (issue #13: GET /v1/models
        # stays fast while the queue is full). Queued work only waits a little longer.
        background = {"preexec_fn": lambda: os.nice(10)}
        workers = [
            subprocess.Popen([sys.executable, manage, "worker", "--queues", "safety", "--pool", "threads",
                              "--concurrency", "2", "--hostname", "safety@%h"], **background),
            subprocess.Popen([sys.executable, manage, "worker", "--queues", "gpu", "--pool", "solo",
                              "--hostname", "gpu@%h"], **background),
            # Beat: signed audit checkpoints and expiry of held requests nobody reviewed.
            subprocess.Popen([sys.executable, manage, "beat", "--loglevel", "WARNING"], **background),
        ]
        self.stdout.write(f"Serving on http://127.0.0.1:{port}/ (Ctrl-C stops the web server and the workers)")
        try:
            subprocess.call([sys.executable, manage, "runserver", f"127.0.0.1:{port}", "--noreload"])
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                try:
                    worker.wait(15)
                except subprocess.TimeoutExpired:
                    worker.kill()
