import hashlib
import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
import yaml
from django.conf import settings
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import IdempotencyKey
from accounts.services import idempotency_keys_purge
from roadmaps.models import Milestone
from roadmaps.services.learning import roadmap_enroll
from tests.factories import UserFactory, small_path

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    """Logged in with a real access token, as the app is: the key is read before DRF runs."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def learner_client(learner) -> APIClient:
    return _client(learner)


@pytest.fixture
def roadmap(learner):
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path())
    return roadmap


def _add(client, roadmap, key: str, title: str = "Home lab"):
    return client.post(
        f"/api/v1/roadmaps/{roadmap.pk}/milestones/",
        {"title": title, "estimated_hours": 5},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_a_retried_post_with_the_same_key_runs_once_and_answers_the_same(learner_client, roadmap):
    first = _add(learner_client, roadmap, "k-1")
    retry = _add(learner_client, roadmap, "k-1")

    assert first.status_code == retry.status_code == 201
    assert first.content == retry.content
    assert retry["Idempotent-Replayed"] == "true"
    assert Milestone.objects.filter(roadmap=roadmap, is_custom=True).count() == 1


def test_the_same_key_with_another_body_is_refused(learner_client, roadmap):
    _add(learner_client, roadmap, "k-1")

    response = _add(learner_client, roadmap, "k-1", title="Something else")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Milestone.objects.filter(roadmap=roadmap, is_custom=True).count() == 1


def test_a_request_still_in_flight_with_the_same_key_answers_409(learner, learner_client, roadmap):
    # Another web process holds the key and is still running the request.
    body = b'{"title":"Home lab","estimated_hours":5}'
    path = f"/api/v1/roadmaps/{roadmap.pk}/milestones/"
    IdempotencyKey.objects.create(
        user=learner, key="k-1", request_hash=hashlib.sha256(b"\n".join([b"POST", path.encode(), body])).hexdigest()
    )

    response = learner_client.post(path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert response.status_code == 409
    assert response.json()["code"] == "request_in_flight"
    assert not Milestone.objects.filter(is_custom=True).exists()


def test_errors_are_replayed_too_and_keys_are_per_user(learner_client, roadmap):
    refused = learner_client.patch(
        f"/api/v1/milestones/{roadmap.milestones.first().pk}/",
        {"title": "Mine"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-2",
    )
    replayed = learner_client.patch(
        f"/api/v1/milestones/{roadmap.milestones.first().pk}/",
        {"title": "Mine"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-2",
    )
    other = UserFactory()
    other_roadmap, _ = roadmap_enroll(learner=other, path=roadmap.path)
    theirs = _add(_client(other), other_roadmap, "k-1")
    mine = _add(learner_client, roadmap, "k-1")

    assert refused.status_code == replayed.status_code == 400
    assert refused.content == replayed.content
    assert theirs.status_code == mine.status_code == 201
    assert Milestone.objects.filter(is_custom=True).count() == 2


@pytest.mark.parametrize(
    "key", ["x" * 256, "", "caf\u00e9-1", "tab\there"], ids=["long", "empty", "not_ascii", "control"]
)
def test_a_key_the_schema_does_not_allow_is_a_400(learner_client, roadmap, key):
    response = _add(learner_client, roadmap, key)

    assert (response.status_code, response.json()["code"]) == (400, "invalid_idempotency_key")
    assert not Milestone.objects.filter(is_custom=True).exists()


def test_the_key_of_the_schema_is_the_one_the_server_takes():
    schema = yaml.safe_load(Path(settings.BASE_DIR, "docs", "openapi.yaml").read_text())
    [parameter] = [
        p for p in schema["paths"]["/api/v1/roadmaps/"]["post"]["parameters"] if p["name"] == "Idempotency-Key"
    ]

    assert parameter["schema"] == {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]{1,255}$"}


def test_keys_are_kept_24_hours_then_forgotten(learner, learner_client, roadmap):
    _add(learner_client, roadmap, "k-1")

    # (a fresh access token each time: the first one lives 15 minutes)
    with time_machine.travel(timezone.now() + timedelta(hours=23)):
        within = _add(_client(learner), roadmap, "k-1")
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        after = _add(_client(learner), roadmap, "k-1")
        purged = idempotency_keys_purge()

    assert within["Idempotent-Replayed"] == "true"
    assert after.status_code == 201
    assert "Idempotent-Replayed" not in after
    assert Milestone.objects.filter(is_custom=True).count() == 2
    assert purged == 0  # the expired row was replaced by the new request's


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_the_same_key_run_once():
    learner = UserFactory()
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path())
    barrier = threading.Barrier(4)
    responses = []

    def send():
        try:
            barrier.wait(timeout=10)
            responses.append(_add(_client(learner), roadmap, "same-key"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert Milestone.objects.filter(roadmap=roadmap, is_custom=True).count() == 1
    created = [r for r in responses if r.status_code == 201]
    assert created
    assert all(r.content == created[0].content for r in created)
    assert {r.status_code for r in responses} <= {201, 409}


def test_a_progress_entry_retried_with_a_key_is_stored_once(learner_client, roadmap):
    milestone = roadmap.milestones.first()
    body = {"id": str(uuid.uuid4()), "minutes": 20}

    first = learner_client.post(
        f"/api/v1/milestones/{milestone.pk}/entries/", body, format="json", HTTP_IDEMPOTENCY_KEY="e-1"
    )
    again = learner_client.post(
        f"/api/v1/milestones/{milestone.pk}/entries/", body, format="json", HTTP_IDEMPOTENCY_KEY="e-1"
    )

    assert first.content == again.content
    assert milestone.entries.count() == 1


def test_a_replayed_patch_carries_the_etag_of_the_first_answer(learner_client, roadmap):
    url = f"/api/v1/milestones/{roadmap.milestones.first().pk}/"

    first = learner_client.patch(url, {"target_date": None}, format="json", HTTP_IDEMPOTENCY_KEY="p-1")
    replay = learner_client.patch(url, {"target_date": None}, format="json", HTTP_IDEMPOTENCY_KEY="p-1")

    assert first.has_header("ETag")
    assert replay["ETag"] == first["ETag"]


def test_a_key_on_an_unsupported_method_leaves_the_405_to_the_view(learner_client):
    response = learner_client.put("/api/v1/auth/logout/", {}, format="json", HTTP_IDEMPOTENCY_KEY="x" * 300)

    assert (response.status_code, response.json()["code"]) == (405, "method_not_allowed")


def _post_with_key(client):
    return client.post("/api/v1/notifications/read-all/", {}, format="json", HTTP_IDEMPOTENCY_KEY=f"k-{uuid.uuid4()}")


@pytest.mark.parametrize("how", ["password_changed", "account_deleted", "user_inactive"])
def test_a_write_with_a_key_and_a_token_no_longer_valid_answers_401(how):
    # Given a logged-in user whose token stops being valid
    user = UserFactory(password="an old long passphrase")
    client = _client(user)
    assert _post_with_key(client).status_code != 401
    if how == "password_changed":
        changed = client.post(
            "/api/v1/auth/password/change/",
            {"current_password": "an old long passphrase", "new_password": "a brand new long passphrase"},
            format="json",
        )
        assert changed.status_code == 200
    elif how == "account_deleted":
        deleted = client.post("/api/v1/me/delete/", {"password": "an old long passphrase"}, format="json")
        assert deleted.status_code == 204
    else:
        user.is_active = False
        user.save(update_fields=["is_active"])

    # When the app retries a write with its Idempotency-Key and the old token
    response = _post_with_key(client)

    # Then it is told to log in again, not "server error"
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401
