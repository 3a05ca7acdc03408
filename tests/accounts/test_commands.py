from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.management.commands.seed_demo import DEMO_PASSWORD
from accounts.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_a_learner_a_mentor_and_staff_once():
    out = StringIO()

    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=StringIO())

    assert User.objects.count() == 3
    assert authenticate(username="learner@example.com", password=DEMO_PASSWORD) is not None
    assert User.objects.get(email="mentor@example.com").is_mentor
    assert User.objects.get(email="staff@example.com").is_staff
    assert DEMO_PASSWORD in out.getvalue()
    assert "learner@example.com" in out.getvalue()
