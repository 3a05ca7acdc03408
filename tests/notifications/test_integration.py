"""Reminders end to end: real Celery worker and beat processes (and the web server) on a Redis
of the test's own, the test's PostgreSQL database, and a local SMTP server as the relay.

The processes share this test's database: the tests commit their data (transaction=True) and
the processes are pointed at the test database by TEST_DATABASE_URL. Each test has its own
Redis on a free port, so it can be stopped, and nothing leaks into the shared one. Users here
turn push off: the email is what crosses the network boundary.
"""

import json
import re
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.utils.html import escape
from rest_framework.test import APIClient

from accounts.models import DataExport, User
from accounts.services import mentorship_create_active
from notifications.models import Channel, Delivery, Kind, Notification, Reminder
from notifications.rules import loaded_prefs
from notifications.services.reminders import preferences_update
from roadmaps.models import Milestone, ReviewSubmission
from roadmaps.services.learning import progress_entry_log, roadmap_enroll
from roadmaps.services.reviews import review_submit
from tests.factories import UserFactory, small_path
from tests.notifications.smtp import SmtpServer, smtp_server
from tests.processes import (
    RedisServer,
    answers,
    celery_command,
    free_port,
    kill_group,
    logs_of,
    private_redis,
    running,
    wait_for_text,
    wait_until,
    web_command,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

WAIT = 40  # seconds: the most anything here may take; polls end as soon as it is there
PASSWORD = "correct horse battery staple"  # UserFactory's
SCAN_SENT = "Sending due task scan-reminders (notifications.scan)"


# -- the processes --------------------------------------------------------------------------


@dataclass
class Stack:
    """Environment and logs of the processes of one test."""

    tmp: Path
    redis: RedisServer
    smtp: SmtpServer
    settings: dict[str, str]

    def env(self) -> dict[str, str]:
        db = connection.settings_dict
        credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        return {
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            # tests/settings.py turns this into DATABASES: the processes use this test's database.
            "TEST_DATABASE_URL": f"postgres://{credentials}@{host}/{db['NAME']}",
            "TEST_REDIS_URL": self.redis.url,
            "CELERY_BROKER_URL": self.redis.url,
            "CELERY_RESULT_BACKEND": self.redis.url,
            "EMAIL_URL": self.smtp.url,
            "VAR_DIR": str(self.tmp),
            "REMINDER_SCAN_SECONDS": "1",
            **self.settings,
        }

    @contextmanager
    def worker(self, name: str) -> Iterator:
        log = self.tmp / f"worker-{name}.log"
        command = celery_command(
            "worker", "--loglevel", "INFO", "--pool", "solo", "--without-mingle", "--without-gossip", "-n", f"{name}@%h"
        )
        with running(command, env=self.env(), log=log) as process:
            assert wait_for_text(log, "ready.", timeout=WAIT), self.logs()
            yield process

    @contextmanager
    def beat(self) -> Iterator:
        command = celery_command(
            "beat", "--loglevel", "INFO", "--max-interval", "1", "--schedule", str(self.tmp / "beat-schedule")
        )
        with running(command, env=self.env(), log=self.tmp / "beat.log") as process:
            yield process

    @contextmanager
    def web(self) -> Iterator[str]:
        port = free_port()
        with running(web_command(port), env=self.env(), log=self.tmp / "web.log"):
            assert wait_until(lambda: answers(port), timeout=WAIT), self.logs()
            yield f"http://127.0.0.1:{port}"

    def logs(self) -> str:
        return logs_of(*sorted(self.tmp.glob("*.log")))


@pytest.fixture
def stack(tmp_path: Path, request) -> Iterator[Stack]:
    """Options by indirect parametrization: ``stall_smtp`` (hold the first send), ``env``."""
    options = getattr(request, "param", {})
    with (
        private_redis(tmp_path) as redis,
        smtp_server(stall_first_recipient=options.get("stall_smtp", False)) as smtp,
    ):
        yield Stack(tmp=tmp_path, redis=redis, smtp=smtp, settings=options.get("env", {}))


# -- the data -------------------------------------------------------------------------------


def _quiet_learner(**fields) -> User:
    """A learner in UTC whose scheduled reminders come at midnight, so whatever is scheduled for
    today is due already; the weekly digest waits for another day, and push is off."""
    user = UserFactory(verified=True, time_zone="UTC", **fields)
    today = timezone.now().weekday()
    preferences_update(
        user=user,
        preferred_hour=0,
        digest_weekday=(today + 3) % 7,
        channels={kind: {Channel.PUSH: False} for kind in (Kind.TARGET_SOON, Kind.REVIEW_DECIDED)},
    )
    return user


def _target_in_three_days(learner: User) -> Milestone:
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path(slug=f"path-{uuid.uuid4().hex[:8]}"))
    milestone = roadmap.milestones.order_by("position").first()
    milestone.target_date = timezone.now().date() + timedelta(days=3)
    milestone.save(update_fields=["target_date"])
    return milestone


