"""Reads of the notifications: the inbox, preferences, and reviews left waiting for staff."""

from datetime import timedelta

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Mentorship, User
from notifications.models import Channel, Notification, Preference
from notifications.rules import DEFAULT_CHANNELS, config, prefs_of
from roadmaps.models import ReviewSubmission


def inbox(*, user: User, unread: bool | None = None) -> QuerySet[Notification]:
    notifications = Notification.objects.filter(user=user)
    if unread is not None:
        notifications = notifications.filter(read_at__isnull=unread)
    return notifications


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_get(*, user: User, notification_id: int) -> Notification:
    return get_object_or_404(Notification, pk=notification_id, user=user)


def preference_of(*, user: User) -> Preference | None:
    return Preference.objects.filter(user=user).first()


def preferences_data(*, user: User) -> dict:
    """The user's reminder preferences with the defaults filled in, as the API and the export show them."""
    prefs = prefs_of(user.time_zone, preference_of(user=user))
    return {
        "preferred_hour": prefs.preferred_hour,
        "digest_weekday": prefs.digest_weekday,
        "quiet_hours": {"start": prefs.quiet_start, "end": prefs.quiet_end} if prefs.quiet_start is not None else None,
        "daily_cap": prefs.daily_cap,
        "channels": {
            kind: {channel: prefs.channel_on(kind, channel) for channel in Channel.values} for kind in DEFAULT_CHANNELS
        },
    }


def reviews_waiting_too_long(*, now=None) -> QuerySet[ReviewSubmission]:
    """Pending reviews older than REVIEW_ESCALATION_DAYS, oldest first: staff follow them up."""
    cutoff = (now or timezone.now()) - timedelta(days=config("REVIEW_ESCALATION_DAYS"))
    return (
        ReviewSubmission.objects.filter(state=ReviewSubmission.State.PENDING, created_at__lte=cutoff)
        .select_related("milestone__roadmap__path", "learner")
        .prefetch_related(
            Prefetch(
                "learner__mentor_links",
                queryset=Mentorship.objects.filter(state=Mentorship.State.ACTIVE),
                to_attr="active_mentor_links",
            )
        )
        .order_by("created_at", "id")
    )
