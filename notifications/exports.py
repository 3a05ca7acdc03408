"""The notifications part of a user's data export (accounts/exports.py lists it)."""

from typing import Any

from notifications.models import Channel, Device, Notification, Reminder
from notifications.rules import DEFAULT_CHANNELS, prefs_of
from notifications.selectors import preference_of


def notifications_section(user) -> dict[str, Any]:
    prefs = prefs_of(user.time_zone, preference_of(user=user))
    return {
        "preferences": {
            "preferred_hour": prefs.preferred_hour,
            "digest_weekday": prefs.digest_weekday,
            "quiet_hours": (
                {"start": prefs.quiet_start, "end": prefs.quiet_end} if prefs.quiet_start is not None else None
            ),
            "daily_cap": prefs.daily_cap,
            "channels": {
                kind: {channel: prefs.channel_on(kind, channel) for channel in Channel.values}
                for kind in DEFAULT_CHANNELS
            },
        },
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
