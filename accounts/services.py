import hashlib
import secrets
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from rest_framework_simplejwt.exceptions import TokenBackendError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.audit import audit_forget_user, audit_record
from accounts.emails import email_send
from accounts.models import AuditEvent, Change, IdempotencyKey, LoginSession, Mentorship, User, normalize_email_address
from careerhub.db import Statement
from careerhub.exceptions import ApplicationError
from careerhub.services import enqueue_on_commit, fields_assign
from notifications.services.reminders import (
    mentorship_invitation_notify,
    reminders_forget_address,
    reminders_reschedule,
)

Action = AuditEvent.Action
EMAIL_VERIFICATION_SALT = "accounts.email-verification"
EMAIL_CHANGE_SALT = "accounts.email-change"


def _invalid_token() -> ApplicationError:
    return ApplicationError("This link is invalid, used or expired.", code="invalid_token", status_code=400)


def _password_validate(password: str, user: User) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from None


@transaction.atomic
def user_register(*, email: str, password: str, display_name: str = "", time_zone: str = "UTC") -> User | None:
    """Create an account and mail a verification link; for an address already taken, mail its owner.

    The caller answers the same either way, so registration tells nobody who has an account. The
    password is hashed in both cases, so the time taken does not tell either. Returns the new
    user, or None when the address was taken.
    """
    user = User(email=normalize_email_address(email), display_name=display_name, time_zone=time_zone)
    _password_validate(password, user)
    user.full_clean(exclude=["password"], validate_unique=False)
    user.set_password(password)
    from accounts import tasks

    existing = User.objects.filter(email=user.email).first()
    if existing is None:
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # registered concurrently between the check and the insert
            existing = User.objects.filter(email=user.email).first()
    if existing is not None:
        enqueue_on_commit(tasks.send_already_registered_email, existing.pk)
        return None
    enqueue_on_commit(tasks.send_verification_email, user.pk)
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
    audit_record(
        action=Action.MENTORSHIP_INVITED,
        actor=inviter,
        obj=mentorship,
        changes={"role": inviter_role, "by_email": bool(email)},
    )
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
    audit_record(action=Action.MENTORSHIP_ACCEPTED, actor=user, obj=mentorship, changes={"state": mentorship.state})
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
    audit_record(action=Action.MENTORSHIP_DECLINED, actor=user, obj=mentorship, changes={"state": mentorship.state})
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
    other_side = mentorship.mentor if user.pk == mentorship.learner_id else mentorship.learner
    audit_record(
        action=Action.MENTORSHIP_ENDED, actor=user, target_user=other_side, obj=mentorship, changes={"state": "ended"}
    )
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
    audit_record(
        action=Action.MENTORSHIP_LINKED,
        actor=by,
        target_user=learner,
        obj=mentorship,
        changes={"mentor_id": mentor.pk, "learner_id": learner.pk},
    )
    return mentorship


def idempotency_keys_purge(*, now=None) -> int:
    """Forget answers older than the keys' lifetime; returns how many were deleted."""
    cutoff = (now or timezone.now()) - settings.IDEMPOTENCY_KEY_TTL
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def changes_insert_sql(source: str) -> str:
    """The insert of sync changes from ``source``, a FROM clause whose rows name ``entity`` and
    ``entity_id`` (PostgreSQL): each row carries the writing transaction's id, which the insert takes
    itself. Its parameters: the owner's id, ``deleted``, the time, then those of ``source``."""
    return (
        f"INSERT INTO {Change._meta.db_table} (owner_id, entity, entity_id, deleted, txid, created_at) "
        f"SELECT %s, entity, entity_id, %s, pg_current_xact_id()::text::bigint, %s FROM {source}"
    )


