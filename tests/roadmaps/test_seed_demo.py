from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.models import User
from roadmaps.management.commands.seed_demo import DEMO_PASSWORD
from roadmaps.models import ProgressEntry, ReviewSubmission, Roadmap
from roadmaps.selectors.reviews import mentor_dashboard, review_queue
from roadmaps.selectors.stats import learner_stats

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("loaded_catalog")
def test_seed_demo_builds_a_world_with_every_side_once():
    out = StringIO()

    call_command("seed_demo", stdout=out)
    entries = ProgressEntry.objects.count()
    call_command("seed_demo", stdout=StringIO())

    assert User.objects.count() == 5
    assert ProgressEntry.objects.count() == entries  # run again, nothing more
    assert authenticate(username="learner@example.com", password=DEMO_PASSWORD) is not None
    mentor = User.objects.get(email="mentor@example.com")
    assert mentor.is_mentor
    assert User.objects.get(email="staff@example.com").is_staff
    assert not User.objects.filter(email_verified_at=None).exists()  # the demo users get email reminders
    learner = User.objects.get(email="learner@example.com")
    roadmap = Roadmap.objects.get(learner=learner)
    assert roadmap.path.slug == "mlops-engineer"
    stats = learner_stats(learner=learner)
    assert stats.current_streak_days >= 5  # a streak worth keeping
    assert sum(1 for week in stats.weekly_hours if week.hours) >= 8  # a chart worth looking at
    assert roadmap.milestones.filter(state="done").count() == 3
    statuses = {row["learner"]["email"]: row["status"] for row in mentor_dashboard(mentor=mentor)}
    assert statuses["sam@example.com"] == "behind"
    assert len(statuses) == 3
    assert [s.learner.email for s in review_queue(mentor=mentor)] == ["sam@example.com", "learner@example.com"]
    assert ReviewSubmission.objects.filter(state=ReviewSubmission.State.APPROVED).count() == 1
    assert DEMO_PASSWORD in out.getvalue()
    assert "learner@example.com" in out.getvalue()
