"""A learner's data: exported as a JSON file on request, deleted with the account."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db.models import Q
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuditEvent, Change, DataExport, Mentorship, User
from accounts.services import mentorship_create_active
from accounts.tasks import purge_data_exports
from notifications.models import Notification, Reminder
from roadmaps.models import Milestone, ProgressEntry, ReviewSubmission, Roadmap
from roadmaps.services.learning import milestone_note_set, progress_entry_log, roadmap_enroll
from roadmaps.services.reviews import review_decide, review_submit
from tests.accounts.helpers import PASSWORD, bearer, log_in, refresh
from tests.clients import logged_in
from tests.factories import UserFactory, small_path

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def studied(media_root):
    """Ada: a roadmap with progress, a private note, a review with her mentor's comment; Grace mentors her."""
    with time_machine.travel(NOON, tick=False):
        ada = UserFactory(email="ada@example.com", display_name="Ada", time_zone="Europe/London")
        grace = UserFactory(email="grace@example.com", display_name="Grace", is_mentor=True)
        staff = UserFactory(email="staff@example.com", is_staff=True)
        mentorship = mentorship_create_active(mentor=grace, learner=ada, by=staff)
        roadmap, _ = roadmap_enroll(learner=ada, path=small_path())
        basics = roadmap.milestones.get(slug="python-basics")
        progress_entry_log(
            learner=ada,
            milestone_id=basics.pk,
            entry_id=uuid.uuid4(),
            minutes=45,
            note="Chapter 1.",
            state="in_progress",
        )
        milestone_note_set(milestone=Milestone.objects.get(pk=basics.pk), note="Ask about decorators.")
        project = roadmap.milestones.get(slug="pipeline-project")
        Milestone.objects.filter(pk=project.pk).update(state=Milestone.State.IN_PROGRESS)
        submission = review_submit(learner=ada, milestone=project, evidence_url="https://github.com/ada/pipeline")
        review_decide(mentor=grace, submission=submission, approve=False, comment="Add a rollback test.")
    return {"ada": ada, "grace": grace, "staff": staff, "roadmap": roadmap, "mentorship": mentorship}


