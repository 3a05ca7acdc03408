"""Reads of the notifications: the inbox, preferences, and reviews left waiting for staff."""

from datetime import timedelta

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import Mentorship, User
from notifications.models import Notification, Preference
from notifications.rules import config
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