def changes_record(
    *, owner_id: int, ids_by_entity: dict[str, list], deleted: bool = False, along_with: Sequence[Statement] = ()
) -> None:
    """Note that these objects of ``owner_id`` changed (or were deleted), for delta sync: one statement.

    On PostgreSQL each row carries the writing transaction's id, which the insert takes itself
    rather than in a query of its own, the rows passed as two arrays whatever their number.
    ``along_with``: the caller's other writes of this transaction, plain ``(sql, params)`` statements
    that read nothing the others write; on PostgreSQL they run in the same round trip, as
    data-modifying ``WITH`` clauses of the insert. Elsewhere (SQLite, one writing transaction at a
    time) they run one by one and the changes carry no transaction id.
    """
    rows = [(entity, str(pk)) for entity, ids in ids_by_entity.items() for pk in ids]
    now = timezone.now()
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql" or not rows:
            for sql, params in along_with:
                cursor.execute(sql, params)
            Change.objects.bulk_create(
                Change(owner_id=owner_id, entity=entity, entity_id=pk, deleted=deleted, created_at=now)
                for entity, pk in rows
            )
            return
        entities, entity_ids = zip(*rows, strict=True)
        clauses = ", ".join(f"write_{index} AS ({sql})" for index, (sql, _) in enumerate(along_with))
        cursor.execute(
            (f"WITH {clauses} " if clauses else "")
            + changes_insert_sql("unnest(%s::varchar[], %s::varchar[]) AS changed(entity, entity_id)"),
            [
                *(param for _, params in along_with for param in params),
                owner_id,
                deleted,
                now,
                list(entities),
                list(entity_ids),
            ],
        )


def changes_purge(*, now=None) -> int:
    cutoff = (now or timezone.now()) - settings.SYNC_RETENTION
    deleted, _ = Change.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# Email verification and password reset -----------------------------------------------------


def email_verification_token(*, user: User) -> str:
    """A signed token naming the user and the address; it stops working if the address changes."""
    return signing.dumps({"user": user.pk, "email": user.email}, salt=EMAIL_VERIFICATION_SALT)


def verification_email_send(*, user_id: int) -> None:
    user = User.objects.filter(pk=user_id, email_verified_at=None).first()
    if user is None:  # verified meanwhile, or deleted
        return
    link = f"{settings.PUBLIC_BASE_URL}/verify-email?token={email_verification_token(user=user)}"
    days = settings.EMAIL_VERIFICATION_MAX_AGE.days
    email_send(
        template="verify_email",
        to=user.email,
        context={"name": user.get_short_name(), "email": user.email, "link": link, "days": days},
    )


def _verification_user(token: str, users) -> User:
    try:
        claims = signing.loads(token, salt=EMAIL_VERIFICATION_SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE)
        return users.get(pk=claims["user"], email=claims["email"])
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError, ValueError):
        raise _invalid_token() from None


def email_verification_check(*, token: str) -> None:
    """Raise as ``user_email_verify`` would, changing nothing: a link's page says at once that it no
    longer works, rather than after its button."""
    _verification_user(token, User.objects.all())


@transaction.atomic
def user_email_verify(*, token: str) -> User:
    user = _verification_user(token, User.objects.select_for_update())
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        audit_record(action=Action.EMAIL_VERIFIED, actor=user, target_user=user)
    return user


def email_verification_resend(*, user: User) -> None:
    if user.email_verified_at is None:
        from accounts import tasks

        enqueue_on_commit(tasks.send_verification_email, user.pk)


def user_email_change_request(*, user: User, password: str, email: str) -> None:
    """Mail a link to the new address; the address changes when it is opened.

    The answer is the same whether or not the new address has an account: the worker mails a
    note to its owner instead of a link.
    """
    if not user.check_password(password):
        raise ValidationError({"password": [ValidationError("The password is wrong.", code="wrong_password")]})
    email = normalize_email_address(email)
    if email == user.email:
        raise ValidationError({"email": [ValidationError("This is your address already.", code="same_email")]})
    from accounts import tasks

    enqueue_on_commit(tasks.send_email_change_email, user.pk, email)


