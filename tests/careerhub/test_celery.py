"""Celery end to end: real worker and beat processes, real brokers."""

import uuid
from pathlib import Path

import pytest

from careerhub.celery import heartbeat
from tests.processes import celery_command, running, wait_for_text

pytestmark = pytest.mark.integration


def test_a_real_worker_on_redis_runs_a_task_and_returns_its_result(tmp_path: Path):
    queue = f"test-{uuid.uuid4().hex[:8]}"  # a queue of its own: other workers on this Redis stay out
    log = tmp_path / "worker.log"
    command = celery_command("worker", "--loglevel", "INFO", "--pool", "solo", "--queues", queue)

    with running(command, env={"DJANGO_SETTINGS_MODULE": "tests.settings"}, log=log):
        assert wait_for_text(log, "ready.", timeout=30), log.read_text()
        result = heartbeat.apply_async(queue=queue).get(timeout=30)

    assert result.startswith("20")
    assert "heartbeat received by worker" in log.read_text()


def test_beat_broker_and_worker_work_on_the_embedded_demo_defaults(tmp_path: Path):
    # The zero-setup demo: SQLite and the filesystem broker under VAR_DIR, no services.
    env = {
        "DJANGO_SETTINGS_MODULE": "careerhub.settings",
        "DEBUG": "1",
        "SECRET_KEY": "demo-test",
        "VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_RESULT_BACKEND": "",
        "HEARTBEAT_SECONDS": "1",
    }
    worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"

    with (
        running(celery_command("worker", "--loglevel", "INFO", "--pool", "solo"), env=env, log=worker_log),
        running(celery_command("beat", "--loglevel", "INFO"), env=env, log=beat_log),
    ):
        delivered = wait_for_text(worker_log, "heartbeat received by worker", timeout=45)

    assert delivered, f"worker:\n{worker_log.read_text()}\nbeat:\n{beat_log.read_text()}"
    assert "Sending due task heartbeat (careerhub.heartbeat)" in beat_log.read_text()