def _email_delivery(learner: User, kind: str = Kind.TARGET_SOON) -> Delivery | None:
    return Delivery.objects.filter(reminder__user=learner, reminder__kind=kind, channel=Channel.EMAIL).first()


def _sent(learner: User, kind: str = Kind.TARGET_SOON) -> bool:
    delivery = _email_delivery(learner, kind)
    return delivery is not None and delivery.state == Delivery.State.SENT


def _part(message, subtype: str) -> str:
    return message.get_body(preferencelist=(subtype,)).get_content()


def _received_task_ids(log: Path, task: str) -> list[str]:
    return re.findall(rf"Task {re.escape(task)}\[([0-9a-f-]+)\] received", log.read_text(errors="replace"))


# -- 1. scan -> inbox and email -------------------------------------------------------------


def test_a_due_reminder_goes_from_the_scan_to_the_inbox_and_an_email(stack: Stack):
    # Given a learner whose milestone's target date is three days away: the reminder is due today
    learner = _quiet_learner()
    milestone = _target_in_three_days(learner)

    # When beat ticks the scan and a worker runs what it fans out
    with stack.worker("one"), stack.beat():
        delivered = wait_until(lambda: _sent(learner) and stack.smtp.messages, timeout=WAIT)
        assert delivered, stack.logs()

    # Then the inbox has the reminder ...
    client = APIClient()
    client.force_authenticate(learner)
    inbox = client.get("/api/v1/notifications/").json()["results"]
    assert [(entry["kind"], entry["data"]) for entry in inbox] == [
        ("target_soon", {"roadmap": milestone.roadmap_id, "milestone": milestone.pk})
    ]
    title = inbox[0]["title"]
    assert title.startswith(f"{milestone.title} is due in ")
    # ... and exactly one email reached the relay, with both parts and one-click unsubscribe
    messages = stack.smtp.messages
    assert len(messages) == 1, stack.logs()
    message = messages[0]
    delivery = _email_delivery(learner)
    assert message["To"] == learner.email
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message["Subject"] == title
    assert message["Message-ID"] == f"<reminder-{delivery.reminder_id}.{delivery.pk}@careerhub>"
    assert title in _part(message, "plain")
    assert inbox[0]["body"] in _part(message, "plain")
    assert f'<h1 style="font-size: 1.2em;">{escape(title)}</h1>' in _part(message, "html")
    # (a long header is folded onto a new line; unfolded it is "<url>")
    list_unsubscribe = re.fullmatch(r"<(http\S+)>", message["List-Unsubscribe"].strip())
    assert list_unsubscribe, message["List-Unsubscribe"]
    unsubscribe_url = list_unsubscribe[1]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_url.startswith(f"{settings.PUBLIC_BASE_URL}/api/v1/notifications/unsubscribe/")
    # the text's link opens the web page for the same token, which asks first
    page_url = f"{settings.PUBLIC_BASE_URL}/unsubscribe/{unsubscribe_url.rstrip('/').rsplit('/', 1)[-1]}/"
    assert page_url in _part(message, "plain")
    assert page_url in _part(message, "html")
    assert Reminder.objects.get(user=learner, kind=Kind.TARGET_SOON).state == Reminder.State.SENT

    # When the learner opens the unsubscribe link and clicks its button
    page = Client().get(page_url.removeprefix(settings.PUBLIC_BASE_URL))
    assert page.status_code == 200, page.content
    response = Client().post(page_url.removeprefix(settings.PUBLIC_BASE_URL))

    # Then these emails stop; the inbox keeps them
    assert response.status_code == 200, response.content
    assert "Unsubscribed" in response.content.decode()
    learner = User.objects.select_related("notification_preference").get(pk=learner.pk)
    assert not loaded_prefs(learner).channel_on(Kind.TARGET_SOON, Channel.EMAIL)
    assert loaded_prefs(learner).channel_on(Kind.TARGET_SOON, Channel.INBOX)


