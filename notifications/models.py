"""Reminders and where they go.

``Reminder`` is the ledger: one row per (recipient, kind, subject, period), so whatever runs
twice (the scan, two beats, a redelivered task) finds the row and adds nothing. A row is due
at ``due_at``; future sends are rows, never broker ETAs. ``Notification`` is the in-app inbox,
``Delivery`` the email and push sends of a reminder, each at most once.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Kind(models.TextChoices):
    TARGET_SOON = "target_soon", "Target date soon"
    OVERDUE = "overdue", "Overdue"
    INACTIVITY = "inactivity", "Inactivity nudge"
    LEARNER_DIGEST = "learner_digest", "Weekly learner digest"
    MENTOR_DIGEST = "mentor_digest", "Weekly mentor digest"
    REVIEW_REQUESTED = "review_requested", "Review requested"
    REVIEW_DECIDED = "review_decided", "Review decided"
    MENTORSHIP_INVITATION = "mentorship_invitation", "Mentorship invitation"
    REVIEW_WAITING = "review_waiting", "Review waiting too long"


class Channel(models.TextChoices):
    INBOX = "inbox", "In-app inbox"
    EMAIL = "email", "Email"
    PUSH = "push", "Push"


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class Preference(models.Model):
    """A user's reminder settings; a user without a row has the defaults of ``NOTIFICATIONS``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="notification_preference"
    )
    preferred_hour = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(23)], help_text="Local hour for scheduled reminders and digests."
    )
    digest_weekday = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(6)], help_text="0 = Monday ... 6 = Sunday."
    )
    quiet_start = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(23)])
    quiet_end = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(23)])
    daily_cap = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(50)])
    channels = models.JSONField(
        default=dict, blank=True, help_text='Overrides of the defaults: {"kind": {"channel": true|false}}.'
    )
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | models.Q(quiet_start__isnull=False, quiet_end__isnull=False),
                name="notifications_quiet_hours_both_or_neither",
            ),
            models.CheckConstraint(condition=models.Q(preferred_hour__lte=23), name="notifications_hour_in_day"),
            models.CheckConstraint(condition=models.Q(digest_weekday__lte=6), name="notifications_weekday"),
            models.CheckConstraint(
                condition=models.Q(daily_cap__gte=1, daily_cap__lte=50), name="notifications_cap_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"


class Reminder(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    email = models.EmailField(blank=True, help_text="Only for an invitation to an address with no account yet.")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    subject_id = models.BigIntegerField(help_text="The milestone, user, submission or mentorship it is about.")
    period = models.CharField(max_length=32, help_text="What makes it once: a date, an ISO week, or 'once'.")
    due_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    reason = models.CharField(max_length=200, blank=True, help_text="Why it was skipped or deferred.")
    content = models.JSONField(default=dict, blank=True, help_text="Title, body and links, written at send time.")
    enqueued_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "subject_id", "period"],
                condition=models.Q(user__isnull=False),
                name="notifications_reminder_once",
            ),
            models.UniqueConstraint(
                fields=["email", "kind", "subject_id", "period"],
                condition=models.Q(user__isnull=True),
                name="notifications_reminder_once_by_address",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | ~models.Q(email=""), name="notifications_reminder_recipient"
            ),
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=models.Q(state="pending"), name="notifications_reminder_due"),
            models.Index(fields=["user", "processed_at"], name="notifications_reminder_sent"),
            # "Has this user one waiting?" (the scan's digests): a lookup, whatever the planner
            # believes about how many rows are pending just after a large scan.
            models.Index(
                fields=["user", "kind"], condition=models.Q(state="pending"), name="notifications_reminder_waiting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_id}/{self.period} for {self.user_id or self.email}"


class Notification(models.Model):
    """An entry of the in-app inbox."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    reminder = models.OneToOneField(Reminder, on_delete=models.CASCADE, related_name="notification")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True, help_text="Ids the app opens: roadmap, milestone, review.")
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notifications_inbox"),
            models.Index(fields=["user"], condition=models.Q(read_at__isnull=True), name="notifications_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.user_id})"


class Delivery(models.Model):
    """One email or push send of a reminder: created once, sent at most once."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=[(c.value, c.label) for c in (Channel.EMAIL, Channel.PUSH)])
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    reason = models.CharField(max_length=300, blank=True, help_text="Why it failed or was skipped.")
    enqueued_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="After a transient failure: not before this (backoff with jitter)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["reminder", "channel"], name="notifications_delivery_once"),
        ]
        indexes = [
            models.Index(fields=["created_at"], condition=models.Q(state="pending"), name="notifications_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} of {self.reminder_id} ({self.state})"


class Device(models.Model):
    """A phone (or browser) that receives push messages; the provider's token identifies it."""

    class Platform(models.TextChoices):
        IOS = "ios", "iOS"
        ANDROID = "android", "Android"
        WEB = "web", "Web"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices")
    token = models.CharField(max_length=512, unique=True)
    platform = models.CharField(max_length=8, choices=Platform.choices)
    name = models.CharField(max_length=100, blank=True)
    active = models.BooleanField(default=True)
    deactivated_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["user"], condition=models.Q(active=True), name="notifications_device_active")]

    def __str__(self) -> str:
        return f"{self.platform} device of {self.user_id}"


class PushMessage(models.Model):
    """What the recording push sender (the default) sent: the log a real provider would keep."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="messages")
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="push_messages")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "device"], name="notifications_push_once_per_device"),
        ]

    def __str__(self) -> str:
        return f"{self.title} to device {self.device_id}"