def email_change_token(*, user: User, email: str) -> str:
    """A signed token moving ``user`` from their current address to ``email``."""
    return signing.dumps({"user": user.pk, "from": user.email, "to": email}, salt=EMAIL_CHANGE_SALT)


def email_change_email_send(*, user_id: int, email: str) -> None:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    owner = User.objects.filter(email=email).first()
    if owner is not None:
        reset_link = f"{settings.PUBLIC_BASE_URL}/reset-password"
        context = {"name": owner.get_short_name(), "email": email, "reset_link": reset_link}
        email_send(template="email_taken", to=email, context=context)
        return
    token = email_change_token(user=user, email=email)
    email_send(
        template="email_change",
        to=email,
        context={
            "name": user.get_short_name(),
            "email": email,
            "link": f"{settings.PUBLIC_BASE_URL}/confirm-email?token={token}",
            "days": settings.EMAIL_VERIFICATION_MAX_AGE.days,
        },
    )


def _email_change_claims(token: str, users) -> tuple[User, str]:
    try:
        claims = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE)
        return users.get(pk=claims["user"], email=claims["from"]), str(claims["to"])
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError, ValueError):
        raise _invalid_token() from None


def email_change_check(*, token: str) -> None:
    """Raise as ``user_email_change_confirm`` would for a link that no longer works, changing nothing."""
    _email_change_claims(token, User.objects.all())


@transaction.atomic
def user_email_change_confirm(*, token: str) -> User:
    """Move the account to the new address of the link (confirmed by opening it); the old address is told."""
    user, new_email = _email_change_claims(token, User.objects.select_for_update())
    old_email = user.email
    user.email, user.email_verified_at = new_email, timezone.now()
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "email_verified_at"])
    except IntegrityError:  # the address was taken since the link was sent
        raise _invalid_token() from None
    audit_record(action=Action.EMAIL_CHANGED, actor=user, target_user=user, changes={"fields": ["email"]})
    from accounts import tasks

    enqueue_on_commit(tasks.send_email_changed_notice, old_email)
    return user


def email_changed_notice_send(*, old_email: str) -> None:
    email_send(template="email_changed", to=old_email, context={"old_email": old_email})


def password_reset_token(*, user: User) -> str:
    """``<user id in base64>.<Django's reset token>``: the token is bound to the password hash and the
    last login, so it works once, and for ``PASSWORD_RESET_TIMEOUT`` seconds."""
    return f"{urlsafe_base64_encode(force_bytes(user.pk))}.{default_token_generator.make_token(user)}"


def password_reset_request(*, email: str) -> None:
    """Always the same for the caller: the task looks the address up and mails its owner, if any."""
    from accounts import tasks

    enqueue_on_commit(tasks.send_password_reset_email, normalize_email_address(email))


def password_reset_email_send(*, email: str) -> bool:
    """Mail a reset link to the owner of ``email``, at most once a minute per address."""
    user = User.objects.filter(email=normalize_email_address(email), is_active=True).first()
    if user is None:
        return False
    key = f"password-reset-mail:{hashlib.sha256(user.email.encode()).hexdigest()}"
    now = timezone.now().timestamp()
    if now - cache.get(key, 0) < 60:
        return False
    cache.set(key, now, timeout=60)
    link = f"{settings.PUBLIC_BASE_URL}/reset-password?token={password_reset_token(user=user)}"
    email_send(
        template="password_reset",
        to=user.email,
        context={
            "name": user.get_short_name(),
            "email": user.email,
            "link": link,
            "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
        },
    )
    return True


def already_registered_email_send(*, user_id: int) -> None:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    email_send(
        template="already_registered",
        to=user.email,
        context={
            "name": user.get_short_name(),
            "email": user.email,
            "reset_link": f"{settings.PUBLIC_BASE_URL}/reset-password",
        },
    )


