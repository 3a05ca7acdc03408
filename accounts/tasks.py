from celery import shared_task

from accounts import exports, services
from accounts.services import changes_purge, idempotency_keys_purge


@shared_task(name="accounts.purge_idempotency_keys", acks_late=True)
def purge_idempotency_keys() -> int:
    return idempotency_keys_purge()


@shared_task(name="accounts.purge_login_sessions", acks_late=True)
def purge_login_sessions() -> int:
    return services.login_sessions_purge()


@shared_task(name="accounts.purge_sync_changes", acks_late=True)
def purge_sync_changes() -> int:
    return changes_purge()


# Emails: retried while the mail server does not answer.
EMAIL_RETRY = {"autoretry_for": (OSError,), "retry_backoff": 30, "max_retries": 5, "acks_late": True}


@shared_task(name="accounts.send_verification_email", **EMAIL_RETRY)
def send_verification_email(user_id: int) -> None:
    services.verification_email_send(user_id=user_id)


@shared_task(name="accounts.send_already_registered_email", **EMAIL_RETRY)
def send_already_registered_email(user_id: int) -> None:
    services.already_registered_email_send(user_id=user_id)


@shared_task(name="accounts.send_email_change_email", **EMAIL_RETRY)
def send_email_change_email(user_id: int, email: str) -> None:
    services.email_change_email_send(user_id=user_id, email=email)


@shared_task(name="accounts.send_email_changed_notice", **EMAIL_RETRY)
def send_email_changed_notice(old_email: str) -> None:
    services.email_changed_notice_send(old_email=old_email)


@shared_task(name="accounts.send_password_reset_email", **EMAIL_RETRY)
def send_password_reset_email(email: str) -> bool:
    """Takes the address asked for, not a user id: the request itself never looks the address up."""
    return services.password_reset_email_send(email=email)


@shared_task(name="accounts.build_data_export", acks_late=True)
def build_data_export(export_id: int) -> None:
    try:
        exports.data_export_build(export_id=export_id)
    except Exception:
        exports.data_export_fail(export_id=export_id)
        raise


@shared_task(name="accounts.purge_data_exports", acks_late=True)
def purge_data_exports() -> int:
    return exports.data_exports_purge()
