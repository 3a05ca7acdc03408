"""Sending due reminders: a batch is locked, checked again, and written to the inbox and the
email and push queues in one transaction; emails and pushes then go out one by one.

Exactly once: a reminder row is locked (``SKIP LOCKED``) and only a pending one is processed,
so two workers, a redelivered message or a second scan never process it twice. Each email
or push is a ``Delivery`` row, sent while its row is locked and marked sent in the same
transaction; a worker killed mid-send rolls that back and the redelivered task sends it
again. The email's Message-ID is fixed per delivery, so a relay that already accepted it
(the one window no database can close) sees the same message, not a new one.
"""

import logging
import random
import smtplib
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from notifications.content import Batch, Message
from notifications.errors import PermanentSendError, TransientSendError
from notifications.links import page_url
from notifications.models import Channel, Delivery, Kind, Notification, Reminder
from notifications.rules import URGENT_KINDS, Prefs, config, loaded_prefs
from notifications.services.reminders import enqueue_rows_on_commit, unsubscribe_token

logger = logging.getLogger(__name__)


def _sent_today(reminders: list[Reminder], prefs: dict[int, Prefs], now: datetime) -> Counter:
    """Reminders each user has had on their local today (one query)."""
    user_ids = {reminder.user_id for reminder in reminders if reminder.user_id}
    sent = Reminder.objects.filter(
        user_id__in=user_ids, state=Reminder.State.SENT, processed_at__gte=now - timedelta(hours=27)
    ).values_list("user_id", "processed_at")
    counts: Counter = Counter()
    for user_id, processed_at in sent:
        if prefs[user_id].local(processed_at).date() == prefs[user_id].local(now).date():
            counts[user_id] += 1
    return counts


def _defer(reminder: Reminder, until: datetime, reason: str) -> None:
    reminder.due_at, reminder.reason, reminder.enqueued_at = until, reason, None


def _skip(reminder: Reminder, reason: str, now: datetime) -> None:
    reminder.state, reminder.reason, reminder.processed_at = Reminder.State.SKIPPED, reason, now


def reminders_deliver(*, reminder_ids: list[int], now: datetime | None = None) -> Counter:
    """Process the due, pending reminders among ``reminder_ids``; answers what became of them."""
    from notifications import tasks

    now = now or timezone.now()
    outcome: Counter = Counter()
    with transaction.atomic():
        reminders = list(
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=reminder_ids, state=Reminder.State.PENDING, due_at__lte=now)
            .select_related("user__notification_preference")
            .order_by("due_at", "id")
        )
        if not reminders:
            return outcome
        batch = Batch(reminders, now=now)
        prefs = {r.user_id: loaded_prefs(r.user) for r in reminders if r.user_id}
        sent_today = _sent_today(reminders, prefs, now)
        inbox, deliveries = [], []
        for reminder in reminders:
            user = reminder.user
            if user is not None and not user.is_active:
                _skip(reminder, "user_inactive", now)
            elif isinstance(message := batch.write(reminder), str):
                _skip(reminder, message, now)
            elif user is None:  # an invitation to an address without an account: email only
                deliveries.append(Delivery(reminder=reminder, channel=Channel.EMAIL, enqueued_at=now))
                reminder.state, reminder.processed_at, reminder.content = Reminder.State.SENT, now, message.as_content()
            else:
                mine = prefs[user.pk]
                channels = mine.enabled_channels(reminder.kind)
                if not channels:
                    _skip(reminder, "all_channels_off", now)
                elif mine.in_quiet_hours(now):
                    _defer(reminder, mine.quiet_hours_end(now), "quiet_hours")
                elif sent_today[user.pk] >= mine.daily_cap:
                    tomorrow = mine.local(now).date() + timedelta(days=1)
                    hour = 0 if reminder.kind in URGENT_KINDS else mine.preferred_hour
                    _defer(reminder, mine.at(tomorrow, hour), "daily_cap")
                else:
                    sent_today[user.pk] += 1
                    reminder.state, reminder.processed_at = Reminder.State.SENT, now
                    reminder.content = message.as_content()
                    inbox += _inbox_entry(reminder, message, channels, now)
                    deliveries += [
                        Delivery(reminder=reminder, channel=channel, enqueued_at=now)
                        for channel in (Channel.EMAIL, Channel.PUSH)
                        if channel in channels
                    ]
            outcome[str(reminder.state) if reminder.state != Reminder.State.PENDING else "deferred"] += 1
        _save_outcomes(reminders, now)
        Notification.objects.bulk_create(inbox)
        Delivery.objects.bulk_create(deliveries)
        for channel, task in ((Channel.EMAIL, tasks.send_emails), (Channel.PUSH, tasks.send_pushes)):
            ids = [delivery.pk for delivery in deliveries if delivery.channel == channel]
            if ids:
                enqueue_rows_on_commit(task, ids, model=Delivery)
    return outcome


