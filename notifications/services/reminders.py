"""Writes of the reminders: event reminders, preferences, the inbox's read marks, unsubscribe.

Event reminders (a review requested or decided, an invitation) are ledger rows written in
the transaction of the event itself, so a rolled-back event leaves no reminder and a
committed one is never lost: if the broker is down when the transaction commits, the next
scan finds the row and sends it.
"""

from datetime import datetime

from django.core import signing
from django.db import transaction
from django.utils import timezone

from accounts.models import Mentorship, User
from careerhub.exceptions import ApplicationError
from careerhub.services import enqueue_on_commit, fields_assign
from notifications.models import Channel, Kind, Notification, Preference, Reminder
from notifications.rules import URGENT_KINDS, loaded_prefs, preference_defaults
from roadmaps.models import ReviewSubmission

SCHEDULED_KINDS = (
    Kind.TARGET_SOON,
    Kind.OVERDUE,
    Kind.INACTIVITY,
    Kind.LEARNER_DIGEST,
    Kind.MENTOR_DIGEST,
    Kind.REVIEW_WAITING,
)
UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def enqueue_rows_on_commit(task, ids: list[int], *, model) -> None:
    """Send ``task(ids)`` after commit. The rows are the truth: when the broker cannot take the
    message, their ``enqueued_at`` is cleared and the next scan sends them."""
    enqueue_on_commit(task, ids, on_broker_down=lambda: model.objects.filter(pk__in=ids).update(enqueued_at=None))


def _event(*, user: User | None, kind: str, subject_id: int, period: str = "once", email: str = "") -> None:
    """One reminder of an event, due now (urgent kinds) or at the recipient's next preferred hour."""
    from notifications import tasks

    now = timezone.now()
    due = now if user is None or kind in URGENT_KINDS else loaded_prefs(user).next_preferred(now)
    reminder, created = Reminder.objects.get_or_create(
        user=user,
        email="" if user else email,
        kind=kind,
        subject_id=subject_id,
        period=period,
        defaults={"due_at": due, "enqueued_at": now if due <= now else None},
    )
    if created and due <= now:
        enqueue_rows_on_commit(tasks.deliver_reminders, [reminder.pk], model=Reminder)


def review_requested_notify(*, submission: ReviewSubmission) -> None:
    mentors = User.objects.filter(
        mentee_links__learner_id=submission.learner_id, mentee_links__state=Mentorship.State.ACTIVE, is_active=True
    ).select_related("notification_preference")
    for mentor in mentors:
        _event(user=mentor, kind=Kind.REVIEW_REQUESTED, subject_id=submission.pk)


def review_decided_notify(*, submission: ReviewSubmission) -> None:
    _event(user=submission.learner, kind=Kind.REVIEW_DECIDED, subject_id=submission.pk)


def mentorship_invitation_notify(*, mentorship: Mentorship) -> None:
    """To the invitee's account, or to the address when it has none yet."""
    invitee = User.objects.select_related("notification_preference").filter(email=mentorship.invitee_email).first()
    _event(user=invitee, email=mentorship.invitee_email, kind=Kind.MENTORSHIP_INVITATION, subject_id=mentorship.pk)


def reminders_reschedule(*, user: User) -> None:
    """After a change of time zone, preferred hour or digest day: scheduled reminders not yet
    sent are dropped (the next scan writes them again at the new local time; what was already
    sent this period keeps its key, so nothing comes twice), waiting events move to the new hour."""
    Reminder.objects.filter(user=user, state=Reminder.State.PENDING, kind__in=SCHEDULED_KINDS).delete()
    due = loaded_prefs(user).next_preferred(timezone.now())
    Reminder.objects.filter(user=user, state=Reminder.State.PENDING).exclude(kind__in=URGENT_KINDS).update(
        due_at=due, enqueued_at=None
    )


def reminders_forget_address(*, email: str) -> int:
    """Reminders sent to an address before it had an account keep that address: an erased
    account takes them along (its own reminders go with the user row)."""
    deleted, _ = Reminder.objects.filter(user=None, email=email).delete()
    return deleted


def preference_get_or_create(*, user: User) -> Preference:
    """The user's preference row (which also holds the calendar feed's token), made with the defaults when missing."""
    preference, _ = Preference.objects.get_or_create(user=user, defaults=preference_defaults())
    return preference


@transaction.atomic
def preferences_update(*, user: User, channels: dict | None = None, **fields) -> Preference:
    """``channels``: {kind: {channel: bool}}, merged into the user's overrides."""
    preference = preference_get_or_create(user=user)
    preference = Preference.objects.select_for_update().get(pk=preference.pk)
    timing_before = (preference.preferred_hour, preference.digest_weekday)
    changed = fields_assign(preference, fields)
    if (preference.quiet_start is None) != (preference.quiet_end is None):
        raise ApplicationError("Give both ends of the quiet hours, or neither.", code="quiet_hours_incomplete")
    if channels:
        merged = {kind: dict(values) for kind, values in preference.channels.items()}
        for kind, values in channels.items():
            merged.setdefault(kind, {}).update(values)
        preference.channels = merged
        changed.append("channels")
    if changed:
        preference.save(update_fields=[*changed, "updated_at"])
        user.notification_preference = preference
    if (preference.preferred_hour, preference.digest_weekday) != timing_before:
        reminders_reschedule(user=user)
    return preference


def unsubscribe_token(*, user: User, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_read(*, token: str) -> tuple[User, Kind]:
    """The user and the kind of email a signed unsubscribe token names; 404 ``invalid_unsubscribe_link``
    for any other text. Reading it changes nothing (the page the email links to asks first)."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return User.objects.get(pk=data["u"]), Kind(data["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, User.DoesNotExist) as error:
        raise ApplicationError(
            "This unsubscribe link is not valid.", code="invalid_unsubscribe_link", status_code=404
        ) from error


@transaction.atomic
def unsubscribe(*, token: str) -> str:
    """Turn off the email of one kind for the user the signed token names. Idempotent."""
    user, kind = unsubscribe_token_read(token=token)
    preferences_update(user=user, channels={kind: {Channel.EMAIL: False}})
    return kind


def notification_mark_read(*, notification: Notification, at: datetime | None = None) -> Notification:
    if notification.read_at is None:
        notification.read_at = at or timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
