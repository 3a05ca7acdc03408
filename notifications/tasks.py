"""Celery tasks of the reminders: they take ids and call a service.

Beat ticks ``scan``; the scan fans out ``deliver_reminders`` per chunk, which queues the
email and push sends. Every task is safe to run twice (the ledger decides), acknowledged
late (a worker killed mid-task leaves the message for another), with time limits from the
settings. Results are not stored: the rows are the result.
"""

from celery import shared_task

from notifications.delivery import deliveries_send, reminders_deliver
from notifications.models import Channel
from notifications.scan import reminders_scan


@shared_task(name="notifications.scan", acks_late=True, ignore_result=True)
def scan() -> dict:
    return reminders_scan()


@shared_task(name="notifications.deliver_reminders", acks_late=True, ignore_result=True)
def deliver_reminders(reminder_ids: list[int]) -> dict:
    return dict(reminders_deliver(reminder_ids=reminder_ids))


# A transient failure is not retried through the broker (no long ETAs there): the delivery
# row gets its backoff instant and the scan queues it again when that has passed.
@shared_task(name="notifications.send_emails", acks_late=True, ignore_result=True)
def send_emails(delivery_ids: list[int]) -> dict:
    return dict(deliveries_send(channel=Channel.EMAIL, delivery_ids=delivery_ids))


@shared_task(name="notifications.send_pushes", acks_late=True, ignore_result=True)
def send_pushes(delivery_ids: list[int]) -> dict:
    return dict(deliveries_send(channel=Channel.PUSH, delivery_ids=delivery_ids))
