import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import Change, IdempotencyKey, Mentorship, User, normalize_email_address
from careerhub.exceptions import ApplicationError
from careerhub.services import fields_assign
from notifications.services.reminders import mentorship_invitation_notify, reminders_reschedule


@transaction.atomic
def user_register(*, email: str, password: str, display_name: str = "", time_zone: str = "UTC") -> User:
    user = User(email=normalize_email_address(email), display_name=display_name, time_zone=time_zone)
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from None
    user.set_password(password)
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # registered concurrently between the check and the insert
        raise ValidationError({"email": ["A user with this email already exists."]}) from None
    return user


@transaction.atomic
def user_update(*, user: User, **fields) -> User:
    if changed := fields_assign(user, fields):
        user.full_clean(exclude=["password"])
        user.save(update_fields=changed)
    if "time_zone" in changed:
        reminders_reschedule(user=user)
    return user


def _mentorship_changed(mentorship: Mentorship) -> None:
    for side in {mentorship.mentor_id, mentorship.learner_id} - {None}:
        changes_record(owner_id=side, ids_by_entity={Change.Entity.MENTORSHIP: [mentorship.pk]})


def _mentorship_error(message: str, code: str, status_code: int = 409) -> ApplicationError:
    return ApplicationError(message, code=code, status_code=status_code)


@transaction.atomic
def mentorship_invite(*, inviter: User, inviter_role: str, email: str = "") -> Mentorship:
    """Invite the other side by email, or (without an email) make a code anyone may redeem."""
    if inviter_role == "mentor" and not inviter.is_mentor:
        raise _mentorship_error("Only mentors can invite learners.", "not_a_mentor", 403)
    email = normalize_email_address(email) if email else ""
    if email and email == inviter.email:
        raise _mentorship_error("You cannot invite yourself.", "self_invite", 400)
    mentorship = Mentorship.objects.create(
        mentor=inviter if inviter_role == "mentor" else None,
        learner=inviter if inviter_role == "learner" else None,
        invited_by=inviter,
        invitee_email=email,
        code=None if email else secrets.token_hex(4).upper(),
    )
    _mentorship_changed(mentorship)
    if email:
        mentorship_invitation_notify(mentorship=mentorship)
    return mentorship


def _ensure_addressed(mentorship: Mentorship, user: User, *, by_code: bool) -> None:
    if not by_code and mentorship.invitee_email != user.email:
        raise _mentorship_error("This invitation is not addressed to you.", "not_addressed_to_you", 403)


@transaction.atomic
def mentorship_accept(*, mentorship: Mentorship, user: User, by_code: bool = False) -> Mentorship:
    """Accept an invitation addressed to ``user`` (or, ``by_code``, one whose code they hold)."""
    mentorship = Mentorship.objects.select_for_update().get(pk=mentorship.pk)
    if mentorship.state != Mentorship.State.INVITED:
        raise _mentorship_error(f"This invitation is {mentorship.state}.", "invitation_closed")
    if user.pk in (mentorship.mentor_id, mentorship.learner_id):
        raise _mentorship_error("You cannot accept your own invitation.", "self_invite", 400)
    _ensure_addressed(mentorship, user, by_code=by_code)
    if mentorship.mentor_id is None and not user.is_mentor:
        raise _mentorship_error("This invitation is for a mentor.", "not_a_mentor", 403)
    if mentorship.mentor_id is None:
        mentorship.mentor = user
    else:
        mentorship.learner = user
    if Mentorship.objects.filter(
        mentor=mentorship.mentor, learner=mentorship.learner, state=Mentorship.State.ACTIVE
    ).exists():
        raise _mentorship_error("You are already linked.", "already_linked")
    mentorship.state = Mentorship.State.ACTIVE
    mentorship.responded_at = timezone.now()
    mentorship.code = None  # used up
    mentorship.save(update_fields=["mentor", "learner", "state", "responded_at", "code"])
    _mentorship_changed(mentorship)
    return mentorship


@transaction.atomic
def mentorship_decline(*, mentorship: Mentorship, user: User) -> Mentorship:
    if mentorship.state != Mentorship.State.INVITED:
        raise _mentorship_error(f"This invitation is {mentorship.state}.", "invitation_closed")
    if user.pk in (mentorship.mentor_id, mentorship.learner_id):
        raise _mentorship_error("Withdraw your own invitation by ending it.", "self_invite", 400)
    _ensure_addressed(mentorship, user, by_code=False)
    mentorship.state = Mentorship.State.DECLINED
    mentorship.responded_at = timezone.now()
    mentorship.code = None
    mentorship.save(update_fields=["state", "responded_at", "code"])
    _mentorship_changed(mentorship)
    return mentorship


@transaction.atomic
def mentorship_end(*, mentorship: Mentorship, user: User) -> Mentorship:
    """Either side (or staff) ends an active link or withdraws an invitation; access ends at once."""
    if not (user.is_staff or user.pk in (mentorship.mentor_id, mentorship.learner_id)):
        raise _mentorship_error("Only the mentor, the learner or staff can end it.", "not_a_party", 403)
    if mentorship.state not in (Mentorship.State.ACTIVE, Mentorship.State.INVITED):
        raise _mentorship_error(f"This mentorship is {mentorship.state}.", "mentorship_closed")
    mentorship.state = Mentorship.State.ENDED
    mentorship.ended_at = timezone.now()
    mentorship.ended_by = user
    mentorship.code = None
    mentorship.save(update_fields=["state", "ended_at", "ended_by", "code"])
    _mentorship_changed(mentorship)
    return mentorship


@transaction.atomic
def mentorship_create_active(*, mentor: User, learner: User, by: User) -> Mentorship:
    """Staff link a mentor and a learner directly."""
    if not mentor.is_mentor:
        raise _mentorship_error(f"{mentor.email} is not a mentor.", "not_a_mentor", 400)
    if mentor.pk == learner.pk:
        raise _mentorship_error("A mentor cannot mentor themselves.", "self_invite", 400)
    if Mentorship.objects.filter(mentor=mentor, learner=learner, state=Mentorship.State.ACTIVE).exists():
        raise _mentorship_error("They are already linked.", "already_linked")
    now = timezone.now()
    mentorship = Mentorship.objects.create(
        mentor=mentor, learner=learner, invited_by=by, state=Mentorship.State.ACTIVE, responded_at=now
    )
    _mentorship_changed(mentorship)
    return mentorship


def idempotency_keys_purge(*, now=None) -> int:
    """Forget answers older than the keys' lifetime; returns how many were deleted."""
    cutoff = (now or timezone.now()) - settings.IDEMPOTENCY_KEY_TTL
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def current_txid() -> int | None:
    """The id of the running transaction on PostgreSQL (None elsewhere: SQLite writes one at a time)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        return cursor.fetchone()[0]


def changes_record(*, owner_id: int, ids_by_entity: dict[str, list], deleted: bool = False) -> None:
    """Note that these objects of ``owner_id`` changed (or were deleted), for delta sync: two queries."""
    rows = [(entity, str(pk)) for entity, ids in ids_by_entity.items() for pk in ids]
    if not rows:
        return
    txid = current_txid()
    Change.objects.bulk_create(
        Change(owner_id=owner_id, entity=entity, entity_id=pk, deleted=deleted, txid=txid) for entity, pk in rows
    )


def changes_purge(*, now=None) -> int:
    cutoff = (now or timezone.now()) - settings.SYNC_RETENTION
    deleted, _ = Change.objects.filter(created_at__lt=cutoff).delete()
    return deleted
