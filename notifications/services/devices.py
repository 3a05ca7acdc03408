"""Push devices and the calendar feed's secret token: the writes, and the few reads they need.

A device is identified by the token its push provider gave the phone (``Device.token`` is
unique): registering a token again is the same device, and a token registered by someone else
moves to whoever registers it now, because the phone changed hands or another account logged in
on it. Concurrent registrations of one token meet on a row lock (or on the unique index, for the
very first one) and never make two rows.
"""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from notifications.models import Device, Preference, new_calendar_token
from notifications.rules import preference_defaults

# A user's devices beyond this many, least recently seen first, are forgotten when another one
# registers: a push goes to every active device, and an app that registers a fresh token on each
# install must not make that list grow without end.
MAX_DEVICES_PER_USER = 20


# Reads ----------------------------------------------------------------------------------


def device_list(*, user: User) -> QuerySet[Device]:
    return Device.objects.filter(user=user)


def device_get(*, user: User, device_id: int) -> Device:
    """The user's device; another user's answers the same 404 as a missing one."""
    return get_object_or_404(device_list(user=user), pk=device_id)


# Writes ---------------------------------------------------------------------------------


@transaction.atomic
def device_register(*, user: User, token: str, platform: str, name: str = "") -> tuple[Device, bool]:
    """Register a push token for ``user``; ``True`` when the device is new to them.

    Known to ``user`` already: the same device, seen now, active again (a token the provider
    reported dead and the app registers again works again), with the platform and, if given,
    the name sent. Known to another user: it moves to ``user`` as a new device of theirs (the
    previous owner's name for it is dropped). Unknown: a new row.
    """
    device = Device.objects.select_for_update().filter(token=token).first()
    if device is None:
        try:
            with transaction.atomic():  # a savepoint: a concurrent first registration may win the insert
                device = Device.objects.create(user=user, token=token, platform=platform, name=name)
        except IntegrityError:
            # The other registration committed first; wait for it to finish and take its row.
            device = Device.objects.select_for_update().get(token=token)
        else:
            _forget_devices_beyond_limit(user)
            return device, True

    moved = device.user_id != user.pk
    device.platform = platform
    device.active = True
    device.deactivated_reason = ""
    fields = ["platform", "active", "deactivated_reason", "last_seen_at"]  # last_seen_at: auto_now
    if moved:
        device.user = user
        device.name = name
        device.created_at = timezone.now()  # registered to this user from now on
        fields += ["user", "name", "created_at"]
    elif name:
        device.name = name
        fields.append("name")
    device.save(update_fields=fields)
    if moved:
        _forget_devices_beyond_limit(user)
    return device, moved


def _forget_devices_beyond_limit(user: User) -> None:
    keep = Device.objects.filter(user=user).order_by("-last_seen_at", "-id").values("pk")[:MAX_DEVICES_PER_USER]
    Device.objects.filter(user=user).exclude(pk__in=keep).delete()


@transaction.atomic
def device_remove(*, device: Device) -> None:
    """The app logs out on this phone: it gets no more pushes (its message log goes with it)."""
    device.delete()


def devices_deactivate(*, tokens: Iterable[str], reason: str) -> int:
    """Stop pushing to these tokens (a provider reported them dead); answers how many were active.

    The rows stay, inactive, so the user sees why a phone went quiet; registering the token
    again re-activates it.
    """
    tokens = set(tokens)
    if not tokens:
        return 0
    return Device.objects.filter(token__in=tokens, active=True).update(
        active=False, deactivated_reason=reason[: Device._meta.get_field("deactivated_reason").max_length]
    )


# The calendar feed's token ----------------------------------------------------------------


@transaction.atomic
def calendar_token_regenerate(*, user: User) -> Preference:
    """A new secret for the user's calendar feed: the old feed URL stops working at once."""
    preference, _ = Preference.objects.select_for_update().get_or_create(user=user, defaults=preference_defaults())
    preference.calendar_token = new_calendar_token()
    preference.save(update_fields=["calendar_token", "updated_at"])
    return preference
