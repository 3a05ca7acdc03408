"""What happens when reminders are due: preferences, quiet hours, the cap, checks at send
time, email content, and exactly-once processing."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.services import mentorship_create_active, mentorship_invite
from notifications.delivery import deliveries_send, reminders_deliver
from notifications.models import Delivery, Notification, Reminder
from notifications.scan import reminders_fan_out, reminders_schedule
from notifications.services.reminders import preferences_update
from roadmaps.models import Milestone
from roadmaps.services.reviews import review_decide, review_submit
from tests.factories import UserFactory
from tests.notifications.conftest import deliver_due, enrolled, tick, ticks, with_target
from tests.notifications.smtp import smtp_server

pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _due_targets(user, count: int, *, target=date(2026, 6, 12)):
    """``count`` milestones of ``user`` (enrolled on 8 June) with a target date on 12 June."""
    with time_machine.travel(at(2026, 6, 8, 12), tick=False):
        milestones = list(enrolled(user).milestones.all()[:count])
    for milestone in milestones:
        with_target(milestone, target)
    return milestones


def test_a_channel_turned_off_is_not_used_and_all_off_skips_with_a_reason(outbox):
    email_off = UserFactory(verified=True, time_zone="UTC")
    preferences_update(user=email_off, channels={"target_soon": {"email": False}})
    all_off = UserFactory(verified=True, time_zone="UTC")
    preferences_update(user=all_off, channels={"target_soon": {"email": False, "inbox": False, "push": False}})
    for user in (email_off, all_off):
        _due_targets(user, 1)

    ticks(at(2026, 6, 9, 9), at(2026, 6, 9, 9))

    assert Notification.objects.filter(user=email_off, kind="target_soon").count() == 1
    assert not Notification.objects.filter(user=all_off).exists()
    assert Reminder.objects.get(user=all_off, kind="target_soon").reason == "all_channels_off"
    assert outbox == []


def test_a_reminder_due_in_quiet_hours_is_deferred_to_their_end_not_dropped():
    night_owl = UserFactory(verified=True, time_zone="Europe/Berlin")
    preferences_update(user=night_owl, preferred_hour=23, quiet_start=22, quiet_end=7)
    _due_targets(night_owl, 1)

    ticks(at(2026, 6, 9, 20), at(2026, 6, 10, 6), every_minutes=30)

    [note] = Notification.objects.filter(user=night_owl)
    assert note.created_at == at(2026, 6, 10, 5)  # 07:00 Berlin, the end of the quiet hours
    assert Reminder.objects.get(kind="target_soon").reason == "quiet_hours"


def test_the_daily_cap_defers_the_rest_to_the_next_day():
    busy = UserFactory(verified=True, time_zone="UTC")
    preferences_update(user=busy, daily_cap=2)
    _due_targets(busy, 3)

    ticks(at(2026, 6, 9, 9), at(2026, 6, 9, 12), every_minutes=60)
    assert Notification.objects.filter(user=busy).count() == 2

    ticks(at(2026, 6, 10, 9), at(2026, 6, 10, 9))
    assert Notification.objects.filter(user=busy).count() == 3
    deferred = Reminder.objects.get(reason="daily_cap")
    assert (deferred.state, deferred.processed_at) == ("sent", at(2026, 6, 10, 9))


def test_a_review_decision_is_sent_at_once_outside_the_preferred_hour_but_not_in_quiet_hours():
    mentor, learner = UserFactory(verified=True, is_mentor=True), UserFactory(verified=True, time_zone="UTC")
    preferences_update(user=learner, quiet_start=22, quiet_end=6)
    with time_machine.travel(at(2026, 6, 1, 10), tick=False):
        mentorship_create_active(mentor=mentor, learner=learner, by=mentor)
        project = enrolled(learner).milestones.get(slug="pipeline-project")
        Milestone.objects.filter(pk=project.pk).update(state="in_progress")
        submission = review_submit(learner=learner, milestone=project, evidence_url="https://github.com/l/p")

    # Decided at 15:00: in the inbox at once (the preferred hour is 09:00).
    with time_machine.travel(at(2026, 6, 2, 15), tick=False):
        review_decide(mentor=mentor, submission=submission, approve=False, comment="Add a rollback test.")
        deliver_due(timezone.now())
    [note] = Notification.objects.filter(user=learner, kind="review_decided")
    assert (note.created_at, note.title) == (at(2026, 6, 2, 15), f"{project.title}: changes requested")

    # Decided at 23:00, inside the quiet hours: at 06:00.
    with time_machine.travel(at(2026, 6, 3, 12), tick=False):
        again = review_submit(learner=learner, milestone=Milestone.objects.get(pk=project.pk))
    with time_machine.travel(at(2026, 6, 3, 23), tick=False):
        review_decide(mentor=mentor, submission=again, approve=True)
    ticks(at(2026, 6, 3, 23), at(2026, 6, 4, 6), every_minutes=60)
    latest = Notification.objects.filter(user=learner, kind="review_decided").latest("created_at")
    assert (latest.created_at, latest.title) == (at(2026, 6, 4, 6), f"{project.title}: approved")


def test_an_invitation_reaches_an_account_or_an_address_without_one(outbox):
    mentor = UserFactory(verified=True, is_mentor=True, display_name="Grace")
    invitee = UserFactory(verified=True, time_zone="UTC")
    with time_machine.travel(at(2026, 6, 2, 8), tick=False):
        to_account = mentorship_invite(inviter=mentor, inviter_role="mentor", email=invitee.email)
        mentorship_invite(inviter=mentor, inviter_role="mentor", email="newcomer@example.org")
        deliver_due(timezone.now())  # the address has no preferred hour: at once

    assert [m.to for m in outbox] == [["newcomer@example.org"]]
    assert "Sign up with newcomer@example.org" in outbox[0].body
    assert "List-Unsubscribe" not in outbox[0].extra_headers  # there is no account to unsubscribe

    ticks(at(2026, 6, 2, 9), at(2026, 6, 2, 9))
    [note] = Notification.objects.filter(user=invitee)
    assert (note.title, note.data) == (
        "Grace invites you to be their mentee on CareerHub",
        {"mentorship": to_account.pk},
    )


def test_an_answered_invitation_is_not_reminded():
    from accounts.services import mentorship_decline

    mentor, invitee = UserFactory(verified=True, is_mentor=True), UserFactory(verified=True, time_zone="UTC")
    with time_machine.travel(at(2026, 6, 2, 8), tick=False):
        invitation = mentorship_invite(inviter=mentor, inviter_role="mentor", email=invitee.email)
        mentorship_decline(mentorship=invitation, user=invitee)
    ticks(at(2026, 6, 2, 9), at(2026, 6, 2, 9))

    assert Reminder.objects.get(kind="mentorship_invitation").reason == "invitation_declined"


def test_a_deactivated_user_gets_nothing_and_an_unsubscribe_after_queuing_stops_the_email(outbox):
    gone, changed_mind = UserFactory(verified=True, time_zone="UTC"), UserFactory(verified=True, time_zone="UTC")
    for user in (gone, changed_mind):
        _due_targets(user, 1)
    reminders_schedule(now=at(2026, 6, 9, 8))  # written, due at 09:00
    type(gone).objects.filter(pk=gone.pk).update(is_active=False)

    with time_machine.travel(at(2026, 6, 9, 9, 5), tick=False):
        due = list(Reminder.objects.filter(state="pending").values_list("id", flat=True))
        reminders_deliver(reminder_ids=due, now=timezone.now())
        preferences_update(user=changed_mind, channels={"target_soon": {"email": False}})
        deliver_due(timezone.now())

    assert Reminder.objects.get(user=gone, kind="target_soon").reason == "user_inactive"
    email = Delivery.objects.get(reminder__user=changed_mind, channel="email")
    assert (email.state, email.reason) == ("skipped", "unsubscribed")
    assert outbox == []


def test_the_email_has_a_text_and_an_html_part_and_one_click_unsubscribe(learner, outbox, api_client):
    [milestone] = _due_targets(learner, 1)
    ticks(at(2026, 6, 9, 7), at(2026, 6, 9, 7))

    [message] = outbox
    assert message.to == [learner.email]
    assert message.subject == f"{milestone.title} is due in 3 days (Fri 12 Jun)"
    assert "Your target date on the Mlops Engineer roadmap is Friday 12 June." in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert f'<h1 style="font-size: 1.2em;">{milestone.title} is due in 3 days (Fri 12 Jun)</h1>' in html
    unsubscribe_url = message.extra_headers["List-Unsubscribe"].strip("<>")
    token = unsubscribe_url.rstrip("/").rsplit("/", 1)[-1]
    # The text's link opens the page that asks first; the header is the API's one-click address.
    assert f"http://127.0.0.1:8000/unsubscribe/{token}/" in message.body
    assert message.extra_headers["Message-ID"].startswith("<reminder-")

    # One click (RFC 8058: a form POST from the mail client, no login) turns this kind's email off.
    path = unsubscribe_url.removeprefix("http://127.0.0.1:8000")
    response = api_client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert response.json()["kind"] == "target_soon"
    prefs = api_client.get  # the learner's preferences now say so
    api_client.force_authenticate(learner)
    assert prefs("/api/v1/notifications/preferences/").json()["channels"]["target_soon"]["email"] is False


# Exactly once ----------------------------------------------------------------------------


def test_processing_the_same_reminders_twice_delivers_once(learner, outbox):
    _due_targets(learner, 2)
    with time_machine.travel(at(2026, 6, 9, 7, 5), tick=False):
        tick(timezone.now())
        ids = list(Reminder.objects.values_list("id", flat=True))
        assert reminders_deliver(reminder_ids=ids) == {}
        deliver_due(timezone.now())

    assert Notification.objects.filter(kind="target_soon").count() == 2
    assert len(outbox) == 2
    assert Delivery.objects.filter(channel="email").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_the_same_batch_deliver_each_reminder_once():
    learner = UserFactory(verified=True, time_zone="UTC")
    _due_targets(learner, 4)
    with time_machine.travel(at(2026, 6, 9, 6), tick=False):
        tick(timezone.now())
    ids = list(Reminder.objects.filter(kind="target_soon").values_list("id", flat=True))
    barrier, outcomes = threading.Barrier(2), []

    def worker():
        barrier.wait()
        try:
            outcomes.append(reminders_deliver(reminder_ids=ids, now=at(2026, 6, 9, 9, 5)))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Notification.objects.count() == len(ids)
    assert sum(outcome["sent"] for outcome in outcomes) == len(ids)


def test_the_fan_out_enqueues_chunks_after_commit_and_skips_what_is_already_queued(
    settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "CHUNK_SIZE": 2}
    learner = UserFactory(verified=True, time_zone="UTC")
    _due_targets(learner, 4)
    now = at(2026, 6, 9, 9, 5)
    with time_machine.travel(at(2026, 6, 9, 6), tick=False):
        tick(timezone.now())  # writes four target reminders and a digest, none due yet

    with django_capture_on_commit_callbacks() as callbacks:
        assert reminders_fan_out(now=now) == 4
    assert len(callbacks) == 2  # two chunks, sent only once the transaction commits
    assert reminders_fan_out(now=now) == 0  # queued a moment ago: not again
    assert reminders_fan_out(now=now + timedelta(minutes=11)) == 4  # the message was lost: queued again


@pytest.mark.parametrize("learners", [2, 20])
def test_a_batch_costs_the_same_queries_however_many_reminders_it_holds(learners, django_assert_num_queries):
    # Given: learners with a target date, all mentored by one mentor; on Monday 15 June their
    # target reminders and learner digests, and the mentor's digest, are due together
    mentor = UserFactory(verified=True, is_mentor=True, time_zone="UTC")
    for _ in range(learners):
        user = UserFactory(verified=True, time_zone="UTC")
        _due_targets(user, 1, target=date(2026, 6, 17))
        mentorship_create_active(mentor=mentor, learner=user, by=mentor)
    reminders_schedule(now=at(2026, 6, 15, 6))
    ids = list(Reminder.objects.filter(state="pending", due_at__lte=at(2026, 6, 15, 9)).values_list("id", flat=True))
    assert len(ids) == 2 * learners + 1

    # When / Then: lock and load, milestones, mentees, roadmaps and entries of the digests,
    # reviews waiting, today's count for the cap; then the sent state, their contents, the
    # inbox and the deliveries (and the savepoint)
    with django_assert_num_queries(13):
        outcome = reminders_deliver(reminder_ids=ids, now=at(2026, 6, 15, 9, 5))
    assert outcome == {"sent": 2 * learners + 1}


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: connections are refused


def test_an_unreachable_relay_backs_off_with_jitter_then_gives_up_with_the_reason(learner, settings):
    # Given: two emails queued, and a relay that refuses connections
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _closed_port(), 2
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "SEND_MAX_RETRIES": 2}
    learner.time_zone = "UTC"
    learner.save(update_fields=["time_zone"])
    _due_targets(learner, 2)
    ticks(at(2026, 6, 9, 9), at(2026, 6, 9, 9))

    # Then: the first failure stops the batch; both wait for a backoff between 15 and 30 s
    first, second = Delivery.objects.filter(channel="email").order_by("id")
    assert (first.state, first.attempts, second.attempts) == ("pending", 1, 0)
    assert "relay unreachable" in first.reason
    for delivery in (first, second):
        assert at(2026, 6, 9, 9, 0, 15) <= delivery.next_attempt_at <= at(2026, 6, 9, 9, 0, 30)

    # When: the scan keeps ticking, with the relay still down
    ticks(at(2026, 6, 9, 9, 5), at(2026, 6, 9, 10), every_minutes=5)

    # Then: after the allowed retries each is failed for good, with the reason
    assert list(Delivery.objects.filter(channel="email").values_list("state", "attempts")) == [("failed", 3)] * 2
    assert Delivery.objects.first().reason.startswith("gave up after 3 attempts: relay unreachable")
    assert Notification.objects.filter(kind="target_soon").count() == 2  # the inbox never depended on the relay


def test_push_goes_to_every_active_device_of_the_user_once(learner):
    from notifications.models import PushMessage
    from notifications.services.devices import device_register

    phone, _ = device_register(user=learner, token="phone-token-123456", platform="ios")
    tablet, _ = device_register(user=learner, token="tablet-token-654321", platform="android")
    old, _ = device_register(user=learner, token="old-phone-000000", platform="android")
    type(old).objects.filter(pk=old.pk).update(active=False)
    [milestone] = _due_targets(learner, 1)

    ticks(at(2026, 6, 9, 7), at(2026, 6, 9, 7, 10))

    pushes = PushMessage.objects.order_by("device_id")
    assert [(p.device_id, p.title) for p in pushes] == [
        (phone.pk, f"{milestone.title} is due in 3 days (Fri 12 Jun)"),
        (tablet.pk, f"{milestone.title} is due in 3 days (Fri 12 Jun)"),
    ]
    assert pushes[0].data == {
        "roadmap": milestone.roadmap_id,
        "milestone": milestone.pk,
        "url": f"{settings.PUBLIC_BASE_URL}/milestones/{milestone.pk}/",  # the same thing's web page
    }
    assert Delivery.objects.get(channel="push").state == "sent"


def test_a_user_without_devices_has_the_push_skipped_with_the_reason(learner):
    _due_targets(learner, 1)

    ticks(at(2026, 6, 9, 7), at(2026, 6, 9, 7))

    push = Delivery.objects.get(channel="push")
    assert (push.state, push.reason) == ("skipped", "no_devices")


def test_an_unverified_address_gets_no_reminder_email_but_the_inbox_does(outbox):
    unverified = UserFactory(time_zone="UTC")
    _due_targets(unverified, 1)

    ticks(at(2026, 6, 9, 9), at(2026, 6, 9, 9))

    email = Delivery.objects.get(channel="email")
    assert (email.state, email.reason) == ("skipped", "email_unverified")
    assert Notification.objects.filter(user=unverified, kind="target_soon").count() == 1
    assert outbox == []


def _use_relay(settings, relay) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", relay.port, 5


def test_a_delivery_waits_out_its_backoff_in_the_scan_and_in_the_send(learner, settings):
    # Given: an email whose first send the relay refused for now
    learner.time_zone = "UTC"
    learner.save(update_fields=["time_zone"])
    _due_targets(learner, 1)
    with smtp_server() as relay:
        _use_relay(settings, relay)
        relay.refusing.set()
        ticks(at(2026, 6, 9, 9), at(2026, 6, 9, 9))
        delivery = Delivery.objects.get(channel="email")
        assert (delivery.state, delivery.attempts) == ("pending", 1)
        assert delivery.reason == "relay answered 451 for the recipient"
        relay.refusing.clear()

        # When: a scan and a send come before the backoff instant, then one after it
        with time_machine.travel(delivery.next_attempt_at - timedelta(seconds=1), tick=False):
            enqueued_early = reminders_fan_out()
            sent_early = deliveries_send(channel="email", delivery_ids=[delivery.pk])
        with time_machine.travel(delivery.next_attempt_at, tick=False):
            enqueued_due = reminders_fan_out()
            sent_due = deliveries_send(channel="email", delivery_ids=[delivery.pk])

        # Then: the early ones leave it alone; the due one sends it
        assert (enqueued_early, sent_early) == (0, {})
        assert (enqueued_due, sent_due) == (1, {"sent": 1})
        assert Delivery.objects.get(pk=delivery.pk).attempts == 2
        assert len(relay.messages) == 1


def test_a_relay_refusing_for_half_an_hour_loses_no_email(learner, settings):
    # Given: two emails due at 9:00 and a relay that refuses every recipient until 9:30
    learner.time_zone = "UTC"
    learner.save(update_fields=["time_zone"])
    _due_targets(learner, 2)
    with smtp_server() as relay:
        _use_relay(settings, relay)
        relay.refusing.set()

        # When: the beat scans every minute through the outage, and on after it
        ticks(at(2026, 6, 9, 9), at(2026, 6, 9, 9, 30), every_minutes=1)
        during = list(Delivery.objects.filter(channel="email").values_list("state", "attempts"))
        relay.refusing.clear()
        ticks(at(2026, 6, 9, 9, 31), at(2026, 6, 9, 11), every_minutes=1)

        # Then: tried on the backoff's schedule (not once a scan), and both delivered once
        # 31 scans; the backoff (15 to 30 s, doubling, jittered) allows 6 to 8 tries in the half hour
        assert all(state == "pending" for state, _ in during), during
        assert 6 <= relay.refused == sum(attempts for _, attempts in during) <= 8
        assert list(Delivery.objects.filter(channel="email").values_list("state", flat=True)) == ["sent"] * 2
        assert sorted(message["To"] for message in relay.messages) == [learner.email] * 2
