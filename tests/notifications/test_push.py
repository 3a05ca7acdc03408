"""Push senders: the recording one (the default), and the HTTP one against a stub provider.

The stub is a real HTTP server on 127.0.0.1, in a thread: the sender's requests go over a
socket, and the provider's answers, errors and slowness are the stub's.
"""

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from notifications.errors import PermanentSendError, TransientSendError
from notifications.models import Channel, Delivery, Device, Kind, PushMessage, Reminder
from notifications.push import (
    DEAD_TOKEN_REASON,
    HttpPushSender,
    PushPayload,
    RecordingSender,
    push_deliver,
    push_sender,
)
from notifications.services.devices import device_register, devices_deactivate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAYLOAD = PushPayload(
    title="Target date on Friday",
    body="Python basics is due in 3 days.",
    data={"kind": "target_soon", "milestone": 42, "roadmap": 7},
)
PROVIDER_KEY = "provider-secret-key"


def _push_delivery(user, *, subject_id: int = 42) -> Delivery:
    reminder = Reminder.objects.create(
        user=user, kind=Kind.TARGET_SOON, subject_id=subject_id, period="2026-11-27", due_at=timezone.now()
    )
    return Delivery.objects.create(reminder=reminder, channel=Channel.PUSH)


@pytest.fixture
def phones(learner) -> list[Device]:
    """The learner's two active phones; an old one deactivated; a stranger's phone."""
    ios, _ = device_register(user=learner, token="ios-token-aaaaaaaaaaaa", platform="ios")
    android, _ = device_register(user=learner, token="android-token-bbbbbbbb", platform="android")
    device_register(user=learner, token="old-token-cccccccccccc", platform="android")
    devices_deactivate(tokens=["old-token-cccccccccccc"], reason="reported dead by the push provider")
    device_register(user=UserFactory(), token="stranger-token-dddddddd", platform="ios")
    return [ios, android]


# The recording sender --------------------------------------------------------------------


def test_the_default_sender_records_one_message_per_active_device_of_the_recipient(learner, phones):
    # Given
    delivery = _push_delivery(learner)

    # When
    outcome = push_deliver(delivery=delivery, payload=PAYLOAD)

    # Then
    assert isinstance(push_sender(), RecordingSender)
    assert outcome == "sent"
    messages = PushMessage.objects.order_by("device_id").values("device_id", "delivery_id", "title", "body", "data")
    assert list(messages) == [
        {
            "device_id": phone.pk,
            "delivery_id": delivery.pk,
            "title": PAYLOAD.title,
            "body": PAYLOAD.body,
            "data": PAYLOAD.data,
        }
        for phone in phones
    ]


def test_sending_a_delivery_again_records_nothing_more(learner, phones):
    delivery = _push_delivery(learner)

    push_deliver(delivery=delivery, payload=PAYLOAD)
    push_deliver(delivery=delivery, payload=PAYLOAD)

    assert PushMessage.objects.count() == len(phones)


def test_a_recipient_without_active_devices_gets_nothing(learner, phones):
    # Given: a user with only a deactivated phone, and an invitation to an address with no account
    lonely = UserFactory()
    device_register(user=lonely, token="lonely-token-eeeeeeee", platform="ios")
    devices_deactivate(tokens=["lonely-token-eeeeeeee"], reason="gone")
    invitation = Reminder.objects.create(
        email="someone@example.com", kind=Kind.MENTORSHIP_INVITATION, subject_id=1, period="once", due_at=timezone.now()
    )

    # When
    outcomes = [
        push_deliver(delivery=_push_delivery(lonely), payload=PAYLOAD),
        push_deliver(delivery=Delivery.objects.create(reminder=invitation, channel=Channel.PUSH), payload=PAYLOAD),
    ]

    # Then
    assert outcomes == ["no_devices", "no_devices"]
    assert not PushMessage.objects.exists()


@pytest.mark.parametrize("count", [1, 20])
def test_pushing_costs_the_same_queries_for_1_and_many_devices(learner, django_assert_num_queries, count):
    for index in range(count):
        device_register(user=learner, token=f"token-{index:04d}", platform="ios")
    delivery = _push_delivery(learner)

    with django_assert_num_queries(2):  # the devices; the messages, in one insert
        push_deliver(delivery=delivery, payload=PAYLOAD)

    assert PushMessage.objects.count() == count


# The HTTP sender, against a stub provider -------------------------------------------------


@dataclass
class Stub:
    """What the stub provider answers, and what it was sent."""

    url: str = ""
    status: int = 200
    answer: dict | bytes = field(default_factory=lambda: {"results": []})
    headers: dict = field(default_factory=dict)
    delay: float = 0.0
    requests: list = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


