"""The reminder scan, ticked by beat: it writes what will be due as ledger rows, then fans out
what is due now in chunks.

Each rule is one set-based query over the candidates (read in chunks), local times computed
per row in the user's zone, and one ``INSERT ... ON CONFLICT DO NOTHING`` per chunk: running
the scan twice, or two beats at once, adds nothing because the ledger's unique key
(user, kind, subject, period) already holds the row.
"""

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from itertools import islice

from django.db import transaction
from django.db.models import CharField, Exists, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import Mentorship, User
from notifications.delivery import due_for_attempt
from notifications.models import Delivery, Kind, Preference, Reminder
from notifications.rules import Prefs, config, iso_week, prefs_of
from notifications.services.reminders import enqueue_rows_on_commit
from roadmaps.models import Milestone, ProgressEntry, ReviewSubmission, Roadmap

logger = logging.getLogger(__name__)

State = Milestone.State
ACTIONABLE = (State.NOT_STARTED, State.IN_PROGRESS, State.CHANGES_REQUESTED)
OVERDUE_LOOKBACK_DAYS = 30  # an older missed target is not announced any more
SLICE_IDS = 50_000  # candidates are read this many primary keys at a time


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _prefs_for(users: dict[int, str]) -> dict[int, Prefs]:
    """Preferences of the users (id -> time zone) of one chunk: one query."""
    rows = {row.user_id: row for row in Preference.objects.filter(user_id__in=users)}
    return {user_id: prefs_of(zone, rows.get(user_id)) for user_id, zone in users.items()}


def _slices(candidates) -> Iterator[list[dict]]:
    """The candidates, read one range of primary keys at a time.

    Not through a server-side cursor (``iterator()``): PostgreSQL plans a cursor for its first
    rows, and for these anti-joins that plan was a nested loop taking minutes where the plain
    query takes a fraction of a second (100,000 learners, just after a scan wrote 93,000 rows).
    Ranges keep the plain plan and bound the memory.
    """
    bounds = candidates.model.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return
    for low in range(bounds["low"], bounds["high"] + 1, SLICE_IDS):
        yield list(candidates.filter(pk__gte=low, pk__lt=low + SLICE_IDS))


def _write(candidates, build: Callable[[dict, Prefs], Reminder | None], *, user_key: str, zone_key: str) -> int:
    """Read ``candidates`` (a values() queryset) in slices; ``build`` makes the row or None."""
    written = 0
    for rows_of_slice in _slices(candidates):
        for chunk in _chunks(rows_of_slice, config("CHUNK_SIZE")):
            prefs = _prefs_for({row[user_key]: row[zone_key] for row in chunk})
            rows = [reminder for row in chunk if (reminder := build(row, prefs[row[user_key]]))]
            Reminder.objects.bulk_create(rows, ignore_conflicts=True)
            written += len(rows)
    return written


def _milestone_candidates(kind: str):
    period = Cast(OuterRef("target_date"), output_field=CharField())
    already = Reminder.objects.filter(
        kind=kind, user=OuterRef("roadmap__learner"), subject_id=OuterRef("pk"), period=period
    )
    return (
        Milestone.objects.filter(
            state__in=ACTIONABLE,
            target_date__isnull=False,
            roadmap__status=Roadmap.Status.ACTIVE,
            roadmap__learner__is_active=True,
        )
        .exclude(Exists(already))
        .order_by()
    )


def _write_for_milestones(candidates, build: Callable[[dict, Prefs], Reminder | None]) -> int:
    rows = candidates.values("id", "target_date", "roadmap__learner_id", "roadmap__learner__time_zone")
    return _write(rows, build, user_key="roadmap__learner_id", zone_key="roadmap__learner__time_zone")