def _password_set(user: User, password: str) -> None:
    _password_validate(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    login_sessions_revoke(user=user)


def _reset_user(token: str, users) -> User:
    uid, _, key = token.partition(".")
    try:
        user_id = int(force_str(urlsafe_base64_decode(uid)))
    except (ValueError, TypeError, UnicodeDecodeError):
        raise _invalid_token() from None
    user = users.filter(pk=user_id, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, key):
        raise _invalid_token()
    return user


def password_reset_check(*, token: str) -> None:
    """Raise as ``password_reset_confirm`` would for a link that no longer works, changing nothing."""
    _reset_user(token, User.objects.all())


@transaction.atomic
def password_reset_confirm(*, token: str, password: str) -> User:
    # Locked, so that two uses of one token at once cannot both pass the check.
    user = _reset_user(token, User.objects.select_for_update())
    _password_set(user, password)
    if user.email_verified_at is None:  # the link reached the inbox: the address is theirs
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    audit_record(action=Action.PASSWORD_RESET, actor=user, target_user=user)
    return user


@transaction.atomic
def user_password_change(*, user: User, current_password: str, password: str) -> None:
    """Change the password; every session (refresh token) of the user stops working."""
    if not user.check_password(current_password):
        raise ValidationError({"current_password": [ValidationError("The password is wrong.", code="wrong_password")]})
    _password_set(user, password)
    audit_record(action=Action.PASSWORD_CHANGED, actor=user, target_user=user)


# Sessions (devices) ----------------------------------------------------------------------


@transaction.atomic
def user_login(*, user: User, user_agent: str = "", ip: str | None = None) -> dict[str, str]:
    """Start a session for ``user`` on one device; answers its access and refresh tokens."""
    now = timezone.now()
    session = LoginSession.objects.create(
        user=user,
        user_agent=user_agent[:255],
        ip=ip,
        created_at=now,
        last_used_at=now,
        expires_at=now + jwt_settings.REFRESH_TOKEN_LIFETIME,
    )
    refresh = RefreshToken.for_user(user)
    refresh["sid"] = session.pk
    audit_record(action=Action.LOGIN, actor=user, target_user=user, obj=session, ip=ip)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def login_session_refresh(*, session_id: int, user_id) -> bool:
    """A refresh token of this session is being used: extend it, unless it was revoked or expired."""
    now = timezone.now()
    return bool(
        LoginSession.objects.filter(pk=session_id, user_id=user_id, revoked_at=None, expires_at__gt=now).update(
            last_used_at=now, expires_at=now + jwt_settings.REFRESH_TOKEN_LIFETIME
        )
    )


def refresh_token_reuse_check(*, raw: str) -> bool:
    """A refresh token was refused. If it is a genuine one, rotated away more than
    ``REFRESH_REUSE_GRACE`` ago, a copy of it is in someone else's hands (OAuth 2.0 security
    practice, RFC 9700 4.14.2): its session is revoked, so the rotated token goes dead too. A
    retry within the grace (two refreshes sent at once) is refused and changes nothing."""
    try:
        payload = token_backend.decode(raw, verify=True)
    except TokenBackendError:  # not ours, or expired: nothing to protect
        return False
    session_id = payload.get("sid")
    rotated = BlacklistedToken.objects.filter(
        token__jti=payload.get(jwt_settings.JTI_CLAIM),
        blacklisted_at__lt=timezone.now() - settings.REFRESH_REUSE_GRACE,
    )
    if payload.get(jwt_settings.TOKEN_TYPE_CLAIM) != "refresh" or session_id is None or not rotated.exists():
        return False
    session = LoginSession.objects.filter(pk=session_id, revoked_at=None).first()
    if session is None:
        return False
    login_sessions_revoke(user=session.user, session=session)
    audit_record(
        action=Action.SESSION_REVOKED,
        target_user_id=session.user_id,
        obj=session,
        changes={"reason": "refresh_token_reused"},
    )
    return True


def login_session_end(*, session_id: int) -> None:
    """Log out of one session, by the refresh token's ``sid`` (the token itself is blacklisted by the caller)."""
    LoginSession.objects.filter(pk=session_id, revoked_at=None).update(revoked_at=timezone.now())


@transaction.atomic
def login_session_revoke(*, user: User, session: LoginSession) -> None:
    login_sessions_revoke(user=user, session=session)
    audit_record(action=Action.SESSION_REVOKED, actor=user, target_user=user, obj=session)


@transaction.atomic
def user_logout_everywhere(*, user: User) -> None:
    login_sessions_revoke(user=user)
    audit_record(action=Action.LOGOUT_EVERYWHERE, actor=user, target_user=user)


@transaction.atomic
def login_sessions_revoke(*, user: User, session: LoginSession | None = None) -> int:
    """Revoke one session, or (without one) all of them and every refresh token of the user."""
    sessions = LoginSession.objects.filter(user=user, revoked_at=None)
    if session is not None:
        return sessions.filter(pk=session.pk).update(revoked_at=timezone.now())
    revoked = sessions.update(revoked_at=timezone.now())
    # Tokens made without a session (before sessions existed) go on the blacklist.
    outstanding = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )
    return revoked


