from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run a Celery worker for the given queues (safety: the gates, output checks and stamping; gpu: generation)."

    def add_arguments(self, parser):
        parser.add_argument("--queues", default="safety,gpu")
        parser.add_argument("--pool", default="solo", help="solo for gpu (one job at a time), threads for safety")
        parser.add_argument("--concurrency", type=int, default=1)
        parser.add_argument("--hostname", default=None)
        parser.add_argument("--loglevel", default="INFO")

    def handle(self, *args, queues, pool, concurrency, hostname, loglevel, **options):
        from hallmark.celery import app

        argv = ["worker", "-Q", queues, "--pool", pool, "--concurrency", str(concurrency), "--loglevel", loglevel,
                "--without-gossip", "--without-mingle"]
        if hostname:
            argv += ["--hostname", hostname]
        app.worker_main(argv)
