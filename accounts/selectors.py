from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import DataExport, LoginSession, Mentorship, User


def mentorship_list(*, user: User) -> QuerySet[Mentorship]:
    """Links the user is on, and invitations addressed to their email (open or answered)."""
    mine = Q(mentor=user) | Q(learner=user)
    addressed = Q(invitee_email=user.email)
    return Mentorship.objects.filter(mine | addressed).select_related("mentor", "learner")


def mentorship_get(*, user: User, mentorship_id: int) -> Mentorship:
    queryset = Mentorship.objects.select_related("mentor", "learner") if user.is_staff else mentorship_list(user=user)
    return get_object_or_404(queryset, pk=mentorship_id)


def mentorship_get_by_code(*, code: str) -> Mentorship:
    """The open invitation with this code, made within ``MENTORSHIP_CODE_MAX_AGE``; 404 otherwise, an
    expired code as an unknown one."""
    return get_object_or_404(
        Mentorship,
        code=code.strip().upper(),
        state=Mentorship.State.INVITED,
        created_at__gt=timezone.now() - settings.MENTORSHIP_CODE_MAX_AGE,
    )


def active_mentorship_of(*, mentor, learner_ref) -> QuerySet[Mentorship]:
    """For ``Exists()``: an active link from ``mentor`` to the learner ``learner_ref`` points at."""
    return Mentorship.objects.filter(mentor=mentor, learner=learner_ref, state=Mentorship.State.ACTIVE)


def mentees_of(*, mentor: User) -> QuerySet[User]:
    return User.objects.filter(Exists(active_mentorship_of(mentor=mentor, learner_ref=OuterRef("pk")))).order_by(
        "display_name", "id"
    )


def has_active_mentor(*, learner_id: int) -> bool:
    return Mentorship.objects.filter(learner_id=learner_id, state=Mentorship.State.ACTIVE).exists()


def login_session_list(*, user: User) -> QuerySet[LoginSession]:
    """The user's sessions (devices) that can still refresh: not revoked, not expired."""
    return LoginSession.objects.filter(user=user, revoked_at=None, expires_at__gt=timezone.now())


def login_session_get(*, user: User, session_id: int) -> LoginSession:
    return get_object_or_404(login_session_list(user=user), pk=session_id)


def data_export_list(*, user: User) -> QuerySet[DataExport]:
    return DataExport.objects.filter(user=user).order_by("-created_at", "-id")


def data_export_get(*, user: User, export_id: int) -> DataExport:
    return get_object_or_404(DataExport.objects.filter(user=user), pk=export_id)
