import logging
from collections.abc import Callable
from typing import Any

from django.db import models, transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def fields_assign(instance: models.Model, values: dict[str, Any]) -> list[str]:
    """Set on ``instance`` the values that differ from what it holds; the names of those fields.

    Services save with ``update_fields`` set to the result, and skip the save when it is empty.
    """
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    return changed


def enqueue_on_commit(task, *args, on_broker_down: Callable[[], None] | None = None) -> None:
    """Send ``task(*args)`` once the transaction commits, never for a write that rolled back.

    The write has committed by then, so a broker that cannot take the message (Redis down) must
    not turn the answer into an error, whatever the publish raises (kombu's OperationalError, a
    socket's, the result backend's RuntimeError): the failure is logged and ``on_broker_down`` runs
    (a caller whose rows are the truth marks them for the next scan, another marks its row failed).
    Every task of the application is sent through here.
    """

    def send() -> None:
        try:
            task.apply_async(args=args, retry=False)
        except (OperationalError, OSError) as error:
            logger.warning("broker unavailable, %s not queued: %s", task.name, error)
        except Exception:  # the answer must not depend on the broker, whatever it raised
            logger.exception("publishing %s failed, not queued", task.name)
        else:
            return
        if on_broker_down is not None:
            on_broker_down()

    transaction.on_commit(send)
