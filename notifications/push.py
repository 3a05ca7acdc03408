"""Push messages to the user's phones, through a sender chosen in the settings.

``NOTIFICATIONS["PUSH_SENDER"]`` names the sender class. :class:`RecordingSender` (the default)
keeps what it would send as ``PushMessage`` rows, for the demo and the tests;
:class:`HttpPushSender` posts to a push provider (a gateway in front of APNs and FCM) at
``PUSH_PROVIDER_URL``. A sender raises ``TransientSendError`` when trying again later may work
and ``PermanentSendError`` when it never will; tokens the provider no longer knows come back as
dead and those devices are deactivated.
"""

import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from notifications.errors import PermanentSendError, TransientSendError
from notifications.models import Delivery, Device, PushMessage, Reminder
from notifications.services.devices import devices_deactivate

DEAD_TOKEN_REASON = "reported dead by the push provider"


@dataclass
class PushPayload:
    title: str
    body: str
    data: dict = field(default_factory=dict)  # ids the app opens: roadmap, milestone, review


@dataclass
class PushResult:
    dead_tokens: set[str] = field(default_factory=set)  # the provider no longer knows them


class PushSender:
    """Sends one delivery's payload to the given devices, all of one user."""

    def send(self, *, delivery: Delivery, devices: list[Device], payload: PushPayload) -> PushResult:
        raise NotImplementedError


class RecordingSender(PushSender):
    """Sends nothing: records one ``PushMessage`` per device, once (a retry adds no second row)."""

    def send(self, *, delivery: Delivery, devices: list[Device], payload: PushPayload) -> PushResult:
        PushMessage.objects.bulk_create(
            [
                PushMessage(delivery=delivery, device=device, title=payload.title, body=payload.body, data=payload.data)
                for device in devices
            ],
            ignore_conflicts=True,
        )
        return PushResult()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect answers as the error it is: the message goes to the configured URL or nowhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class HttpPushSender(PushSender):
    """Posts the messages as JSON to the provider at ``PUSH_PROVIDER_URL`` (and only there).

    Request: ``{"messages": [{"token", "title", "body", "data"}]}`` with ``Authorization: Bearer
    <PUSH_PROVIDER_KEY>`` and ``Idempotency-Key: delivery-<id>``, so a retry after a lost answer
    is not shown twice. Answer: ``{"results": [{"token", "status": "ok" | "unregistered" |
    "invalid"}]}``. Unreachable, too slow (``PUSH_PROVIDER_TIMEOUT`` seconds, default 10), 429
    or 5xx: transient. Any other 4xx, or a redirect: permanent.
    """

    DEAD_STATUSES = frozenset({"unregistered", "invalid"})
    MAX_ANSWER_BYTES = 1_000_000
    DEFAULT_TIMEOUT = 10.0

    def __init__(self) -> None:
        config = settings.NOTIFICATIONS
        self.url = config.get("PUSH_PROVIDER_URL", "")
        self.key = config.get("PUSH_PROVIDER_KEY", "")
        self.timeout = float(config.get("PUSH_PROVIDER_TIMEOUT", self.DEFAULT_TIMEOUT))
        if not self.url.startswith(("https://", "http://")):
            raise ImproperlyConfigured("HttpPushSender needs PUSH_PROVIDER_URL, an http(s) URL.")
        self._opener = urllib.request.build_opener(_NoRedirects)

    def send(self, *, delivery: Delivery, devices: list[Device], payload: PushPayload) -> PushResult:
        messages = [
            {"token": device.token, "title": payload.title, "body": payload.body, "data": payload.data}
            for device in devices
        ]
        request = urllib.request.Request(
            self.url,
            data=json.dumps({"messages": messages}).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.key}",
                "Idempotency-Key": f"delivery-{delivery.pk}",
            },
        )
        answer = self._post(request)
        sent = {device.token for device in devices}
        return PushResult(dead_tokens={token for token, status in answer if status in self.DEAD_STATUSES} & sent)

    def _post(self, request: urllib.request.Request) -> list[tuple[str, str]]:
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                raw = response.read(self.MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as error:
            error.close()
            if error.code == 429 or error.code >= 500:
                raise TransientSendError(f"The push provider answered {error.code}.") from error
            raise PermanentSendError(f"The push provider refused the messages ({error.code}).") from error
        except (OSError, http.client.HTTPException) as error:  # refused, unresolvable, reset, timed out, cut off
            raise TransientSendError(f"The push provider is not reachable: {error}.") from error
        if len(raw) > self.MAX_ANSWER_BYTES:
            raise TransientSendError("The push provider's answer is too large.")
        return self._results(raw)

    @staticmethod
    def _results(raw: bytes) -> list[tuple[str, str]]:
        """The (token, status) pairs of the answer; an answer of another shape may be a
        provider's glitch, so the send is tried again (the idempotency key prevents doubles)."""
        try:
            answer: Any = json.loads(raw)
            return [(str(item["token"]), str(item["status"])) for item in answer["results"]]
        except (ValueError, KeyError, TypeError) as error:
            raise TransientSendError(f"The push provider's answer is not the expected JSON: {error!r}.") from error


def push_sender() -> PushSender:
    """The sender named by ``NOTIFICATIONS["PUSH_SENDER"]`` (a dotted path to a class)."""
    return import_string(settings.NOTIFICATIONS["PUSH_SENDER"])()


def push_deliver(*, delivery: Delivery, payload: PushPayload) -> str:
    """Push ``payload`` to every active device of the delivery's recipient.

    Answers ``"no_devices"`` when there is none (nothing is sent), else ``"sent"`` once the
    sender accepted the messages; devices whose tokens came back dead are deactivated. Sender
    errors (transient or permanent) propagate to the caller, which owns retries and the
    delivery's state.
    """
    recipient = Reminder.objects.filter(pk=delivery.reminder_id).values("user_id")
    devices = list(Device.objects.filter(user_id__in=recipient, active=True).order_by("id"))
    if not devices:
        return "no_devices"
    result = push_sender().send(delivery=delivery, devices=devices, payload=payload)
    if result.dead_tokens:
        devices_deactivate(tokens=result.dead_tokens, reason=DEAD_TOKEN_REASON)
    return "sent"
