"""How long the reminder scan and its fan-out take on a seeded database, and what one batch of
the fan-out costs in queries (the same for a batch of 10 reminders as for 1,000).

Everything runs inside one transaction that is rolled back, so the database is left as it was
and the figures repeat: the scan writes the week's reminders, a second scan finds nothing new,
the fan-out claims what is due (nothing is published: on-commit callbacks never run), and two
batches are processed as a worker would.
"""

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.delivery import reminders_deliver
from notifications.models import Kind, Reminder
from notifications.scan import reminders_fan_out, reminders_schedule


@dataclass
class BatchCost:
    reminders: int
    queries: int
    seconds: float
    outcome: dict


@dataclass
class ScanBenchmark:
    learners: int
    offered: dict[str, int]
    scan_seconds: float
    repeat_offered: int
    repeat_scan_seconds: float
    due: int
    fan_out_seconds: float
    batches: list[BatchCost] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [
            f"scan: {sum(self.offered.values()):,} reminders written in {self.scan_seconds:.2f} s "
            f"({', '.join(f'{kind} {count:,}' for kind, count in self.offered.items() if count)})",
            f"scan again: {self.repeat_offered:,} written in {self.repeat_scan_seconds:.2f} s",
            f"fan-out: {self.due:,} due reminders claimed and queued in chunks in {self.fan_out_seconds:.2f} s",
        ]
        lines += [
            f"one batch of {batch.reminders:,} digests: {batch.queries} queries, {batch.seconds:.2f} s "
            f"({batch.outcome})"
            for batch in self.batches
        ]
        return lines


def _batch(ids: list[int], now: datetime) -> BatchCost:
    with CaptureQueriesContext(connection) as queries:
        started = time.monotonic()
        outcome = reminders_deliver(reminder_ids=ids, now=now)
        seconds = time.monotonic() - started
    return BatchCost(reminders=len(ids), queries=len(queries), seconds=seconds, outcome=dict(outcome))


def scan_benchmark(*, learners: int, batch_sizes: tuple[int, ...] = (10, 1000), now: datetime | None = None):
    """Scan and fan out at ``now``, then process batches as if a week had passed (all due)."""
    now = now or timezone.now()
    with transaction.atomic():
        started = time.monotonic()
        offered = reminders_schedule(now=now)
        scan_seconds = time.monotonic() - started

        started = time.monotonic()
        repeat = sum(reminders_schedule(now=now).values())
        repeat_seconds = time.monotonic() - started

        week_later = now + timedelta(days=7)
        started = time.monotonic()
        due = reminders_fan_out(now=week_later)
        fan_out_seconds = time.monotonic() - started

        report = ScanBenchmark(
            learners=learners,
            offered=offered,
            scan_seconds=scan_seconds,
            repeat_offered=repeat,
            repeat_scan_seconds=repeat_seconds,
            due=due,
            fan_out_seconds=fan_out_seconds,
        )
        # Batches of one kind, the weekly digest (the heaviest and most common), so that the two
        # sizes differ in size only: the queries depend on the kinds in a batch, never its size.
        pending = Reminder.objects.filter(
            state=Reminder.State.PENDING, due_at__lte=week_later, kind=Kind.LEARNER_DIGEST
        ).order_by("id")
        ids = list(pending.values_list("id", flat=True)[: sum(batch_sizes)])
        for size in batch_sizes:
            batch, ids = ids[:size], ids[size:]
            report.batches.append(_batch(batch, week_later))
        transaction.set_rollback(True)
    return report
