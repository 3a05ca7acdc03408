import os
from datetime import UTC, datetime
from io import StringIO

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench import harness
from bench.scenarios import API, draw_samples


def ensure_database() -> None:
    """Create the configured PostgreSQL database if it is missing (a fresh clone's first run)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise CommandError("The benchmark runs on PostgreSQL: set DATABASE_URL (make bench does).")
    params = {"dbname": "postgres", "user": db["USER"], "host": db["HOST"], "port": db["PORT"] or 5432}
    if db["PASSWORD"]:
        params["password"] = db["PASSWORD"]
    with psycopg.connect(**params, autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            admin.execute(f'CREATE DATABASE "{db["NAME"]}"')


class Command(BaseCommand):
    help = (
        "Benchmark the API: seed N learners if needed, start gunicorn, load each hot endpoint with wrk and print "
        "requests/s, p50/p99 latency, queries per request and the ratio to the reference endpoint. Run it "
        "through `make bench`, which sets the production-like environment."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--learners", type=int, default=int(os.environ.get("BENCH_LEARNERS", 10_000)))

    def handle(self, *args, learners: int, **options) -> None:
        if settings.DEBUG:
            raise CommandError("Benchmark production settings: DEBUG must be off (make bench sets DEBUG=0).")
        if not settings.REDIS_URL:
            raise CommandError("The benchmark runs on Redis: set REDIS_URL (make bench does).")
        ensure_database()
        quiet = StringIO()
        self.stdout.write(f"Database {settings.DATABASES['default']['NAME']}: migrating, then seeding if needed.")
        call_command("migrate", interactive=False, verbosity=0, stdout=quiet)
        call_command("collectstatic", interactive=False, verbosity=0, stdout=quiet)
        call_command("bench_seed", learners=learners, stdout=self.stdout)

        samples = draw_samples()
        if not samples.roadmaps or not samples.mentors:
            raise CommandError("The seeded data has no sample roadmaps or mentors; seed more learners.")
        learner = samples.roadmaps[0][0]
        full = samples.client.get(f"{API}/sync/", HTTP_AUTHORIZATION=f"Bearer {samples.tokens[learner]}")
        samples.sync_cursor = full.json()["cursor"]
        connection.close()  # the server's workers open their own

        load = harness.LoadSettings.from_env()
        var = settings.VAR_DIR
        var.mkdir(parents=True, exist_ok=True)
        started = datetime.now(tz=UTC)
        outcome = harness.run(samples, load, log=var / "gunicorn.log", say=self.stdout.write)
        text, all_met = harness.table(outcome["results"], outcome["phases"])
        self.stdout.write("")
        self.stdout.write(
            f"CareerHub bench, {learners:,} learners, {started:%Y-%m-%d %H:%M} UTC, "
            f"{os.cpu_count()} cores; ratios are to the reference endpoint of this run."
        )
        self.stdout.write(text)
        results_file = var / f"results-{learners}.json"
        results_file.write_text(
            harness.as_json(
                outcome["results"],
                outcome["phases"],
                learners=learners,
                started=started.isoformat(),
                cores=os.cpu_count(),
                load=load.__dict__,
            )
        )
        self.stdout.write(f"\nEvery target met: {'yes' if all_met else 'no'}. Results: {results_file}")
