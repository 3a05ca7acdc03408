"""Celery tasks of the reminders: they take ids, call a service, and retry what is transient.

Beat ticks ``scan``; the scan fans out ``deliver_reminders`` per chunk, which queues the
email and push sends. Every task is safe to run twice (the ledger decides), acknowledged
late (a worker killed mid-task leaves the message for another), with time limits from the
settings. Results are not stored: the rows are the result.
"""

from celery import shared_task
from django.conf import settings

from notifications.delivery import deliveries_send, reminders_deliver
from notifications.errors import TransientSendError
from notifications.models import Channel
from notifications.scan import reminders_scan

SEND_OPTIONS = {
    "bind": True,
    "acks_late": True,
    "ignore_result": True,
    "autoretry_for": (TransientSendError,),
    "retry_backoff": 15,  # seconds, doubling per attempt
    "retry_backoff_max": 3600,
    "retry_jitter": True,
    "max_retries": settings.NOTIFICATIONS["SEND_MAX_RETRIES"],
}


@shared_task(name="notifications.scan", acks_late=True, ignore_result=True)
def scan() -> dict:
    return reminders_scan()


@shared_task(name="notifications.deliver_reminders", acks_late=True, ignore_result=True)
def deliver_reminders(reminder_ids: list[int]) -> dict:
    return dict(reminders_deliver(reminder_ids=reminder_ids))


@shared_task(name="notifications.send_emails", **SEND_OPTIONS)
def send_emails(self, delivery_ids: list[int]) -> dict:
    final = self.request.retries >= self.max_retries
    return dict(deliveries_send(channel=Channel.EMAIL, delivery_ids=delivery_ids, final_attempt=final))


@shared_task(name="notifications.send_pushes", **SEND_OPTIONS)
def send_pushes(self, delivery_ids: list[int]) -> dict:
    final = self.request.retries >= self.max_retries
    return dict(deliveries_send(channel=Channel.PUSH, delivery_ids=delivery_ids, final_attempt=final))