def _save_outcomes(reminders: list[Reminder], now: datetime) -> None:
    """Write what became of each reminder in a few statements: one per outcome (and skip reason),
    and the sent ones' contents in one. Bulk updates of many fields build an expression per row
    and field; grouping keeps a batch of a thousand cheap."""
    sent = [r for r in reminders if r.state == Reminder.State.SENT]
    deferred = [r for r in reminders if r.state == Reminder.State.PENDING]
    if sent:
        Reminder.objects.filter(pk__in=[r.pk for r in sent]).update(state=Reminder.State.SENT, processed_at=now)
        Reminder.objects.bulk_update(sent, ["content"])
    skipped: dict[str, list[int]] = {}
    for reminder in reminders:
        if reminder.state == Reminder.State.SKIPPED:
            skipped.setdefault(reminder.reason, []).append(reminder.pk)
    for reason, ids in skipped.items():
        Reminder.objects.filter(pk__in=ids).update(state=Reminder.State.SKIPPED, reason=reason, processed_at=now)
    if deferred:
        Reminder.objects.bulk_update(deferred, ["due_at", "reason", "enqueued_at"])


def _inbox_entry(reminder: Reminder, message: Message, channels: list[str], now: datetime) -> list[Notification]:
    if Channel.INBOX not in channels:
        return []
    return [
        Notification(
            user=reminder.user,
            reminder=reminder,
            kind=reminder.kind,
            title=message.title[:200],
            body=message.body,
            data=message.data,
            created_at=now,
        )
    ]


# -- email and push ----------------------------------------------------------------------


