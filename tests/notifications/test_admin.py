from datetime import UTC, datetime

import pytest
from django.urls import reverse

from notifications.models import Delivery, Reminder
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reminder():
    reminder = Reminder.objects.create(
        user=UserFactory(),
        kind="overdue",
        subject_id=1,
        period="2026-06-10",
        due_at=datetime(2026, 6, 11, 7, tzinfo=UTC),
        state="skipped",
        reason="milestone_done",
    )
    Delivery.objects.create(reminder=reminder, channel="email", state="failed", reason="recipient refused")
    return reminder


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:notifications_reminder_changelist") + "?state__exact=skipped&q=milestone_done",
        reverse("admin:notifications_delivery_changelist") + "?state__exact=failed",
        reverse("admin:notifications_notification_changelist"),
        reverse("admin:notifications_preference_changelist"),
        reverse("admin:notifications_device_changelist") + "?active__exact=1",
        reverse("admin:notifications_pushmessage_changelist"),
    ],
)
def test_staff_follow_the_ledger_in_the_admin(admin_client, reminder, url):
    response = admin_client.get(url)

    assert response.status_code == 200


def test_the_ledger_cannot_be_edited_in_the_admin(admin_client, reminder):
    page = admin_client.get(reverse("admin:notifications_reminder_change", args=[reminder.pk]))
    post = admin_client.post(reverse("admin:notifications_reminder_change", args=[reminder.pk]), {"state": "pending"})

    assert page.status_code == 200
    assert "recipient refused" in page.content.decode()
    assert post.status_code == 403
    assert Reminder.objects.get(pk=reminder.pk).state == "skipped"
