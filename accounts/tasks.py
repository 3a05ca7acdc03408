from celery import shared_task

from accounts.services import changes_purge, idempotency_keys_purge


@shared_task(name="accounts.purge_idempotency_keys", acks_late=True)
def purge_idempotency_keys() -> int:
    return idempotency_keys_purge()


@shared_task(name="accounts.purge_sync_changes", acks_late=True)
def purge_sync_changes() -> int:
    return changes_purge()
