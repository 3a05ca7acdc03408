"""The reminder benchmark's parts, run small: the generator's inbox rows and the scan benchmark."""

from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import User
from bench.seed import BENCH_DOMAIN
from notifications.benchmark import scan_benchmark
from notifications.models import Notification, Reminder

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("bench_seed", learners=20, stdout=StringIO())


def test_the_generator_fills_each_learners_inbox_with_data_the_api_serves(seeded):
    learner = User.objects.filter(email__endswith=BENCH_DOMAIN, is_mentor=False).order_by("id").first()
    client = APIClient()
    client.force_authenticate(learner)

    inbox = client.get("/api/v1/notifications/").json()["results"]
    unread = client.get("/api/v1/notifications/unread-count/").json()["unread"]

    assert [item["kind"] for item in inbox].count("learner_digest") >= 1
    assert unread == sum(1 for item in inbox if not item["read"])
    assert Notification.objects.count() == Reminder.objects.count()


def test_the_scan_benchmark_costs_the_same_queries_per_batch_and_leaves_nothing_behind(seeded):
    before = Reminder.objects.count()

    report = scan_benchmark(learners=20, batch_sizes=(3, 15))

    assert sum(report.offered.values()) >= 20  # at least every learner's next digest
    assert report.repeat_offered == 0
    small, large = report.batches
    assert (small.reminders, large.reminders) == (3, 15)
    assert small.queries == large.queries
    assert Reminder.objects.count() == before
