"""The notifications part of a user's data export (accounts/exports.py lists it)."""

from typing import Any

from notifications.models import Device, Notification, Reminder
from notifications.selectors import preferences_data


def notifications_section(user) -> dict[str, Any]:
    return {
        "preferences": preferences_data(user=user),
        "inbox": list(
            Notification.objects.filter(user=user)
            .order_by("created_at", "id")
            .values("id", "kind", "title", "body", "data", "created_at", "read_at")
        ),
        "reminders": list(
            Reminder.objects.filter(user=user)
            .order_by("id")
            .values("id", "kind", "period", "due_at", "state", "reason", "processed_at")
        ),
        # Push tokens are credentials of the phone, not the user's data: left out.
        "devices": list(
            Device.objects.filter(user=user)
            .order_by("id")
            .values("id", "platform", "name", "active", "created_at", "last_seen_at")
        ),
    }
