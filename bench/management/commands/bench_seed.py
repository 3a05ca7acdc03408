from io import StringIO

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from bench import seed as bench_seed


class Command(BaseCommand):
    help = (
        "Fill the database with benchmark data: N learners on the real catalog, their roadmaps, progress over "
        "12 weeks, mentors with 20 to 50 mentees and pending reviews (PostgreSQL COPY). Does nothing when the "
        "database already holds N learners; with another number it starts over, on a database whose name "
        "contains 'bench' only."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--learners", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=7, help="Random seed: the same data for the same seed.")

    def handle(self, *args, learners: int, seed: int, verbosity: int = 1, **options) -> None:
        if learners < 1:
            raise CommandError("--learners must be at least 1.")
        present = bench_seed.seeded_learners()
        if present == learners:
            self.stdout.write(f"The database already holds {learners} bench learners; nothing to do.")
            return
        if present:
            self.stdout.write(f"The database holds {present} bench learners, not {learners}: starting over.")
            try:
                bench_seed.wipe()
            except ValueError as error:
                raise CommandError(str(error)) from None
        call_command("load_catalog", stdout=StringIO())

        def progress(done: int, rows, seconds: float) -> None:
            if verbosity > 1 or done == learners or done % 20_000 == 0:
                total = sum(rows.values())
                self.stdout.write(f"  {done} learners, {total} rows, {seconds:.0f} s ({total / seconds:,.0f} rows/s)")

        report = bench_seed.seed(learners=learners, seed=seed, progress=progress)
        for table, count in sorted(report.rows.items()):
            self.stdout.write(f"  {table:32} {count:>12,}")
        self.stdout.write(
            f"Seeded {learners} learners: {report.total_rows:,} rows in {report.seconds:.1f} s "
            f"({report.rows_per_second:,.0f} rows/s)."
        )
        bench_seed.analyze()
