from collections import Counter
from datetime import datetime

import pytest
from django.core import mail

from notifications.delivery import deliveries_send, reminders_deliver
from notifications.models import Channel, Delivery, Reminder
from notifications.scan import reminders_scan


def deliver_due(now: datetime, channels=(Channel.EMAIL,)) -> Counter:
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
def outbox():
    mail.outbox = []
    return mail.outbox