def _target_soon(now: datetime) -> int:
    days = config("TARGET_SOON_DAYS")
    # The window is in UTC days, a day wider on each side than any local "today".
    candidates = _milestone_candidates(Kind.TARGET_SOON).filter(
        target_date__gte=now.date() - timedelta(days=1), target_date__lte=now.date() + timedelta(days=days + 1)
    )

    def build(row: dict, prefs: Prefs) -> Reminder | None:
        today = prefs.local(now).date()
        target = row["target_date"]
        if target < today or (target - today).days > days:
            return None
        return Reminder(
            user_id=row["roadmap__learner_id"],
            kind=Kind.TARGET_SOON,
            subject_id=row["id"],
            period=target.isoformat(),
            due_at=prefs.at(max(target - timedelta(days=days), today), prefs.preferred_hour),
        )

    return _write_for_milestones(candidates, build)


def _overdue(now: datetime) -> int:
    candidates = _milestone_candidates(Kind.OVERDUE).filter(
        target_date__lte=now.date(), target_date__gte=now.date() - timedelta(days=OVERDUE_LOOKBACK_DAYS)
    )

    def build(row: dict, prefs: Prefs) -> Reminder | None:
        target = row["target_date"]
        if target >= prefs.local(now).date():
            return None
        return Reminder(
            user_id=row["roadmap__learner_id"],
            kind=Kind.OVERDUE,
            subject_id=row["id"],
            period=target.isoformat(),
            due_at=prefs.at(target + timedelta(days=1), prefs.preferred_hour),
        )

    return _write_for_milestones(candidates, build)


def _inactivity(now: datetime) -> int:
    """Learners with nothing logged for INACTIVITY_DAYS and no nudge in the last week. Whether
    they are behind their pace is judged at send time, on the full stats."""
    quiet_since = now - timedelta(days=config("INACTIVITY_DAYS"))
    candidates = (
        User.objects.filter(is_active=True)
        .filter(
            Exists(
                Roadmap.objects.filter(
                    learner=OuterRef("pk"), status=Roadmap.Status.ACTIVE, created_at__lte=quiet_since
                )
            )
        )
        .exclude(Exists(ProgressEntry.objects.filter(learner=OuterRef("pk"), logged_at__gte=quiet_since)))
        .exclude(
            Exists(
                Reminder.objects.filter(
                    user=OuterRef("pk"), kind=Kind.INACTIVITY, created_at__gte=now - timedelta(days=7)
                )
            )
        )
        .order_by()
        .values("id", "time_zone")
    )

    def build(row: dict, prefs: Prefs) -> Reminder:
        return Reminder(
            user_id=row["id"],
            kind=Kind.INACTIVITY,
            subject_id=row["id"],
            period=iso_week(prefs.local(now).date()),
            due_at=prefs.next_preferred(now),
        )

    return _write(candidates, build, user_key="id", zone_key="time_zone")


def _digest(kind: str, recipients, now: datetime) -> int:
    """The next weekly digest of every recipient without one waiting: on their digest weekday at
    their preferred hour, in a week after the last one they had."""
    last = Reminder.objects.filter(user=OuterRef("pk"), kind=kind).order_by("-period").values("period")[:1]
    candidates = (
        recipients.filter(is_active=True)
        .exclude(Exists(Reminder.objects.filter(user=OuterRef("pk"), kind=kind, state=Reminder.State.PENDING)))
        .annotate(last_period=Subquery(last))
        .order_by()
        .values("id", "time_zone", "last_period")
    )

    def build(row: dict, prefs: Prefs) -> Reminder:
        today = prefs.local(now).date()
        day = today + timedelta(days=(prefs.digest_weekday - today.weekday()) % 7)
        if prefs.at(day, prefs.preferred_hour) < now:
            day += timedelta(days=7)
        if row["last_period"] and iso_week(day) <= row["last_period"]:
            day += timedelta(days=7)
        return Reminder(
            user_id=row["id"],
            kind=kind,
            subject_id=row["id"],
            period=iso_week(day),
            due_at=prefs.at(day, prefs.preferred_hour),
        )

    return _write(candidates, build, user_key="id", zone_key="time_zone")


def _learner_digest(now: datetime) -> int:
    learners = User.objects.filter(Exists(Roadmap.objects.filter(learner=OuterRef("pk"), status=Roadmap.Status.ACTIVE)))
    return _digest(Kind.LEARNER_DIGEST, learners, now)


