from collections import Counter
from datetime import datetime, timedelta

import pytest
from django.core import mail

from notifications.delivery import deliveries_send, reminders_deliver
from notifications.models import Channel, Delivery, Reminder
from notifications.scan import reminders_scan


def deliver_due(now: datetime, channels=(Channel.EMAIL, Channel.PUSH)) -> Counter:
    """What the worker does after a scan: process the due reminders, then send their emails and pushes."""
    due = list(Reminder.objects.filter(state="pending", due_at__lte=now).values_list("id", flat=True))
    outcome = reminders_deliver(reminder_ids=due, now=now)
    for channel in channels:
        pending = list(Delivery.objects.filter(state="pending", channel=channel).values_list("id", flat=True))
        outcome.update({f"{channel}_{k}": v for k, v in deliveries_send(channel=channel, delivery_ids=pending).items()})
    return outcome


def tick(now: datetime) -> Counter:
    """One beat tick at ``now``: the scan, then everything it fanned out."""
    reminders_scan(now=now)
    return deliver_due(now)


@pytest.fixture
def learner(db):
    """A learner in Berlin who confirmed their email address (so email reminders reach them)."""
    from tests.factories import UserFactory

    return UserFactory(time_zone="Europe/Berlin", verified=True)


@pytest.fixture
def outbox():
    mail.outbox = []
    return mail.outbox


def enrolled(user, *, path=None):
    """The user's roadmap on a small path (a skill, a course, a certification, a project)."""
    from roadmaps.models import CareerPath
    from roadmaps.services.learning import roadmap_enroll
    from tests.factories import small_path

    path = path or CareerPath.objects.filter(slug="mlops-engineer").first() or small_path()
    roadmap, _ = roadmap_enroll(learner=user, path=path)
    return roadmap


def with_target(milestone, target):
    milestone.target_date = target
    milestone.save(update_fields=["target_date"])
    return milestone


def log(user, milestone, *, minutes: int, at, state=None):
    import uuid

    from roadmaps.services.learning import progress_entry_log

    return progress_entry_log(
        learner=user, milestone_id=milestone.pk, entry_id=uuid.uuid4(), minutes=minutes, logged_at=at, state=state
    )[0]


def ticks(start: datetime, end: datetime, every_minutes: int = 5) -> Counter:
    """Beat ticking from ``start`` to ``end``, with the clock following."""
    import time_machine

    total: Counter = Counter()
    now = start
    while now <= end:
        with time_machine.travel(now, tick=False):
            total.update(tick(now))
        now += timedelta(minutes=every_minutes)
    return total