def login_sessions_purge(*, now=None) -> int:
    """Forget sessions ended or expired over 30 days ago, and expired refresh tokens; returns how many sessions."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=30)
    deleted, _ = LoginSession.objects.filter(Q(revoked_at__lt=cutoff) | Q(expires_at__lt=cutoff)).delete()
    OutstandingToken.objects.filter(expires_at__lt=now).delete()
    return deleted


# Account deletion -------------------------------------------------------------------------


@transaction.atomic
def user_delete(*, user: User, password: str) -> None:
    """The user deletes their account, confirming with their password."""
    if not user.check_password(password):
        raise ValidationError({"password": [ValidationError("The password is wrong.", code="wrong_password")]})
    account_erase(user=user)


@transaction.atomic
def account_erase(*, user: User, by: User | None = None) -> None:
    """Delete the user and everything that is theirs, at once; mentors lose access in this transaction.

    Mentors get sync tombstones for the learner's data, the other side of each link a tombstone
    for the link; invitations addressed to the user's email are withdrawn and forget it. Their
    audit events go, except staff actions, kept without the user (``audit_forget_user``). The
    export files are removed once the deletion has committed. ``by``: the staff member, if any.
    """
    from roadmaps.selectors.sync import learner_data_ids

    user = User.objects.select_for_update().get(pk=user.pk)
    data = {entity: sorted(ids) for entity, ids in learner_data_ids([user.pk]).items()}
    for link in Mentorship.objects.filter(learner=user, state=Mentorship.State.ACTIVE):
        changes_record(
            owner_id=link.mentor_id, ids_by_entity={**data, Change.Entity.MENTORSHIP: [link.pk]}, deleted=True
        )
    for link in Mentorship.objects.filter(mentor=user).exclude(learner=None):
        changes_record(owner_id=link.learner_id, ids_by_entity={Change.Entity.MENTORSHIP: [link.pk]}, deleted=True)
    addressed = Mentorship.objects.filter(invitee_email=user.email)
    for link in addressed.exclude(invited_by=None):
        changes_record(owner_id=link.invited_by_id, ids_by_entity={Change.Entity.MENTORSHIP: [link.pk]})
    addressed.filter(state=Mentorship.State.INVITED).update(state=Mentorship.State.ENDED, ended_at=timezone.now())
    addressed.update(invitee_email="")
    reminders_forget_address(email=user.email)

    files = [export.file.name for export in user.data_exports.exclude(file="")]
    audit_forget_user(user=user)
    if by is not None and by.pk != user.pk:
        audit_record(action=Action.STAFF_USER_DELETED, actor=by, by_staff=True)
    else:
        audit_record(action=Action.ACCOUNT_DELETED, ip=None)  # nothing that could point back to the user
    user.delete()
    transaction.on_commit(lambda: _files_delete(files))


def _files_delete(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)