def _mentor_digest(now: datetime) -> int:
    mentors = User.objects.filter(
        Exists(Mentorship.objects.filter(mentor=OuterRef("pk"), state=Mentorship.State.ACTIVE))
    )
    return _digest(Kind.MENTOR_DIGEST, mentors, now)


def _review_waiting(now: datetime) -> int:
    """Each active mentor of a learner whose submission has waited REVIEW_WAITING_DAYS, once."""
    cutoff = now - timedelta(days=config("REVIEW_WAITING_DAYS"))
    candidates = (
        ReviewSubmission.objects.filter(
            state=ReviewSubmission.State.PENDING,
            created_at__lte=cutoff,
            learner__mentor_links__state=Mentorship.State.ACTIVE,
            learner__mentor_links__mentor__is_active=True,
        )
        .exclude(Exists(Reminder.objects.filter(kind=Kind.REVIEW_WAITING, subject_id=OuterRef("pk"))))
        .order_by()
        .values("id", "learner__mentor_links__mentor_id", "learner__mentor_links__mentor__time_zone")
    )

    def build(row: dict, prefs: Prefs) -> Reminder:
        return Reminder(
            user_id=row["learner__mentor_links__mentor_id"],
            kind=Kind.REVIEW_WAITING,
            subject_id=row["id"],
            period="once",
            due_at=prefs.next_preferred(now),
        )

    return _write(
        candidates,
        build,
        user_key="learner__mentor_links__mentor_id",
        zone_key="learner__mentor_links__mentor__time_zone",
    )


RULES = {
    Kind.TARGET_SOON: _target_soon,
    Kind.OVERDUE: _overdue,
    Kind.INACTIVITY: _inactivity,
    Kind.LEARNER_DIGEST: _learner_digest,
    Kind.MENTOR_DIGEST: _mentor_digest,
    Kind.REVIEW_WAITING: _review_waiting,
}


def reminders_schedule(*, now: datetime | None = None) -> dict[str, int]:
    """Write the rows of every scheduled kind; answers how many rows each rule offered."""
    now = now or timezone.now()
    return {str(kind): rule(now) for kind, rule in RULES.items()}


def _claim(queryset, ids_field: str = "id") -> list[int]:
    return list(queryset.select_for_update(skip_locked=True).values_list(ids_field, flat=True))


def reminders_fan_out(*, now: datetime | None = None) -> int:
    """Enqueue the due reminders (and any email or push still unsent) in chunks, after commit.

    A row enqueued less than REQUEUE_AFTER ago is left alone; an older one whose message was
    lost (a broker outage, a purged queue) is enqueued again. Locked rows belong to a
    concurrent fan-out or a worker and are skipped.
    """
    from notifications import tasks  # tasks import the services; this keeps the import one way

    now = now or timezone.now()
    stale = Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - config("REQUEUE_AFTER"))
    enqueued = 0
    with transaction.atomic():
        due = _claim(
            Reminder.objects.filter(stale, state=Reminder.State.PENDING, due_at__lte=now).order_by("due_at", "id")
        )
        for chunk in _chunks(due, config("CHUNK_SIZE")):
            Reminder.objects.filter(pk__in=chunk).update(enqueued_at=now)
            enqueue_rows_on_commit(tasks.deliver_reminders, chunk, model=Reminder)
            enqueued += len(chunk)
        for channel, task in (("email", tasks.send_emails), ("push", tasks.send_pushes)):
            unsent = _claim(
                Delivery.objects.filter(
                    stale, due_for_attempt(now), state=Delivery.State.PENDING, channel=channel
                ).order_by("id")
            )
            for chunk in _chunks(unsent, config("CHUNK_SIZE")):
                Delivery.objects.filter(pk__in=chunk).update(enqueued_at=now)
                enqueue_rows_on_commit(task, chunk, model=Delivery)
                enqueued += len(chunk)
    return enqueued


def reminders_scan(*, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    offered = reminders_schedule(now=now)
    enqueued = reminders_fan_out(now=now)
    logger.info("reminder scan: offered %s, enqueued %d", offered, enqueued)
    return {"offered": offered, "enqueued": enqueued}
