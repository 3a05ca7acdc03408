"""The account tasks on a real worker and real Redis, against this run's test database."""

import json
import uuid
from pathlib import Path

import pytest
from django.db import connection

from accounts.models import DataExport
from accounts.tasks import build_data_export
from roadmaps.services.learning import roadmap_enroll
from tests.factories import UserFactory, small_path
from tests.processes import celery_command, running, wait_for_text

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_builds_an_export_file(tmp_path: Path, settings):
    # Given: a learner's export asked for, and a worker on a queue of its own, on this test database
    settings.MEDIA_ROOT = tmp_path / "media"
    learner = UserFactory(email="ada@example.com")
    roadmap_enroll(learner=learner, path=small_path())
    export = DataExport.objects.create(user=learner)
    database = connection.settings_dict
    env = {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "TEST_DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    queue = f"test-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    command = celery_command("worker", "--loglevel", "INFO", "--pool", "solo", "--queues", queue)

    # When
    with running(command, env=env, log=log):
        assert wait_for_text(log, "ready.", timeout=30), log.read_text()
        build_data_export.apply_async((export.pk,), queue=queue).get(timeout=30)

    # Then
    export.refresh_from_db()
    assert export.state == DataExport.State.READY, log.read_text()
    document = json.loads((settings.MEDIA_ROOT / export.file.name).read_text())
    assert document["profile"]["email"] == "ada@example.com"
    assert [roadmap["path"] for roadmap in document["roadmaps"]] == ["mlops-engineer"]