# -- 2. the worker killed in the middle of a send -------------------------------------------

# Redis hands an unacknowledged message to another worker after 3 s (a worker looks every
# second); the scan would look at the delivery only after its default 10 minutes.
BROKER_REDELIVERS = {
    "stall_smtp": True,
    "env": {"CELERY_VISIBILITY_TIMEOUT": "3", "CELERY_RESTORE_SWEEP_SECONDS": "1"},
}
# The broker keeps the lost message for an hour; the scan sends a delivery left pending 3 s again.
SCAN_REQUEUES = {"stall_smtp": True, "env": {"CELERY_VISIBILITY_TIMEOUT": "3600", "REMINDER_REQUEUE_SECONDS": "3"}}


@pytest.mark.parametrize(
    "stack", [pytest.param(BROKER_REDELIVERS, id="broker"), pytest.param(SCAN_REQUEUES, id="scan")], indirect=True
)
def test_a_worker_killed_in_the_middle_of_a_send_still_sends_the_email_exactly_once(stack: Stack):
    path = "scan" if "REMINDER_REQUEUE_SECONDS" in stack.settings else "broker"
    # Given a learner with a reminder due, and a relay that will hold the first send in RCPT TO
    learner = _quiet_learner()
    _target_in_three_days(learner)

    with stack.beat():
        # When a worker is in the middle of sending the email ...
        with stack.worker("first") as first:
            assert stack.smtp.stalled.wait(WAIT), stack.logs()
            delivery = _email_delivery(learner)
            enqueued_at = delivery.enqueued_at
            # ... and is killed outright: no cleanup, no acknowledgement, no rollback of its own
            kill_group(first)
        killed_at = timezone.now()
        stack.smtp.release()

        # Then nothing was sent and the delivery is still to do (the send's transaction died with it)
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts, delivery.sent_at) == (Delivery.State.PENDING, 0, None)
        assert stack.smtp.messages == []
        (first_task,) = _received_task_ids(stack.tmp / "worker-first.log", "notifications.send_emails")

        # When a new worker starts
        with stack.worker("second"):
            assert wait_until(lambda: _sent(learner), timeout=WAIT), stack.logs()

    # Then the email went out exactly once, and the inbox has the reminder once
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (Delivery.State.SENT, 1)
    assert [message["To"] for message in stack.smtp.messages] == [learner.email], stack.logs()
    assert Notification.objects.filter(user=learner).count() == 1
    resent = _received_task_ids(stack.tmp / "worker-second.log", "notifications.send_emails")
    if path == "broker":
        # the very message the killed worker held, given back by Redis
        assert first_task in resent, stack.logs()
        assert delivery.enqueued_at == enqueued_at
    else:
        # a new message from the scan, which found the delivery pending and unlocked
        assert first_task not in resent, stack.logs()
        assert delivery.enqueued_at > killed_at


# -- 3. Redis stopped -----------------------------------------------------------------------


class Http:
    """A client of the running web server, through the network as the app would call it."""

    def __init__(self, base: str):
        self.base = base
        self.slowest = 0.0

    def __call__(self, method: str, path: str, body: dict | None = None, token: str = "") -> tuple[int, dict]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        self.slowest = max(self.slowest, time.monotonic() - started)
        return status, json.loads(raw) if raw else {}

    def token(self, user: User) -> str:
        status, body = self("POST", "/api/v1/auth/token/", {"email": user.email, "password": PASSWORD})
        assert status == 200, body
        return body["access"]


