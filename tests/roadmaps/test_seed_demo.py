from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.models import User
from roadmaps.management.commands.seed_demo import DEMO_PASSWORD
from roadmaps.models import ProgressEntry, Roadmap

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("loaded_catalog")
def test_seed_demo_creates_users_and_a_roadmap_with_progress_once():
    out = StringIO()

    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=StringIO())

    assert User.objects.count() == 3
    assert authenticate(username="learner@example.com", password=DEMO_PASSWORD) is not None
    assert User.objects.get(email="mentor@example.com").is_mentor
    assert User.objects.get(email="staff@example.com").is_staff
    assert not User.objects.filter(email_verified_at=None).exists()  # the demo users get email reminders
    roadmap = Roadmap.objects.get(learner__email="learner@example.com")
    assert roadmap.path.slug == "mlops-engineer"
    assert ProgressEntry.objects.count() == 6
    assert roadmap.milestones.filter(state="done").count() == 1
    assert DEMO_PASSWORD in out.getvalue()
    assert "learner@example.com" in out.getvalue()
