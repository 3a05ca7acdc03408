"""The audit trail: sensitive actions recorded with actor, time, address and what changed; read only."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import AuditEvent, LoginSession, Mentorship, User
from roadmaps.models import Milestone
from roadmaps.services.learning import roadmap_enroll
from roadmaps.services.reviews import review_submit
from tests.accounts.helpers import PASSWORD, TOKEN
from tests.clients import logged_in
from tests.factories import UserFactory, small_path

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _events(**filters) -> list[dict]:
    fields = ("action", "actor", "target_user", "by_staff", "ip", "object_type", "object_id", "changes")
    return list(AuditEvent.objects.filter(**filters).order_by("pk").values(*fields))


@pytest.fixture
def admin_client(db) -> tuple[Client, User]:
    staff = UserFactory(email="admin@example.com", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    return client, staff


def test_a_login_is_recorded_with_the_client_address_and_its_session():
    # Given
    user = UserFactory(email="ada@example.com")

    # When
    with time_machine.travel(NOON, tick=False):
        APIClient().post(TOKEN, {"email": user.email, "password": PASSWORD}, format="json", REMOTE_ADDR="203.0.113.4")

    # Then
    session = LoginSession.objects.get()
    assert _events() == [
        {
            "action": "login",
            "actor": user.pk,
            "target_user": user.pk,
            "by_staff": False,
            "ip": "203.0.113.4",
            "object_type": "loginsession",
            "object_id": str(session.pk),
            "changes": {},
        }
    ]
    assert AuditEvent.objects.get().created_at == NOON
    user.refresh_from_db()
    assert user.last_login == NOON


def test_mentorship_changes_and_review_decisions_are_recorded():
    # Given: a learner invites a mentor, who accepts, and reviews a project
    learner, mentor = UserFactory(), UserFactory(is_mentor=True)
    invited = logged_in(learner).post("/api/v1/mentorships/", {"role": "learner", "email": mentor.email}, format="json")
    logged_in(mentor).post(f"/api/v1/mentorships/{invited.json()['id']}/accept/", REMOTE_ADDR="203.0.113.8")
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path())
    project = roadmap.milestones.get(slug="pipeline-project")
    Milestone.objects.filter(pk=project.pk).update(state=Milestone.State.IN_PROGRESS)
    submission = review_submit(learner=learner, milestone=project, evidence_url="https://github.com/a/b")

    # When
    logged_in(mentor).post(f"/api/v1/reviews/{submission.pk}/approve/", {"comment": "Great."}, format="json")
    logged_in(learner).post(f"/api/v1/mentorships/{invited.json()['id']}/end/")

    # Then
    link = str(invited.json()["id"])
    rows = [(e["action"], e["actor"], e["target_user"], e["object_id"], e["changes"]) for e in _events()]
    assert rows == [
        ("mentorship_invited", learner.pk, None, link, {"role": "learner", "by_email": True}),
        ("mentorship_accepted", mentor.pk, None, link, {"state": "active"}),
        ("review_decided", mentor.pk, learner.pk, str(submission.pk), {"state": "approved"}),
        ("mentorship_ended", learner.pk, mentor.pk, link, {"state": "ended"}),
    ]
    assert _events(action="mentorship_accepted")[0]["ip"] == "203.0.113.8"


def test_a_staff_link_is_recorded_as_a_staff_action():
    staff, mentor, learner = UserFactory(is_staff=True), UserFactory(is_mentor=True), UserFactory()

    logged_in(staff).post("/api/v1/staff/mentorships/", {"mentor": mentor.pk, "learner": learner.pk}, format="json")

    [event] = _events()
    assert (event["action"], event["actor"], event["target_user"], event["by_staff"]) == (
        "mentorship_linked",
        staff.pk,
        learner.pk,
        True,
    )


def test_staff_read_the_trail_in_the_admin_and_nobody_can_change_it(admin_client):
    # Given
    client, _ = admin_client
    user = UserFactory()
    APIClient().post(TOKEN, {"email": user.email, "password": PASSWORD}, format="json")
    event = AuditEvent.objects.get(action="login", actor=user)

    # When
    listing = client.get("/admin/accounts/auditevent/")
    detail = client.get(f"/admin/accounts/auditevent/{event.pk}/change/")
    edit = client.post(f"/admin/accounts/auditevent/{event.pk}/change/", {"action": "logout_everywhere"})
    delete = client.post(f"/admin/accounts/auditevent/{event.pk}/delete/", {"post": "yes"})
    add = client.get("/admin/accounts/auditevent/add/")

    # Then: readable, not writable
    assert listing.status_code == 200
    assert user.email in listing.content.decode()
    assert detail.status_code == 200
    assert (edit.status_code, delete.status_code, add.status_code) == (403, 403, 403)
    event.refresh_from_db()
    assert event.action == "login"
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_an_audit_event_cannot_be_saved_twice():
    event = AuditEvent.objects.create(action="login")
    event.action = "account_deleted"

    with pytest.raises(ValueError, match="append-only"):
        event.save()


def test_a_staff_edit_of_a_user_in_the_admin_is_recorded_with_the_fields_changed(admin_client):
    # Given
    client, staff = admin_client
    user = UserFactory(email="ada@example.com", display_name="Ada", time_zone="UTC")

    # When: staff make Ada a mentor and change her name
    response = client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "email": "ada@example.com",
            "display_name": "Ada L.",
            "time_zone": "UTC",
            "email_verified_at_0": "",
            "email_verified_at_1": "",
            "is_mentor": "on",
            "is_active": "on",
            "date_joined_0": "2026-03-01",
            "date_joined_1": "12:00:00",
        },
    )

    # Then
    assert response.status_code == 302, response.content.decode()[:2000]
    [event] = _events(action="staff_user_changed")
    assert (event["actor"], event["target_user"], event["by_staff"]) == (staff.pk, user.pk, True)
    assert event["changes"] == {"fields": ["display_name", "is_mentor"]}


def test_a_staff_deletion_in_the_admin_erases_the_user_and_keeps_an_anonymous_record(admin_client):
    # Given
    client, staff = admin_client
    user = UserFactory(email="ada@example.com")
    Mentorship.objects.create(mentor=UserFactory(is_mentor=True), learner=user, state="active")

    # When
    response = client.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"})

    # Then
    assert response.status_code == 302
    assert not User.objects.filter(email="ada@example.com").exists()
    [event] = _events(action="staff_user_deleted")
    assert (event["actor"], event["target_user"], event["by_staff"]) == (staff.pk, None, True)


def test_an_admin_login_is_recorded(admin_client):
    _, staff = admin_client

    assert [(e["action"], e["actor"], e["changes"]) for e in _events()] == [("login", staff.pk, {"via": "admin"})]