def test_the_api_answers_while_redis_is_down_and_what_fell_due_is_delivered_once_it_is_back(stack: Stack):
    # Given a learner with a milestone waiting for her mentor's review, and one without a target date
    mentor = UserFactory(verified=True, time_zone="UTC", is_mentor=True)
    # the mentor's own reminders (the review request) wait for an hour far from now
    preferences_update(user=mentor, preferred_hour=(timezone.now().hour + 12) % 24)
    learner = _quiet_learner()
    mentorship_create_active(mentor=mentor, learner=learner, by=mentor)
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path())
    reviewed, undated = roadmap.milestones.order_by("position")[:2]
    progress_entry_log(
        learner=learner, milestone_id=reviewed.pk, entry_id=uuid.uuid4(), minutes=60, state="in_progress"
    )
    submission = review_submit(learner=learner, milestone=reviewed, message="Done, please look")

    with stack.web() as base, stack.worker("one"), stack.beat() as beat:
        http = Http(base)
        assert http("GET", "/health/ready")[0] == 200, stack.logs()
        assert wait_for_text(stack.tmp / "beat.log", SCAN_SENT, timeout=WAIT), stack.logs()

        # When Redis goes down
        stack.redis.stop()

        # Then the API keeps answering: sign-in, reads and writes
        assert http("GET", "/health/live") == (200, {"status": "ok"})
        status, ready = http("GET", "/health/ready")
        assert (status, ready["down"]) == (503, ["broker"]), ready
        learner_token, mentor_token = http.token(learner), http.token(mentor)
        status, roadmaps = http("GET", "/api/v1/roadmaps/", token=learner_token)
        assert (status, [row["id"] for row in roadmaps["results"]]) == (200, [roadmap.pk]), roadmaps
        entry = {"id": str(uuid.uuid4()), "minutes": 30, "note": "Offline but logging"}
        status, body = http("POST", f"/api/v1/milestones/{undated.pk}/entries/", entry, token=learner_token)
        assert status == 201, body
        # a target date three days away: a target_soon reminder due at once
        target = (timezone.now().date() + timedelta(days=3)).isoformat()
        status, body = http("PATCH", f"/api/v1/milestones/{undated.pk}/", {"target_date": target}, learner_token)
        assert (status, body["target_date"]) == (200, target), body
        # the mentor approves: an urgent review_decided reminder, whose message cannot be sent now
        status, body = http("POST", f"/api/v1/reviews/{submission.pk}/approve/", {}, token=mentor_token)
        assert (status, body["state"]) == (200, ReviewSubmission.State.APPROVED), body
        decided = Reminder.objects.get(user=learner, kind=Kind.REVIEW_DECIDED)
        assert (decided.state, decided.enqueued_at) == (Reminder.State.PENDING, None)  # left for the next scan
        # every other API that sends a task answers as with the broker up: its write has committed
        stranger = UserFactory(email_verified_at=None)
        sends = [
            ("POST", "/api/v1/auth/register/", {"email": "new@example.com", "password": PASSWORD}, "", 202),
            ("POST", "/api/v1/auth/password/reset/", {"email": learner.email}, "", 202),
            ("POST", "/api/v1/auth/email/verify/resend/", None, http.token(stranger), 202),
            ("POST", "/api/v1/me/email/", {"email": "ada.new@example.com", "password": PASSWORD}, learner_token, 202),
            ("POST", "/api/v1/mentorships/", {"role": "mentor", "email": "bo@example.com"}, mentor_token, 201),
            ("POST", "/api/v1/me/exports/", None, learner_token, 202),
        ]
        for method, path, body, token, expected in sends:
            status, answer = http(method, path, body, token=token)
            assert status == expected, (path, answer)
        assert User.objects.filter(email="new@example.com").exists()
        assert DataExport.objects.get(user=learner).state == DataExport.State.FAILED  # it says so, not pending
        assert http.slowest < 5, f"a request took {http.slowest:.1f} s while Redis was down"
        assert not Notification.objects.filter(user=learner).exists()
        # beat keeps ticking: the scans it cannot send are lost, not queued up
        assert wait_for_text(stack.tmp / "beat.log", "Message Error", timeout=WAIT), stack.logs()

        # When Redis is back
        stack.redis.start()

        # Then both reminders are delivered: to the inbox and by email
        def both_sent() -> bool:
            return _sent(learner, Kind.REVIEW_DECIDED) and _sent(learner, Kind.TARGET_SOON)

        assert wait_until(both_sent, timeout=WAIT), stack.logs()
        assert http("GET", "/health/ready")[0] == 200
        assert beat.poll() is None, stack.logs()

    # ... each exactly once
    kinds = Counter(Notification.objects.filter(user=learner).values_list("kind", flat=True))
    assert kinds == {Kind.REVIEW_DECIDED: 1, Kind.TARGET_SOON: 1}
    messages = [message for message in stack.smtp.messages if message["To"] == learner.email]
    assert sorted(message["Subject"] for message in messages) == sorted(
        Notification.objects.filter(user=learner).values_list("title", flat=True)
    ), stack.logs()
    # the invitation sent while Redis was down is a reminder row too: it reaches its address once back
    assert [message["To"] for message in stack.smtp.messages].count("bo@example.com") == 1
    assert "rate limit writes not counted, the cache is unreachable" in (stack.tmp / "web.log").read_text()
