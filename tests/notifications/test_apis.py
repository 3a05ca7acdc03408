"""The inbox and the preferences, through the API as the app calls them."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from notifications.models import Notification, Reminder
from notifications.services.reminders import unsubscribe_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _notes(user, count: int, *, read: int = 0) -> list[Notification]:
    start = datetime(2026, 6, 1, tzinfo=UTC)
    notes = []
    for index in range(count):
        reminder = Reminder.objects.create(
            user=user, kind="target_soon", subject_id=index, period="2026-06-12", due_at=start, state="sent"
        )
        notes.append(
            Notification.objects.create(
                user=user,
                reminder=reminder,
                kind="target_soon",
                title=f"Milestone {index} is due soon",
                data={"milestone": index},
                created_at=start + timedelta(minutes=index),
                read_at=start if index < read else None,
            )
        )
    return notes


def test_the_inbox_lists_newest_first_filters_unread_and_counts_them(learner, learner_client):
    notes = _notes(learner, 3, read=1)
    _notes(UserFactory(), 2)  # someone else's

    listed = learner_client.get("/api/v1/notifications/").json()
    unread = learner_client.get("/api/v1/notifications/?unread=true").json()["results"]

    assert [item["id"] for item in listed["results"]] == [notes[2].pk, notes[1].pk, notes[0].pk]
    assert listed["results"][0] == {
        "id": notes[2].pk,
        "kind": "target_soon",
        "title": "Milestone 2 is due soon",
        "body": "",
        "data": {"milestone": 2},
        "created_at": "2026-06-01T00:02:00Z",
        "read": False,
        "read_at": None,
    }
    assert [item["id"] for item in unread] == [notes[2].pk, notes[1].pk]
    assert learner_client.get("/api/v1/notifications/unread-count/").json() == {"unread": 2}


def test_marking_read_one_or_all(learner, learner_client, other_client):
    notes = _notes(learner, 3)

    one = learner_client.post(f"/api/v1/notifications/{notes[0].pk}/read/")
    again = learner_client.post(f"/api/v1/notifications/{notes[0].pk}/read/")
    foreign = other_client.post(f"/api/v1/notifications/{notes[1].pk}/read/")
    rest = learner_client.post("/api/v1/notifications/read-all/")

    assert one.json()["read"] is True
    assert again.json()["read_at"] == one.json()["read_at"]  # the first reading is kept
    assert (foreign.status_code, foreign.json()["code"]) == (404, "not_found")
    assert rest.json() == {"marked": 2}
    assert learner_client.get("/api/v1/notifications/unread-count/").json() == {"unread": 0}


@pytest.mark.parametrize("bad", ["unread=maybe", "kind=birthday", "page_size=1000", "page_size=0"])
def test_bad_inbox_queries_answer_400(learner_client, bad):
    response = learner_client.get(f"/api/v1/notifications/?{bad}")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("rows", [1, 50])
def test_the_inbox_costs_one_query_whatever_its_length(learner, learner_client, rows, django_assert_num_queries):
    _notes(learner, rows)

    with django_assert_num_queries(1):
        response = learner_client.get("/api/v1/notifications/?page_size=50")

    assert len(response.json()["results"]) == rows


def test_preferences_start_from_the_defaults_and_change_field_by_field(learner_client):
    defaults = learner_client.get("/api/v1/notifications/preferences/").json()
    assert {
        key: defaults[key] for key in ("time_zone", "preferred_hour", "digest_weekday", "quiet_hours", "daily_cap")
    } == {
        "time_zone": "Europe/Berlin",
        "preferred_hour": 9,
        "digest_weekday": 0,
        "quiet_hours": None,
        "daily_cap": 5,
    }
    assert defaults["channels"]["learner_digest"] == {"inbox": True, "email": True, "push": False}

    changed = learner_client.patch(
        "/api/v1/notifications/preferences/",
        {"quiet_hours": {"start": 22, "end": 7}, "channels": {"overdue": {"push": False}}},
        format="json",
    ).json()
    assert changed["quiet_hours"] == {"start": 22, "end": 7}
    assert changed["channels"]["overdue"] == {"inbox": True, "email": True, "push": False}
    assert changed["preferred_hour"] == 9

    cleared = learner_client.patch("/api/v1/notifications/preferences/", {"quiet_hours": None}, format="json").json()
    assert cleared["quiet_hours"] is None
    assert cleared["channels"]["overdue"]["push"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"preferred_hour": 24}, "preferred_hour"),
        ({"digest_weekday": -1}, "digest_weekday"),
        ({"daily_cap": 0}, "daily_cap"),
        ({"quiet_hours": {"start": 22}}, "quiet_hours.end"),
        ({"quiet_hours": {"start": 8, "end": 8}}, "quiet_hours"),
        ({"channels": {"birthday": {"email": False}}}, "channels.birthday"),
        ({"channels": {"overdue": {"email": "sometimes"}}}, "channels.overdue.email"),
    ],
)
def test_bad_preferences_answer_400_naming_the_field_and_change_nothing(learner_client, body, field):
    before = learner_client.get("/api/v1/notifications/preferences/").json()

    response = learner_client.patch("/api/v1/notifications/preferences/", body, format="json")

    assert response.status_code == 400
    assert field in {error["field"] for error in response.json()["errors"]}
    assert learner_client.get("/api/v1/notifications/preferences/").json() == before


def test_the_unsubscribe_link_works_without_login_in_a_browser_and_rejects_forgeries(learner, api_client):
    token = unsubscribe_token(user=learner, kind="learner_digest")

    page = api_client.get(f"/api/v1/notifications/unsubscribe/{token}/", HTTP_ACCEPT="text/html")
    forged = api_client.get(f"/api/v1/notifications/unsubscribe/{token[:-2]}xx/")

    assert page.status_code == 200
    assert "You will get no more weekly learner digest emails." in page.content.decode()
    assert (forged.status_code, forged.json()["code"]) == (404, "invalid_unsubscribe_link")
    api_client.force_authenticate(learner)
    channels = api_client.get("/api/v1/notifications/preferences/").json()["channels"]
    assert channels["learner_digest"] == {"inbox": True, "email": False, "push": False}


def test_only_staff_see_the_reviews_left_waiting(learner_client):
    response = learner_client.get("/api/v1/staff/reviews/waiting/")

    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert timezone.now()  # the list itself is tested with the reminders about reviews


def test_the_data_export_holds_the_inbox_the_reminders_the_preferences_and_the_devices(learner):
    from accounts.exports import export_document
    from notifications.services.devices import device_register
    from notifications.services.reminders import preferences_update

    notes = _notes(learner, 2, read=1)
    preferences_update(user=learner, daily_cap=3)
    device_register(user=learner, token="secret-push-token-123", platform="ios", name="Ada's phone")

    section = export_document(user=learner)["notifications"]

    assert [item["title"] for item in section["inbox"]] == [note.title for note in notes]
    assert section["inbox"][0]["read_at"] is not None
    assert [r["kind"] for r in section["reminders"]] == ["target_soon", "target_soon"]
    assert section["preferences"]["daily_cap"] == 3
    assert [(d["platform"], d["name"]) for d in section["devices"]] == [("ios", "Ada's phone")]
    assert "secret-push-token-123" not in str(section)