def _handler_for(stub: Stub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            stub.requests.append({"path": self.path, "headers": dict(self.headers), "body": json.loads(body)})
            if stub.delay:
                stub.release.wait(stub.delay)
            answer = stub.answer if isinstance(stub.answer, bytes) else json.dumps(stub.answer).encode()
            self.send_response(stub.status)
            for name, value in {"Content-Type": "application/json", **stub.headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_GET = do_POST

        def log_message(self, *args):
            pass

    return Handler


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # a client that gave up (the timeout test) closed the socket: nothing to report


@pytest.fixture
def provider(settings):
    stub = Stub()
    server = QuietServer(("127.0.0.1", 0), _handler_for(stub))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    stub.url = f"http://127.0.0.1:{server.server_address[1]}/v1/send"
    _use_http_sender(settings, stub.url)
    yield stub
    stub.release.set()
    server.shutdown()
    server.server_close()


def _use_http_sender(settings, url: str, **more) -> None:
    settings.NOTIFICATIONS = {
        **settings.NOTIFICATIONS,
        "PUSH_SENDER": "notifications.push.HttpPushSender",
        "PUSH_PROVIDER_URL": url,
        "PUSH_PROVIDER_KEY": PROVIDER_KEY,
        **more,
    }


def test_the_http_sender_posts_the_messages_with_the_key_and_an_idempotency_key(learner, phones, provider):
    # Given
    delivery = _push_delivery(learner)
    provider.answer = {"results": [{"token": phone.token, "status": "ok"} for phone in phones]}

    # When
    outcome = push_deliver(delivery=delivery, payload=PAYLOAD)

    # Then
    assert outcome == "sent"
    assert isinstance(push_sender(), HttpPushSender)
    [request] = provider.requests
    assert request["path"] == "/v1/send"
    assert request["headers"]["Authorization"] == f"Bearer {PROVIDER_KEY}"
    assert request["headers"]["Idempotency-Key"] == f"delivery-{delivery.pk}"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["body"] == {
        "messages": [
            {"token": phone.token, "title": PAYLOAD.title, "body": PAYLOAD.body, "data": PAYLOAD.data}
            for phone in phones
        ]
    }
    assert Device.objects.filter(pk__in=[phone.pk for phone in phones], active=True).count() == 2
    assert not PushMessage.objects.exists()  # the provider keeps the log, not us


def test_tokens_the_provider_reports_dead_are_deactivated(learner, phones, provider):
    # Given: the iOS app was uninstalled; the provider also names a token we never sent
    ios, android = phones
    provider.answer = {
        "results": [
            {"token": ios.token, "status": "unregistered"},
            {"token": android.token, "status": "ok"},
            {"token": "stranger-token-dddddddd", "status": "invalid"},
        ]
    }

    # When
    outcome = push_deliver(delivery=_push_delivery(learner), payload=PAYLOAD)

    # Then: only the dead one we sent stops; the stranger's device is left alone
    assert outcome == "sent"
    assert dict(Device.objects.values_list("token", "active")) == {
        ios.token: False,
        android.token: True,
        "old-token-cccccccccccc": False,
        "stranger-token-dddddddd": True,
    }
    assert Device.objects.get(pk=ios.pk).deactivated_reason == DEAD_TOKEN_REASON


def test_an_invalid_token_is_dead_too(learner, phones, provider):
    provider.answer = {"results": [{"token": phones[1].token, "status": "invalid"}]}

    push_deliver(delivery=_push_delivery(learner), payload=PAYLOAD)

    assert list(Device.objects.filter(user=learner, active=True)) == [phones[0]]


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_a_busy_or_failing_provider_is_a_transient_error(learner, phones, provider, status):
    provider.status, provider.answer = status, {"error": "try later"}

    with pytest.raises(TransientSendError):
        push_deliver(delivery=_push_delivery(learner), payload=PAYLOAD)

    assert Device.objects.filter(user=learner, active=True).count() == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413])
def test_a_refusal_is_a_permanent_error(learner, phones, provider, status):
    provider.status, provider.answer = status, {"error": "bad request"}

    with pytest.raises(PermanentSendError):
        push_deliver(delivery=_push_delivery(learner), payload=PAYLOAD)


def test_a_redirect_is_not_followed(learner, phones, provider):
    # Given: the provider points elsewhere (here: back at itself, so a followed redirect would show)
    provider.status, provider.headers = 307, {"Location": provider.url + "/elsewhere"}

    # When
    with pytest.raises(PermanentSendError):
        push_deliver(delivery=_push_delivery(learner), payload=PAYLOAD)

    # Then
    assert [request["path"] for request in provider.requests] == ["/v1/send"]


@pytest.mark.parametrize("answer", [b"<html>oops</html>", b'{"results": [{"status": "ok"}]}', b"[]", b""])
def test_an_answer_of_another_shape_is_a_transient_error(learner, phones, provider, answer):
    provider.answer = answer

    with pytest.raises(TransientSendError):
        push_deliver(delivery=_push_delivery(learner), payload=PAYLOAD)


def test_an_unreachable_provider_is_a_transient_error(learner, phones, settings):
    # Given: a port nothing listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _use_http_sender(settings, f"http://127.0.0.1:{port}/v1/send")

    # When / Then
    with pytest.raises(TransientSendError, match="not reachable"):
        push_deliver(delivery=_push_delivery(learner), payload=PAYLOAD)


def test_a_provider_slower_than_the_timeout_is_a_transient_error(learner, phones, provider, settings):
    # Given: the provider takes 5 seconds; the sender waits 0.3
    provider.delay = 5
    _use_http_sender(settings, provider.url, PUSH_PROVIDER_TIMEOUT=0.3)

    # When / Then
    with pytest.raises(TransientSendError, match="not reachable"):
        push_deliver(delivery=_push_delivery(learner), payload=PAYLOAD)
    assert len(provider.requests) == 1


@pytest.mark.parametrize("url", ["", "file:///etc/passwd", "ftp://push.example/"])
def test_the_http_sender_needs_an_http_url(settings, url):
    _use_http_sender(settings, url)

    with pytest.raises(ImproperlyConfigured):
        push_sender()
