import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from notifications.benchmark import scan_benchmark


class Command(BaseCommand):
    help = (
        "Benchmark the reminder scan: seed N learners if needed (the benchmark's generator), then time the "
        "scan, a repeated scan, the fan-out, and one batch of 10 and of 1,000 reminders with their query "
        "counts. Nothing is kept: it all runs in a transaction that is rolled back. `make bench-reminders`."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--learners", type=int, default=int(os.environ.get("BENCH_LEARNERS", 100_000)))

    def handle(self, *args, learners: int, **options) -> None:
        from bench.management.commands.bench import ensure_database

        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            raise CommandError("The benchmark runs on PostgreSQL: set DATABASE_URL (make bench-reminders does).")
        ensure_database()
        call_command("migrate", interactive=False, verbosity=0)
        call_command("bench_seed", learners=learners, stdout=self.stdout)
        self.stdout.write(f"Reminder scan on {learners:,} learners ({os.cpu_count()} cores):")
        for line in scan_benchmark(learners=learners).lines():
            self.stdout.write(f"  {line}")
