"""The audit trail: sensitive actions, appended as :class:`AuditEvent` rows and never changed.

Services call :func:`audit_record` in the same transaction as the change they make, so an action
that rolls back leaves no event. The client address comes from the request being served (set
by :class:`AuditContextMiddleware`), so services need no request parameter; a task or a command
records no address.
"""

from collections.abc import Callable
from contextvars import ContextVar

from django.db.models import Q
from django.http import HttpRequest, HttpResponseBase

from accounts.models import AuditEvent, User

_client_ip: ContextVar[str | None] = ContextVar("audit_client_ip", default=None)
FROM_REQUEST = "from-request"  # the ``ip`` of an event: the address of the request being served


class AuditContextMiddleware:
    """Remember the client address of the request being served, for the audit events it causes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        from accounts.lockout import client_ip

        token = _client_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    target_user: User | None = None,
    target_user_id: int | None = None,
    obj=None,
    changes: dict | None = None,
    ip: str | None = FROM_REQUEST,
    by_staff: bool | None = None,
) -> AuditEvent:
    """Append one event. ``by_staff`` (unless given) is whether a staff member acted on someone else's data."""
    if target_user is not None:
        target_user_id = target_user.pk
    if by_staff is None:
        by_staff = bool(actor and actor.is_staff and target_user_id and target_user_id != actor.pk)
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        target_user_id=target_user_id,
        by_staff=by_staff,
        ip=_client_ip.get() if ip == FROM_REQUEST else ip,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        changes=changes or {},
    )


def audit_forget_user(*, user: User) -> int:
    """Before ``user`` is deleted: drop their own events, keep staff actions without their data.

    Events of staff acting on the user stay, with the user's side emptied (the staff member and
    what was done remain). Events where the user acted as staff on others stay too, without the
    user's name or address. Everything else that names them goes. Returns how many were deleted.
    """
    mine = Q(actor=user) | Q(target_user=user)
    AuditEvent.objects.filter(by_staff=True, target_user=user).update(target_user=None)
    AuditEvent.objects.filter(by_staff=True, actor=user).update(actor=None, ip=None)
    deleted, _ = AuditEvent.objects.filter(mine).delete()
    return deleted


def admin_login_recorded(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: a session (admin) login is audited like an API one."""
    audit_record(action=AuditEvent.Action.LOGIN, actor=user, target_user=user, changes={"via": "admin"})