@pytest.fixture
def run_tasks(eager_tasks, django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


# Export -------------------------------------------------------------------------------------


def test_an_export_is_built_in_the_background_and_holds_all_the_learners_data(studied, run_tasks):
    # Given
    ada = studied["ada"]
    client = logged_in(ada)

    # When: asked for, built by the task, then read and downloaded
    with time_machine.travel(NOON + timedelta(days=1), tick=False):
        with run_tasks():
            requested = client.post("/api/v1/me/exports/")
        status = client.get(f"/api/v1/me/exports/{requested.json()['id']}/")
        download = client.get(status.json()["download_url"])

    # Then: 202 with the pending export; then ready, with a link to the file
    export = DataExport.objects.get()
    assert requested.status_code == 202
    assert requested.json() == {
        "id": export.pk,
        "state": "pending",
        "size": None,
        "created_at": "2026-03-03T12:00:00Z",
        "finished_at": None,
        "expires_at": None,
        "download_url": None,
    }
    assert status.json()["state"] == "ready"
    assert status.json()["expires_at"] == "2026-03-04T12:00:00Z"
    assert status.json()["download_url"].startswith(f"http://testserver/api/v1/me/exports/{export.pk}/download/?token=")
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="careerhub-export-{export.pk}.json"'
    raw = b"".join(download.streaming_content)
    document = json.loads(raw)
    assert status.json()["size"] == len(raw)

    assert set(document) == {
        "format_version",
        "exported_at",
        "profile",
        "mentorships",
        "roadmaps",
        "progress",
        "reviews",
        "sessions",
        "notifications",
    }
    assert document["profile"] | {"id": None} == {
        "id": None,
        "email": "ada@example.com",
        "email_verified_at": None,
        "display_name": "Ada",
        "time_zone": "Europe/London",
        "weekly_hours_goal": 5,
        "is_mentor": False,
        "date_joined": "2026-03-02T12:00:00Z",
        "last_login": None,
    }
    assert [(m["my_role"], m["other_side"], m["state"]) for m in document["mentorships"]] == [
        ("learner", "Grace", "active")
    ]
    [roadmap] = document["roadmaps"]
    assert roadmap["path"] == "mlops-engineer"
    assert [m["slug"] for m in roadmap["milestones"]] == list(
        studied["roadmap"].milestones.order_by("position").values_list("slug", flat=True)
    )
    notes = {m["slug"]: m["note"] for m in roadmap["milestones"] if m["note"]}
    assert notes == {"python-basics": "Ask about decorators."}
    assert [(e["minutes"], e["note"]) for e in document["progress"]] == [
        (entry.minutes, entry.note) for entry in ProgressEntry.objects.order_by("logged_at")
    ]
    assert (45, "Chapter 1.") in [(e["minutes"], e["note"]) for e in document["progress"]]
    [review] = document["reviews"]
    assert (review["evidence_url"], review["state"]) == ("https://github.com/ada/pipeline", "changes_requested")
    assert [(c["mine"], c["body"]) for c in review["comments"]] == [(False, "Add a rollback test.")]
    assert AuditEvent.objects.filter(action="export_requested", actor=ada).count() == 1
    assert AuditEvent.objects.filter(action="export_downloaded", actor=ada).count() == 1


def test_asking_again_while_an_export_is_being_built_answers_the_same_export(
    studied, django_capture_on_commit_callbacks
):
    client = logged_in(studied["ada"])

    with django_capture_on_commit_callbacks() as sent:
        first = client.post("/api/v1/me/exports/")
        second = client.post("/api/v1/me/exports/")

    assert first.json()["id"] == second.json()["id"]
    assert DataExport.objects.count() == 1
    assert len(sent) == 1  # one task


def test_the_download_link_expires_after_an_hour_and_needs_the_owner_logged_in(studied, run_tasks):
    # Given
    client = logged_in(studied["ada"])
    with time_machine.travel(NOON, tick=False):
        with run_tasks():
            export_id = client.post("/api/v1/me/exports/").json()["id"]
        link = client.get(f"/api/v1/me/exports/{export_id}/").json()["download_url"]

    # When
    with time_machine.travel(NOON + timedelta(minutes=61), tick=False):
        expired = client.get(link)
        anonymous = APIClient().get(link)
        fresh = client.get(client.get(f"/api/v1/me/exports/{export_id}/").json()["download_url"])
        forged = client.get(link.split("?")[0] + "?token=" + "x" * 40)

    # Then
    assert (expired.status_code, expired.json()["code"]) == (404, "not_found")
    assert anonymous.status_code == 401
    assert fresh.status_code == 200
    assert forged.status_code == 404


def test_expired_exports_are_purged_with_their_files(studied, run_tasks, media_root):
    # Given: an export, ready
    client = logged_in(studied["ada"])
    with time_machine.travel(NOON, tick=False), run_tasks():
        client.post("/api/v1/me/exports/")
    export = DataExport.objects.get()
    file_path = media_root / export.file.name
    assert file_path.exists()

    # When: the hourly purge runs before and after the 24 hours
    with time_machine.travel(NOON + timedelta(hours=23), tick=False):
        kept = purge_data_exports()
    with time_machine.travel(NOON + timedelta(hours=24, seconds=1), tick=False):
        purged = purge_data_exports()

    # Then
    assert (kept, purged) == (0, 1)
    assert not DataExport.objects.exists()
    assert not file_path.exists()


def test_the_export_status_costs_the_same_queries_whatever_the_data(studied, run_tasks, django_assert_num_queries):
    client = logged_in(studied["ada"])
    with run_tasks():
        export_id = client.post("/api/v1/me/exports/").json()["id"]

    with django_assert_num_queries(1):
        client.get(f"/api/v1/me/exports/{export_id}/")


# Deletion ------------------------------------------------------------------------------------


def test_deleting_the_account_needs_the_right_password(studied):
    response = logged_in(studied["ada"]).post("/api/v1/me/delete/", {"password": "not mine"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "password", "code": "wrong_password", "detail": "The password is wrong."}
    ]
    assert User.objects.filter(pk=studied["ada"].pk).exists()


@pytest.mark.django_db(transaction=True)  # sync serves committed transactions only
def test_a_deleted_learners_mentor_gets_404_at_once_and_tombstones_in_sync(studied):
    # Given: the mentor reads the learner's roadmap and has synced
    mentor = logged_in(studied["grace"])
    ada, roadmap = studied["ada"], studied["roadmap"]
    milestone = roadmap.milestones.first()
    roadmap = Roadmap.objects.prefetch_related("milestones").get(pk=roadmap.pk)
    milestone_ids = sorted(str(m.pk) for m in roadmap.milestones.all())
    submission = ReviewSubmission.objects.get()
    assert mentor.get(f"/api/v1/roadmaps/{roadmap.pk}/").status_code == 200
    cursor = mentor.get("/api/v1/sync/").json()["cursor"]

    # When: the learner deletes their account
    deleted = logged_in(ada).post("/api/v1/me/delete/", {"password": PASSWORD}, format="json")

    # Then: every read of the mentor finds nothing, and the next sync says what to forget
    assert deleted.status_code == 204
    assert mentor.get(f"/api/v1/roadmaps/{roadmap.pk}/").status_code == 404
    assert mentor.get(f"/api/v1/milestones/{milestone.pk}/").status_code == 404
    assert mentor.get(f"/api/v1/reviews/{submission.pk}/").status_code == 404
    assert mentor.get(f"/api/v1/mentees/{ada.pk}/roadmaps/").status_code == 404
    assert mentor.get("/api/v1/mentor/dashboard/").json() == []
    synced = mentor.get("/api/v1/sync/", {"cursor": cursor}).json()
    assert synced["roadmaps"] == {"upserted": [], "deleted": [str(roadmap.pk)]}
    assert sorted(synced["milestones"]["deleted"]) == milestone_ids
    assert synced["reviews"] == {"upserted": [], "deleted": [str(submission.pk)]}
    assert synced["mentorships"]["deleted"] == [str(studied["mentorship"].pk)]


def test_a_deleted_account_leaves_no_personal_data_and_its_email_can_register_again(studied, run_tasks, media_root):
    # Given: the learner has a session and an export file
    ada = studied["ada"]
    tokens = log_in(ada.email)
    with run_tasks():
        bearer(tokens["access"]).post("/api/v1/me/exports/")
    export_file = media_root / DataExport.objects.get().file.name
    # ... reminders (her review was decided), and an invitation mailed before she had an account
    Reminder.objects.create(
        email=ada.email, kind="mentorship_invitation", subject_id=1, period="once", due_at=timezone.now()
    )
    assert Reminder.objects.filter(user=ada).exists()

    # When
    with run_tasks():
        response = bearer(tokens["access"]).post("/api/v1/me/delete/", {"password": PASSWORD}, format="json")
    registered = APIClient().post(
        "/api/v1/auth/register/", {"email": "ada@example.com", "password": "a fresh start passphrase"}, format="json"
    )

    # Then
    assert response.status_code == 204
    assert not Roadmap.objects.exists()
    assert not Milestone.objects.exists()
    assert not ProgressEntry.objects.exists()
    assert not ReviewSubmission.objects.exists()
    assert not Mentorship.objects.exists()
    assert not Change.objects.filter(owner_id=ada.pk).exists()
    assert not Reminder.objects.filter(Q(user_id=ada.pk) | Q(email=ada.email)).exists()
    assert not Notification.objects.filter(user_id=ada.pk).exists()
    assert not export_file.exists()
    assert refresh(tokens["refresh"]).status_code == 401
    assert bearer(tokens["access"]).get("/api/v1/me/").status_code == 401
    assert registered.status_code == 202
    assert User.objects.get(email="ada@example.com").pk != ada.pk


def test_deletion_keeps_the_audit_of_staff_actions_without_the_user(studied):
    # Given: staff linked the learner to a mentor (audited); the learner logged in (audited)
    ada, staff = studied["ada"], studied["staff"]
    log_in(ada.email)
    assert AuditEvent.objects.filter(target_user=ada).count() >= 2

    # When
    logged_in(ada).post("/api/v1/me/delete/", {"password": PASSWORD}, format="json")

    # Then: the staff action stays, without the learner; the learner's own events are gone
    kept = list(AuditEvent.objects.order_by("pk").values("action", "actor", "target_user", "by_staff"))
    assert {"action": "mentorship_linked", "actor": staff.pk, "target_user": None, "by_staff": True} in kept
    assert not AuditEvent.objects.filter(action="login").exists()
    assert AuditEvent.objects.filter(action="account_deleted", actor=None, target_user=None, ip=None).count() == 1
    assert "ada@example.com" not in json.dumps(list(AuditEvent.objects.values("changes", "object_id")))


@pytest.mark.django_db(transaction=True)  # sync serves committed transactions only
def test_a_deleted_mentors_learners_keep_their_data_and_lose_the_link(studied):
    # Given
    grace, ada = studied["grace"], studied["ada"]
    learner = logged_in(ada)
    cursor = learner.get("/api/v1/sync/").json()["cursor"]

    # When
    response = logged_in(grace).post("/api/v1/me/delete/", {"password": PASSWORD}, format="json")

    # Then: the learner's roadmap and review stay, their comment author is gone, the link is a tombstone
    assert response.status_code == 204
    assert learner.get(f"/api/v1/roadmaps/{studied['roadmap'].pk}/").status_code == 200
    assert learner.get("/api/v1/mentorships/").json()["results"] == []
    synced = learner.get("/api/v1/sync/", {"cursor": cursor}).json()
    assert synced["mentorships"]["deleted"] == [str(studied["mentorship"].pk)]
    review = learner.get(f"/api/v1/reviews/{ReviewSubmission.objects.get().pk}/")
    assert review.status_code == 200


def test_deleting_the_account_with_an_idempotency_key_answers_204(studied):
    tokens = log_in(studied["ada"].email)

    response = bearer(tokens["access"]).post(
        "/api/v1/me/delete/", {"password": PASSWORD}, format="json", HTTP_IDEMPOTENCY_KEY="delete-1"
    )

    assert response.status_code == 204
    assert not User.objects.filter(email="ada@example.com").exists()
