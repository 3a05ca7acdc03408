"""Push devices: registering a token, listing and forgetting devices, and dead tokens."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection, connections, transaction

from notifications.models import Device
from notifications.services.devices import (
    MAX_DEVICES_PER_USER,
    device_register,
    devices_deactivate,
)
from tests.clients import logged_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DEVICES = "/api/v1/devices/"
TOKEN = "fcm:dGhpcyBpcyBhIHB1c2ggdG9rZW4gZm9yIHRlc3Rz-a1b2c3"
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def _iso(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


def test_a_new_token_is_registered_as_a_device_and_listed_without_the_token(learner, learner_client):
    # When
    with time_machine.travel(MONDAY, tick=False):
        response = learner_client.post(
            DEVICES, {"token": TOKEN, "platform": "android", "name": "Pixel 9"}, format="json"
        )
    listed = learner_client.get(DEVICES)

    # Then
    device = Device.objects.get()
    expected = {
        "id": device.pk,
        "platform": "android",
        "name": "Pixel 9",
        "token_hint": "a1b2c3",
        "active": True,
        "deactivated_reason": "",
        "created_at": _iso(MONDAY),
        "last_seen_at": _iso(MONDAY),
    }
    assert (response.status_code, response.json()) == (201, expected)
    assert listed.json() == {"next": None, "previous": None, "results": [expected]}
    assert (device.user, device.token) == (learner, TOKEN)
    assert TOKEN not in response.content.decode() + listed.content.decode()


def test_registering_the_same_token_again_answers_the_same_device_seen_now(learner_client):
    # Given
    with time_machine.travel(MONDAY, tick=False):
        first = learner_client.post(DEVICES, {"token": TOKEN, "platform": "ios", "name": "iPhone"}, format="json")

    # When: the app starts again a day later, without a name this time
    with time_machine.travel(MONDAY + timedelta(days=1), tick=False):
        again = learner_client.post(DEVICES, {"token": TOKEN, "platform": "ios"}, format="json")

    # Then
    assert again.status_code == 200
    assert again.json() == {**first.json(), "last_seen_at": _iso(MONDAY + timedelta(days=1))}
    assert Device.objects.count() == 1


def test_a_deactivated_device_registered_again_is_active_again(learner, learner_client):
    # Given: the provider reported the token dead
    device, _ = device_register(user=learner, token=TOKEN, platform="web")
    assert devices_deactivate(tokens=[TOKEN], reason="reported dead by the push provider") == 1
    dead = learner_client.get(DEVICES).json()["results"][0]

    # When
    response = learner_client.post(DEVICES, {"token": TOKEN, "platform": "web"}, format="json")

    # Then
    assert (dead["active"], dead["deactivated_reason"]) == (False, "reported dead by the push provider")
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["active"], response.json()["deactivated_reason"]) == (
        device.pk,
        True,
        "",
    )


def test_a_token_registered_by_another_user_moves_to_the_new_one(learner, learner_client):
    # Given: the phone belonged to someone else, who named it
    previous_owner = UserFactory()
    with time_machine.travel(MONDAY, tick=False):
        old, _ = device_register(user=previous_owner, token=TOKEN, platform="android", name="Bob's phone")

    # When: the learner logs in on it
    with time_machine.travel(MONDAY + timedelta(days=30), tick=False):
        response = learner_client.post(DEVICES, {"token": TOKEN, "platform": "android"}, format="json")

    # Then: one device, now the learner's, new to them; the previous owner's name for it is gone
    assert response.status_code == 201
    body = response.json()
    assert (body["id"], body["name"], body["created_at"]) == (old.pk, "", _iso(MONDAY + timedelta(days=30)))
    assert Device.objects.get().user == learner
    assert logged_in(previous_owner).get(DEVICES).json()["results"] == []


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"platform": "ios"}, "token", "required"),
        ({"token": "", "platform": "ios"}, "token", "blank"),
        ({"token": "   ", "platform": "ios"}, "token", "blank"),
        ({"token": "x" * 513, "platform": "ios"}, "token", "max_length"),
        ({"token": TOKEN, "platform": "windows"}, "platform", "invalid_choice"),
        ({"token": TOKEN}, "platform", "required"),
        ({"token": TOKEN, "platform": "ios", "name": "n" * 101}, "name", "max_length"),
    ],
)
def test_a_bad_registration_is_a_400_naming_the_field_and_stores_nothing(learner_client, body, field, code):
    response = learner_client.post(DEVICES, body, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"field": field, "code": code, "detail": response.json()["errors"][0]["detail"]}
    ]
    assert not Device.objects.exists()


def test_a_512_character_token_is_accepted(learner_client):
    response = learner_client.post(DEVICES, {"token": "t" * 512, "platform": "ios"}, format="json")

    assert response.status_code == 201
    assert Device.objects.get().token == "t" * 512


def test_a_short_token_is_not_given_away_by_its_hint(learner_client):
    response = learner_client.post(DEVICES, {"token": "abc", "platform": "web"}, format="json")

    assert response.json()["token_hint"] == ""


def test_each_user_lists_only_their_own_devices(learner, learner_client):
    # Given
    mine, _ = device_register(user=learner, token="token-of-mine-0001", platform="ios")
    device_register(user=UserFactory(), token="token-of-another-0002", platform="android")

    # When
    results = learner_client.get(DEVICES).json()["results"]

    # Then
    assert [device["id"] for device in results] == [mine.pk]


def test_removing_a_device_forgets_it(learner, learner_client):
    # Given
    device, _ = device_register(user=learner, token=TOKEN, platform="ios")

    # When
    response = learner_client.delete(f"{DEVICES}{device.pk}/")

    # Then
    assert (response.status_code, response.content) == (204, b"")
    assert not Device.objects.exists()
    assert learner_client.get(DEVICES).json()["results"] == []


def test_another_users_device_answers_the_404_of_a_missing_one(learner_client):
    # Given
    theirs, _ = device_register(user=UserFactory(), token=TOKEN, platform="ios")

    # When
    other = learner_client.delete(f"{DEVICES}{theirs.pk}/")
    missing = learner_client.delete(f"{DEVICES}{theirs.pk + 1000}/")

    # Then
    assert (other.status_code, other.content) == (404, missing.content)
    assert other.json()["code"] == "not_found"
    assert Device.objects.filter(pk=theirs.pk).exists()


def test_devices_are_anonymous_users_401(api_client):
    assert api_client.get(DEVICES).status_code == 401
    assert api_client.post(DEVICES, {"token": TOKEN, "platform": "ios"}, format="json").status_code == 401


def test_the_least_recently_seen_device_is_forgotten_beyond_the_limit(learner):
    # Given: as many devices as a user keeps, each seen an hour after the previous one
    for index in range(MAX_DEVICES_PER_USER):
        with time_machine.travel(MONDAY + timedelta(hours=index), tick=False):
            device_register(user=learner, token=f"token-{index:04d}", platform="ios")

    # When: one more registers
    with time_machine.travel(MONDAY + timedelta(days=2), tick=False):
        device_register(user=learner, token="token-newest", platform="ios")

    # Then: the one seen longest ago is gone, the rest stay
    tokens = set(Device.objects.filter(user=learner).values_list("token", flat=True))
    assert len(tokens) == MAX_DEVICES_PER_USER
    assert "token-0000" not in tokens
    assert {"token-0001", "token-newest"} <= tokens


def test_dead_tokens_are_deactivated_and_counted_once(learner):
    # Given
    device_register(user=learner, token="alive-token-01", platform="ios")
    device_register(user=learner, token="dead-token-02", platform="ios")
    device_register(user=UserFactory(), token="dead-token-03", platform="android")

    # When
    first = devices_deactivate(tokens={"dead-token-02", "dead-token-03", "unknown-token"}, reason="gone")
    second = devices_deactivate(tokens=["dead-token-02"], reason="gone again")

    # Then
    assert (first, second) == (2, 0)
    assert dict(Device.objects.values_list("token", "active")) == {
        "alive-token-01": True,
        "dead-token-02": False,
        "dead-token-03": False,
    }
    assert set(Device.objects.filter(active=False).values_list("deactivated_reason", flat=True)) == {"gone"}
    assert devices_deactivate(tokens=[], reason="nothing") == 0


@pytest.mark.parametrize("count", [1, MAX_DEVICES_PER_USER])  # the most a user has
def test_device_list_costs_one_query_for_1_and_the_most_devices(
    learner, learner_client, django_assert_num_queries, count
):
    for index in range(count):
        device_register(user=learner, token=f"token-{index:04d}", platform="android")

    with django_assert_num_queries(1):
        response = learner_client.get(DEVICES, {"page_size": 100})

    assert len(response.json()["results"]) == count


# Concurrency: real transactions on separate connections ---------------------------------------


def _waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_two_first_registrations_of_one_token_at_once_make_one_device_and_no_error():
    # Given: one phone's token being registered by one account, not yet committed
    first_user, second_user = UserFactory(), UserFactory()
    registered, release = threading.Event(), threading.Event()
    outcomes: dict[str, object] = {}

    def register(name, user, hold: bool) -> None:
        try:
            with transaction.atomic():
                device, created = device_register(user=user, token=TOKEN, platform="ios")
                if hold:
                    registered.set()
                    release.wait(10)
            outcomes[name] = (device.pk, created)
        except Exception as error:  # noqa: BLE001 - the assertion below shows it
            outcomes[name] = error
        finally:
            connections.close_all()

    first = threading.Thread(target=register, args=("first", first_user, True))
    first.start()
    assert registered.wait(10)

    # When: the second account registers the same token: its insert waits on the first's
    second = threading.Thread(target=register, args=("second", second_user, False))
    second.start()
    for _ in range(200):
        if _waiting_for_a_lock():
            break
        threading.Event().wait(0.05)
    else:
        pytest.fail("the second registration never waited for the first")
    release.set()
    first.join(10)
    second.join(10)

    # Then: one row, the second account's (it registered last), the same id
    device = Device.objects.get()
    assert device.user == second_user
    assert outcomes == {"first": (device.pk, True), "second": (device.pk, True)}
