from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.validators import validate_time_zone


def normalize_email_address(email: str) -> str:
    return email.strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str) -> "User":
        return self.get(email=normalize_email_address(username))

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalize_email_address(email), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone is a learner; ``is_mentor`` and ``is_staff`` add the other two roles."""

    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=150, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    weekly_hours_goal = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(80)],
        help_text="Hours a week the learner means to spend; stats judge the pace against it.",
    )
    is_mentor = models.BooleanField(
        default=False, help_text="May be linked to learners as their mentor and review their work."
    )
    is_staff = models.BooleanField(default=False, help_text="May log into the admin site.")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    email_verified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the owner proved the address is theirs; empty: no email reminders."
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")),
                name="accounts_user_email_lowercase",
                violation_error_message="Email addresses are stored in lower case.",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email_address(self.email)

    def get_full_name(self) -> str:
        return self.display_name or self.email

    def get_short_name(self) -> str:
        return self.display_name or self.email.split("@")[0]


class LoginSession(models.Model):
    """One log-in on one device: the family of refresh tokens rotated from it (their ``sid`` claim).

    Revoking it (log out, log out everywhere, a password change) makes every refresh token of the
    family useless at once.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    user_agent = models.CharField(max_length=255, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at", "expires_at"], name="accounts_session_user_active")]

    def __str__(self) -> str:
        return f"session {self.pk} of {self.user_id}"


class AuditEvent(models.Model):
    """A sensitive action, appended and never changed: who, when, from where, and what changed.

    ``changes`` names fields (and non-personal values such as states), never passwords. When a
    user deletes their account, their own events go; events about staff actions stay, with the
    user's side emptied.
    """

    class Action(models.TextChoices):
        LOGIN = "login"
        LOGIN_LOCKED = "login_locked"
        LOGOUT_EVERYWHERE = "logout_everywhere"
        SESSION_REVOKED = "session_revoked"
        PASSWORD_CHANGED = "password_changed"
        PASSWORD_RESET = "password_reset"
        EMAIL_VERIFIED = "email_verified"
        EMAIL_CHANGED = "email_changed"
        MENTORSHIP_INVITED = "mentorship_invited"
        MENTORSHIP_ACCEPTED = "mentorship_accepted"
        MENTORSHIP_DECLINED = "mentorship_declined"
        MENTORSHIP_ENDED = "mentorship_ended"
        MENTORSHIP_LINKED = "mentorship_linked"
        REVIEW_DECIDED = "review_decided"
        STAFF_USER_CHANGED = "staff_user_changed"
        STAFF_USER_DELETED = "staff_user_deleted"
        EXPORT_REQUESTED = "export_requested"
        EXPORT_DOWNLOADED = "export_downloaded"
        ACCOUNT_DELETED = "account_deleted"

    action = models.CharField(max_length=32, choices=Action.choices)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    target_user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    by_staff = models.BooleanField(default=False, help_text="A staff member acted on someone else's data.")
    ip = models.GenericIPAddressField(null=True, blank=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], name="accounts_audit_created"),
            models.Index(fields=["actor", "created_at"], name="accounts_audit_actor"),
            models.Index(fields=["target_user", "created_at"], name="accounts_audit_target"),
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id or '-'} at {self.created_at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)


def _export_path(instance: "DataExport", filename: str) -> str:
    return f"exports/{instance.user_id}/{filename}"


class DataExport(models.Model):
    """All of a user's data as one JSON file, built by a task and downloadable until ``expires_at``."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="data_exports")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    file = models.FileField(upload_to=_export_path, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"export {self.pk} of {self.user_id} ({self.state})"


class Mentorship(models.Model):
    """A mentor and a learner, linked once the invited side accepts (or by staff).

    An invitation names the other side by email, or carries a short code that whoever holds
    it may redeem; the empty side is filled in on acceptance.
    """

    class State(models.TextChoices):
        INVITED = "invited", "Invited"
        ACTIVE = "active", "Active"
        DECLINED = "declined", "Declined"
        ENDED = "ended", "Ended"

    mentor = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True, related_name="mentee_links")
    learner = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True, related_name="mentor_links")
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    invitee_email = models.EmailField(blank=True)
    code = models.CharField(max_length=12, unique=True, null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.INVITED)
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(mentor=models.F("learner")), name="accounts_mentorship_not_self"
            ),
            models.CheckConstraint(
                condition=~models.Q(state="active") | models.Q(mentor__isnull=False, learner__isnull=False),
                name="accounts_mentorship_active_has_both_sides",
            ),
            models.UniqueConstraint(
                fields=["mentor", "learner"],
                condition=models.Q(state="active"),
                name="accounts_mentorship_one_active_per_pair",
            ),
        ]
        indexes = [
            models.Index(fields=["mentor", "state"], name="accounts_mentorship_mentor"),
            models.Index(fields=["learner", "state"], name="accounts_mentorship_learner"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor or '?'} mentors {self.learner or '?'} ({self.state})"


class IdempotencyKey(models.Model):
    """The first answer to a state-changing request sent with an ``Idempotency-Key`` header.

    The unique (user, key) row is written before the request runs, so a retry arriving on any
    web process finds it: in flight (409), done (the stored answer again), or for another
    request (422).
    """

    class State(models.TextChoices):
        IN_FLIGHT = "in_flight", "In flight"
        DONE = "done", "Done"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State.choices, default=State.IN_FLIGHT)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_content_type = models.CharField(max_length=100, blank=True)
    response_body = models.BinaryField(blank=True, default=b"")
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="accounts_idempotency_key_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key} ({self.state})"


class Change(models.Model):
    """One row per changed object, for the mobile app's delta sync.

    ``owner`` is whose data it is: the learner for their roadmaps, milestones, entries, notes
    and reviews (their active mentors see those too); each side for a mentorship. ``txid``
    is the writing transaction's id (PostgreSQL), which lets a sync serve exactly the changes
    of transactions that have finished, whatever order they committed in.
    """

    class Entity(models.TextChoices):
        ROADMAP = "roadmap"
        MILESTONE = "milestone"
        ENTRY = "entry"
        NOTE = "note"
        REVIEW = "review"
        MENTORSHIP = "mentorship"

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    entity = models.CharField(max_length=12, choices=Entity.choices)
    entity_id = models.CharField(max_length=40)
    deleted = models.BooleanField(default=False)
    txid = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["owner", "txid"], name="accounts_change_owner_txid"),
            models.Index(fields=["owner", "id"], name="accounts_change_owner_id"),
            models.Index(fields=["created_at"], name="accounts_change_created"),
        ]

    def __str__(self) -> str:
        return f"{self.entity} {self.entity_id} of {self.owner_id}{' (deleted)' if self.deleted else ''}"
