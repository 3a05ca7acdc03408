from datetime import UTC, date, datetime

import pytest
import time_machine

from notifications.models import Notification, Reminder
from roadmaps.services.learning import roadmap_enroll
from tests.factories import small_path
from tests.notifications.conftest import tick

pytestmark = pytest.mark.django_db


def test_target_soon_goes_to_inbox_and_email(learner, outbox):
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path())
    milestone = roadmap.milestones.first()
    milestone.target_date = date(2026, 6, 12)
    milestone.save(update_fields=["target_date"])

    early = datetime(2026, 6, 9, 6, 0, tzinfo=UTC)  # 08:00 in Berlin, before the preferred hour
    with time_machine.travel(early, tick=False):
        tick(early)
    assert Notification.objects.count() == 0
    reminder = Reminder.objects.get(kind="target_soon")
    assert reminder.due_at == datetime(2026, 6, 9, 7, 0, tzinfo=UTC)  # 09:00 Berlin summer time

    later = datetime(2026, 6, 9, 7, 5, tzinfo=UTC)
    with time_machine.travel(later, tick=False):
        tick(later)
        tick(later)
    note = Notification.objects.get()
    assert note.title.startswith(milestone.title)
    assert len(outbox) == 1
    assert outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
