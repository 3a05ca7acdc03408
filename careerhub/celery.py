import logging
import os

from celery import Celery
from django.utils import timezone

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careerhub.settings")

app = Celery("careerhub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


@app.task(name="careerhub.heartbeat", ignore_result=False)
def heartbeat() -> str:
    """Ticked by beat; its log line shows that beat, broker and worker are all alive. The one task
    that keeps its result: a check of the whole chain (tests/careerhub/test_celery.py) reads it."""
    now = timezone.now().isoformat()
    logger.info("heartbeat received by worker at %s", now)
    return now
