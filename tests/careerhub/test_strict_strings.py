"""Text fields take JSON strings only: a number or a boolean is refused, never stored as its text."""

import uuid

import pytest
from rest_framework.test import APIClient

from notifications.models import Device
from roadmaps.models import ProgressEntry
from roadmaps.services.learning import roadmap_enroll
from tests.factories import UserFactory, small_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_and_milestone():
    learner = UserFactory()
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path())
    client = APIClient()
    client.force_authenticate(learner)
    return client, roadmap.milestones.order_by("position").first()


@pytest.mark.parametrize("value", [97.0, -1.5, 0, True, ["a"], {"a": 1}])
@pytest.mark.parametrize("field", ["token", "name"])
def test_a_device_token_or_name_that_is_not_a_string_is_refused_and_not_stored(client_and_milestone, field, value):
    client, _ = client_and_milestone
    body = {"token": "the-phones-push-token-0001", "platform": "android", "name": "Phone", field: value}

    response = client.post("/api/v1/devices/", body, format="json")

    assert response.status_code == 400
    assert [(error["field"], error["code"]) for error in response.json()["errors"]] == [(field, "not_a_string")]
    assert not Device.objects.exists()


def test_every_text_input_refuses_a_number(client_and_milestone):
    client, milestone = client_and_milestone
    sends = {
        "display_name": client.patch("/api/v1/me/", {"display_name": 42}, format="json"),
        "note": client.post(
            f"/api/v1/milestones/{milestone.pk}/entries/", {"id": str(uuid.uuid4()), "note": 42}, format="json"
        ),
        "title": client.post(
            f"/api/v1/roadmaps/{milestone.roadmap_id}/milestones/", {"title": 1.5, "estimated_hours": 1}, format="json"
        ),
        "reason": client.post(f"/api/v1/milestones/{milestone.pk}/skip/", {"reason": 7}, format="json"),
        "email": APIClient().post("/api/v1/auth/password/reset/", {"email": 5}, format="json"),
    }

    assert {field: response.status_code for field, response in sends.items()} == dict.fromkeys(sends, 400)
    assert not ProgressEntry.objects.exists()