def _absolute(path: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{path}"


def email_message(delivery: Delivery, *, connection=None) -> EmailMultiAlternatives:
    reminder = delivery.reminder
    content = reminder.content
    context = {"content": content, "kind": Kind(reminder.kind).label, "user": reminder.user}
    headers = {"Message-ID": f"<reminder-{reminder.pk}.{delivery.pk}@careerhub>"}
    if reminder.user is not None:
        token = unsubscribe_token(user=reminder.user, kind=reminder.kind)
        # The text links to a page that asks first (a mail scanner may open it); the header is the
        # mail client's one-click POST (RFC 8058), to the API.
        context["unsubscribe_url"] = _absolute(reverse("web:unsubscribe", args=[token]))
        headers["List-Unsubscribe"] = f"<{_absolute(reverse('v1:notification-unsubscribe', args=[token]))}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=content["title"],
        body=render_to_string("notifications/email/reminder.txt", context),
        to=[reminder.user.email if reminder.user else reminder.email],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(render_to_string("notifications/email/reminder.html", context), "text/html")
    return message


def _send_email(delivery: Delivery) -> str:
    try:
        email_message(delivery).send()
    except smtplib.SMTPRecipientsRefused as error:
        codes = {code for code, _ in error.recipients.values()}
        if codes and all(400 <= code < 500 for code in codes):  # "not now" (greylisting, a full queue)
            raise TransientSendError(f"relay answered {min(codes)} for the recipient") from error
        raise PermanentSendError(f"recipient refused: {error.recipients}") from error
    except smtplib.SMTPResponseException as error:
        if 400 <= error.smtp_code < 500:
            raise TransientSendError(f"relay answered {error.smtp_code}") from error
        raise PermanentSendError(f"relay answered {error.smtp_code}") from error
    except (smtplib.SMTPException, OSError) as error:
        raise TransientSendError(f"relay unreachable: {error}") from error
    return "sent"


def _send_push(delivery: Delivery) -> str:
    from notifications.push import PushPayload, push_deliver

    content = delivery.reminder.content
    data = content.get("data", {})
    if url := page_url(data):  # the same thing's page, for a browser or an app without that screen
        data = {**data, "url": url}
    payload = PushPayload(title=content["title"], body=content["body"], data=data)
    return push_deliver(delivery=delivery, payload=payload)


def _channel_skip_reason(delivery: Delivery) -> str | None:
    """Checked again at send time: the user may have gone or unsubscribed since."""
    user = delivery.reminder.user
    if user is None:
        return None
    if not user.is_active:
        return "user_inactive"
    if delivery.channel == Channel.EMAIL and user.email_verified_at is None:
        return "email_unverified"
    if not loaded_prefs(user).channel_on(delivery.reminder.kind, delivery.channel):
        return "unsubscribed"
    return None


def due_for_attempt(now: datetime) -> Q:
    """Deliveries that may be tried at ``now``: never tried, or past the backoff of their last failure."""
    return Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with full jitter: up to 30 s after the first failure, doubling, capped at an hour."""
    ceiling = min(config("RETRY_MAX_SECONDS"), config("RETRY_BASE_SECONDS") * 2 ** (attempts - 1))
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def deliveries_send(*, channel: str, delivery_ids: list[int]) -> Counter:
    """Send the pending deliveries among ``delivery_ids``, each under its own row lock.

    A transient failure (the relay or provider down) stops the batch: the failed delivery and
    the rest of the batch wait for a backoff instant (a row, not a broker ETA, ``next_attempt_at``),
    which both the scan and this send respect; after SEND_MAX_RETRIES retries a delivery is
    failed for good. A delivery still in its backoff is left for the scan to queue again.
    A permanent failure is recorded with its reason and the batch goes on.
    """
    send = _send_email if channel == Channel.EMAIL else _send_push
    outcome: Counter = Counter()
    for position, delivery_id in enumerate(delivery_ids):
        transient = None
        with transaction.atomic():
            delivery = (
                Delivery.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("reminder__user__notification_preference")
                .filter(due_for_attempt(timezone.now()), pk=delivery_id, state=Delivery.State.PENDING, channel=channel)
                .first()
            )
            if delivery is None:
                continue
            delivery.attempts += 1
            if reason := _channel_skip_reason(delivery):
                delivery.state, delivery.reason = Delivery.State.SKIPPED, reason
            else:
                try:
                    result = send(delivery)
                except PermanentSendError as error:
                    delivery.state, delivery.reason = Delivery.State.FAILED, str(error)[:300]
                except TransientSendError as error:
                    transient = error
                    if delivery.attempts > config("SEND_MAX_RETRIES"):
                        delivery.state = Delivery.State.FAILED
                        delivery.reason = f"gave up after {delivery.attempts} attempts: {error}"[:300]
                    else:
                        delivery.reason = str(error)[:300]
                        delivery.next_attempt_at = timezone.now() + retry_delay(delivery.attempts)
                        delivery.enqueued_at = None
                else:
                    if result == "sent":
                        delivery.state, delivery.sent_at = Delivery.State.SENT, timezone.now()
                    else:
                        delivery.state, delivery.reason = Delivery.State.SKIPPED, result
            delivery.save(update_fields=["state", "reason", "attempts", "sent_at", "next_attempt_at", "enqueued_at"])
        outcome[str(delivery.state) if transient is None else "retry_later"] += 1
        if transient is not None:
            rest = delivery_ids[position + 1 :]
            Delivery.objects.filter(pk__in=rest, state=Delivery.State.PENDING).update(
                enqueued_at=None, next_attempt_at=delivery.next_attempt_at or timezone.now()
            )
            logger.warning("%s send failed (%s); %d left for a retry", channel, transient, len(rest) + 1)
            break
    return outcome
