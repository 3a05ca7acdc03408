import base64
import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Change, Mentorship
from careerhub.pagination import Window
from roadmaps.apis.learning import MilestoneSerializer
from roadmaps.models import Milestone, ProgressEntry, Roadmap
from roadmaps.selectors.learning import _milestone_page_orm, milestone_page_rows, milestone_queryset
from roadmaps.services.learning import progress_entry_log, roadmap_enroll
from tests.factories import UserFactory, small_path
from tests.processes import wait_until

pytestmark = pytest.mark.django_db


@pytest.fixture
def roadmap(learner_client) -> dict:
    small_path()
    response = learner_client.post("/api/v1/roadmaps/", {"path": "mlops-engineer"}, format="json")
    assert response.status_code == 201
    return response.json()


def _milestone(roadmap: dict, slug: str) -> dict:
    return next(m for m in roadmap["milestones"] if m["slug"] == slug)


def _log(client, milestone_id: int, **body):
    body.setdefault("id", str(uuid.uuid4()))
    return client.post(f"/api/v1/milestones/{milestone_id}/entries/", body, format="json")


# Enrolment ------------------------------------------------------------------------------


def test_enrolling_copies_the_catalog_into_a_roadmap_of_ones_own(learner_client, roadmap):
    assert roadmap["path"] == {"slug": "mlops-engineer", "title": "Mlops Engineer", "version": 1}
    assert roadmap["status"] == "active"
    assert roadmap["upgrade_available"] is False
    assert [m["slug"] for m in roadmap["milestones"]] == [
        "python-basics",
        "docker-course",
        "cloud-cert",
        "pipeline-project",
    ]
    assert [m["position"] for m in roadmap["milestones"]] == [0, 1, 2, 3]
    project = _milestone(roadmap, "pipeline-project")
    assert project["stage"] == {"slug": "portfolio", "title": "Portfolio"}
    assert project["evidence_kind"] == "repository"
    assert project["acceptance_criteria"] == ["It retrains.", "It gates.", "It rolls back."]
    assert project["skills"] == ["docker", "python"]
    assert project["state"] == "not_started"
    assert roadmap["stats"]["milestones_total"] == 4
    assert roadmap["stats"]["hours_estimated"] == 100.0


def test_enrolling_again_answers_the_same_roadmap(learner_client, roadmap):
    again = learner_client.post("/api/v1/roadmaps/", {"path": "mlops-engineer"}, format="json")

    assert again.status_code == 200
    assert again.json()["id"] == roadmap["id"]
    assert Roadmap.objects.count() == 1
    assert Milestone.objects.count() == 4


def test_several_paths_at_once(learner_client, roadmap):
    small_path(slug="data-scientist")

    second = learner_client.post("/api/v1/roadmaps/", {"path": "data-scientist"}, format="json")
    listed = learner_client.get("/api/v1/roadmaps/").json()["results"]

    assert second.status_code == 201
    assert [r["path"]["slug"] for r in listed] == ["mlops-engineer", "data-scientist"]


def test_enrolling_in_an_unknown_path_is_a_validation_error(learner_client):
    response = learner_client.post("/api/v1/roadmaps/", {"path": "astronaut"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "path", "code": "invalid", "detail": "There is no career path with this slug."}
    ]


def test_pause_archive_and_reactivate(learner_client, roadmap):
    url = f"/api/v1/roadmaps/{roadmap['id']}/"

    paused = learner_client.patch(url, {"status": "paused"}, format="json").json()
    archived = learner_client.patch(url, {"status": "archived"}, format="json").json()
    listed_active = learner_client.get("/api/v1/roadmaps/", {"status": "active"}).json()["results"]
    write = _log(learner_client, roadmap["milestones"][0]["id"], minutes=10)
    reenrolled = learner_client.post("/api/v1/roadmaps/", {"path": "mlops-engineer"}, format="json").json()

    assert paused["status"] == "paused"
    assert archived["status"] == "archived"
    assert listed_active == []
    assert write.status_code == 409
    assert write.json()["code"] == "roadmap_archived"
    assert reenrolled["status"] == "active"


# Planning -------------------------------------------------------------------------------


def test_own_milestone_is_added_at_the_end_and_editable(learner_client, roadmap):
    response = learner_client.post(
        f"/api/v1/roadmaps/{roadmap['id']}/milestones/",
        {"title": "Kaggle competition", "estimated_hours": 12, "kind": "practice", "skills": ["python"]},
        format="json",
    )
    created = response.json()
    edited = learner_client.patch(
        f"/api/v1/milestones/{created['id']}/",
        {"title": "Two Kaggle competitions", "estimated_hours": 24},
        format="json",
    ).json()

    assert response.status_code == 201
    assert created["is_custom"] is True
    assert created["slug"].startswith("custom-")
    assert created["position"] == 4
    assert created["skills"] == ["python"]
    assert (edited["title"], edited["estimated_hours"]) == ("Two Kaggle competitions", 24)


def test_catalog_milestone_texts_are_read_only(learner_client, roadmap):
    milestone = roadmap["milestones"][0]

    response = learner_client.patch(f"/api/v1/milestones/{milestone['id']}/", {"title": "Mine now"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "catalog_field_readonly"
    assert Milestone.objects.get(pk=milestone["id"]).title == milestone["title"]


def test_reorder_puts_milestones_in_the_given_order(learner_client, roadmap):
    ids = [m["id"] for m in roadmap["milestones"]]
    new_order = [ids[3], ids[0], ids[2], ids[1]]

    response = learner_client.put(
        f"/api/v1/roadmaps/{roadmap['id']}/milestones/order/", {"milestones": new_order}, format="json"
    )
    listed = learner_client.get(f"/api/v1/roadmaps/{roadmap['id']}/milestones/").json()["results"]

    assert response.status_code == 204
    assert [m["id"] for m in listed] == new_order


@pytest.mark.parametrize("mangle", [lambda ids: ids[:-1], lambda ids: [*ids, ids[0]], lambda ids: [*ids[:-1], 999_999]])
def test_reorder_must_name_every_milestone_once(learner_client, roadmap, mangle):
    ids = [m["id"] for m in roadmap["milestones"]]

    response = learner_client.put(
        f"/api/v1/roadmaps/{roadmap['id']}/milestones/order/", {"milestones": mangle(ids)}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "order_mismatch"
    assert list(Milestone.objects.order_by("position").values_list("id", flat=True)) == ids


def test_target_dates_are_set_cleared_and_filtered(learner_client, roadmap):
    first, second = roadmap["milestones"][:2]
    soon = (timezone.now() + timedelta(days=10)).date().isoformat()
    later = (timezone.now() + timedelta(days=40)).date().isoformat()
    learner_client.patch(f"/api/v1/milestones/{first['id']}/", {"target_date": soon}, format="json")
    learner_client.patch(f"/api/v1/milestones/{second['id']}/", {"target_date": later}, format="json")
    url = f"/api/v1/roadmaps/{roadmap['id']}/milestones/"
    cutoff = (timezone.now() + timedelta(days=20)).date().isoformat()

    due_soon = learner_client.get(url, {"due_before": cutoff}).json()["results"]
    due_later = learner_client.get(url, {"due_after": cutoff}).json()["results"]
    cleared = learner_client.patch(f"/api/v1/milestones/{first['id']}/", {"target_date": None}, format="json").json()
    past = learner_client.patch(f"/api/v1/milestones/{second['id']}/", {"target_date": "2020-01-01"}, format="json")

    assert [m["id"] for m in due_soon] == [first["id"]]
    assert [m["id"] for m in due_later] == [second["id"]]
    assert cleared["target_date"] is None
    assert past.status_code == 400
    assert past.json()["code"] == "target_date_in_past"


def test_milestone_list_filters_by_state_and_kind_and_rejects_bad_values(learner_client, roadmap):
    url = f"/api/v1/roadmaps/{roadmap['id']}/milestones/"
    _log(learner_client, roadmap["milestones"][0]["id"], minutes=5, state="in_progress")

    in_progress = learner_client.get(url, {"state": "in_progress"}).json()["results"]
    certifications = learner_client.get(url, {"kind": "certification"}).json()["results"]
    bad = learner_client.get(url, {"state": "finished", "due_before": "tomorrow"})

    assert [m["slug"] for m in in_progress] == ["python-basics"]
    assert [m["slug"] for m in certifications] == ["cloud-cert"]
    assert bad.status_code == 400
    assert {error["field"] for error in bad.json()["errors"]} == {"state", "due_before"}


def _walk(client, url: str, params: dict, link: str) -> list[list[dict]]:
    """The pages of a list, following ``link`` (``next`` or ``previous``) from the first page asked for."""
    response = client.get(url, params)
    pages = []
    while True:
        assert response.status_code == 200, response.json()
        body = response.json()
        pages.append(body["results"])
        if not body[link]:
            return pages
        response = client.get(body[link])


@pytest.fixture
def tied_roadmap(learner, learner_client) -> Roadmap:
    """Eight milestones, some done with time logged, on positions that tie (a reorder in flight)."""
    small_path(extra_milestones=4)
    enrolled = learner_client.post("/api/v1/roadmaps/", {"path": "mlops-engineer"}, format="json").json()
    roadmap = Roadmap.objects.get(pk=enrolled["id"])
    milestones = list(roadmap.milestones.order_by("position"))
    for milestone, position in zip(milestones, [2, 0, 2, 1, 0, 2, 1, 3], strict=True):
        Milestone.objects.filter(pk=milestone.pk).update(position=position)
    _log(learner_client, milestones[0].pk, minutes=50, state="done")
    _log(learner_client, milestones[5].pk, minutes=25, state="in_progress")
    return roadmap


def test_milestone_list_pages_forward_and_back_through_tied_positions_as_the_serializer_writes_them(
    learner_client, tied_roadmap
):
    url = f"/api/v1/roadmaps/{tied_roadmap.pk}/milestones/"
    expected = MilestoneSerializer(
        milestone_queryset().filter(roadmap=tied_roadmap).order_by("position", "id"), many=True
    ).data

    forward = _walk(learner_client, url, {"page_size": 3}, "next")
    last_cursor = learner_client.get(url, {"page_size": 3}).json()["next"]
    while (following := learner_client.get(last_cursor).json()["next"]) is not None:
        last_cursor = following
    backward = _walk(learner_client, last_cursor, {}, "previous")

    assert [len(page) for page in forward] == [3, 3, 2]
    assert [item for page in forward for item in page] == expected
    assert [item for page in reversed(backward) for item in page] == expected


def test_milestone_list_filters_across_pages_and_keeps_the_filter_in_its_links(learner_client, tied_roadmap):
    url = f"/api/v1/roadmaps/{tied_roadmap.pk}/milestones/"
    expected = MilestoneSerializer(
        milestone_queryset().filter(roadmap=tied_roadmap, state="not_started", kind="skill").order_by("position", "id"),
        many=True,
    ).data

    pages = _walk(learner_client, url, {"state": "not_started", "kind": "skill", "page_size": 2}, "next")

    assert [len(page) for page in pages] == [2, 2]
    assert [item for page in pages for item in page] == expected


def _forged(position: str) -> str:
    return base64.b64encode(f"p={position}".encode()).decode()


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda given, other: "' OR 1=1--", id="sql"),
        pytest.param(lambda given, other: _forged("-1"), id="unsigned_position"),
        pytest.param(lambda given, other: _forged(str(10**21)), id="unsigned_huge_position"),
        pytest.param(lambda given, other: _forged("abc"), id="unsigned_text"),
        pytest.param(lambda given, other: given[:-1] + ("A" if given[-1] != "A" else "B"), id="edited_signature"),
        pytest.param(lambda given, other: _forged("1") + given[given.rindex(":") :], id="other_content"),
        pytest.param(lambda given, other: other, id="from_another_list"),
    ],
)
def test_a_cursor_the_list_never_gave_out_answers_400_invalid_cursor(learner_client, tied_roadmap, forge):
    url = f"/api/v1/roadmaps/{tied_roadmap.pk}/milestones/"
    given = _cursor_of(learner_client.get(url, {"page_size": 2}).json()["next"])
    entries = f"/api/v1/milestones/{tied_roadmap.milestones.first().pk}/entries/"
    _log(learner_client, tied_roadmap.milestones.first().pk, minutes=1)
    _log(learner_client, tied_roadmap.milestones.first().pk, minutes=2)
    other = _cursor_of(learner_client.get(entries, {"page_size": 1}).json()["next"])

    response = learner_client.get(url, {"cursor": forge(given, other), "page_size": 2})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_cursor"
    assert learner_client.get(url, {"cursor": given, "page_size": 2}).status_code == 200


def _cursor_of(link: str) -> str:
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(link).query)["cursor"][0]


def test_bad_paging_on_another_learners_roadmap_is_the_404_of_the_roadmap(other_client, roadmap):
    url = f"/api/v1/roadmaps/{roadmap['id']}/milestones/"
    missing = other_client.get("/api/v1/roadmaps/999999999/milestones/").json()

    bad_size = other_client.get(url, {"page_size": 0})
    bad_cursor = other_client.get(url, {"cursor": "garbage"})
    bad_filter = other_client.get(url, {"state": "finished"})

    assert [r.status_code for r in (bad_size, bad_cursor, bad_filter)] == [404, 404, 404]
    assert bad_size.json() == bad_cursor.json() == bad_filter.json() == missing


def test_a_mentor_lists_the_milestones_the_mentee_sees_until_the_mentorship_ends(learner, learner_client, tied_roadmap):
    mentor = UserFactory(is_mentor=True)
    mentorship = Mentorship.objects.create(mentor=mentor, learner=learner, state=Mentorship.State.ACTIVE)
    client = APIClient()
    client.force_authenticate(mentor)
    url = f"/api/v1/roadmaps/{tied_roadmap.pk}/milestones/"

    as_mentor = _walk(client, url, {"page_size": 5}, "next")
    filtered = client.get(url, {"state": "done"}).json()
    Mentorship.objects.filter(pk=mentorship.pk).update(state=Mentorship.State.ENDED)
    after_the_end = client.get(url)

    assert as_mentor == _walk(learner_client, url, {"page_size": 5}, "next")
    assert filtered == learner_client.get(url, {"state": "done"}).json()
    assert after_the_end.status_code == 404


@pytest.mark.parametrize(
    "window",
    [
        Window(limit=100),
        Window(offset=2, limit=3),
        Window(after=0, limit=4),
        Window(descending=True, before=2, limit=5),
        Window(descending=True, offset=1, limit=100),
    ],
)
def test_a_milestone_page_reads_the_same_rows_on_the_other_databases(learner, tied_roadmap, window):
    # PostgreSQL reads the page in plain SQL; the SQLite demo with the ORM.
    skills = Milestone.objects.filter(roadmap=tied_roadmap, kind="skill")

    for among in (None, skills):
        read = {"user": learner, "roadmap_id": tied_roadmap.pk, "window": window, "among": among}
        assert milestone_page_rows(**read) == _milestone_page_orm(**read)


def test_skip_leaves_the_completion_ratio_keeps_the_reason_and_unskip_restores(learner_client, roadmap):
    docker, cert = roadmap["milestones"][1], roadmap["milestones"][2]
    _log(learner_client, docker["id"], minutes=30, state="in_progress")

    skipped = learner_client.post(
        f"/api/v1/milestones/{docker['id']}/skip/", {"reason": "Did it at work"}, format="json"
    )
    stats = learner_client.get(f"/api/v1/roadmaps/{roadmap['id']}/stats/").json()
    no_reason = learner_client.post(f"/api/v1/milestones/{cert['id']}/skip/", {"reason": ""}, format="json")
    unskipped = learner_client.post(f"/api/v1/milestones/{docker['id']}/unskip/").json()
    unskipped_fresh = learner_client.post(f"/api/v1/milestones/{cert['id']}/unskip/")

    assert skipped.json()["state"] == "skipped"
    assert skipped.json()["skip_reason"] == "Did it at work"
    assert (stats["milestones_total"], stats["milestones_skipped"]) == (3, 1)
    assert stats["hours_estimated"] == 80.0
    assert no_reason.status_code == 400
    assert unskipped["state"] == "in_progress"  # time was logged on it before
    assert unskipped_fresh.status_code == 409
    assert unskipped_fresh.json()["code"] == "not_skipped"


def test_the_private_note_is_read_and_replaced(learner_client, roadmap):
    url = f"/api/v1/milestones/{roadmap['milestones'][0]['id']}/note/"

    empty = learner_client.get(url).json()
    saved = learner_client.put(url, {"note": "Watch the async chapter again"}, format="json").json()
    again = learner_client.get(url).json()

    assert empty == {"note": ""}
    assert saved == again == {"note": "Watch the async chapter again"}
    assert "note" not in learner_client.get(f"/api/v1/milestones/{roadmap['milestones'][0]['id']}/").json()


# States and the progress log ------------------------------------------------------------


def test_the_same_entry_sent_twice_is_stored_once_and_answers_the_same(learner_client, roadmap):
    milestone = roadmap["milestones"][0]
    body = {"id": str(uuid.uuid4()), "minutes": 45, "note": "Chapter 3", "state": "in_progress"}

    first = _log(learner_client, milestone["id"], **body)
    second = _log(learner_client, milestone["id"], **body)

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert ProgressEntry.objects.count() == 1
    assert first.json()["state_from"] == "not_started"
    assert first.json()["state_to"] == "in_progress"


def test_an_entry_id_reused_for_other_content_is_a_conflict(learner_client, roadmap):
    milestone = roadmap["milestones"][0]
    entry_id = str(uuid.uuid4())
    _log(learner_client, milestone["id"], id=entry_id, minutes=45)

    response = _log(learner_client, milestone["id"], id=entry_id, minutes=50)

    assert response.status_code == 409
    assert response.json()["code"] == "entry_id_reused"
    assert ProgressEntry.objects.get().minutes == 45


def _sessions_waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("minutes", "status"), [(45, 201), (50, 409)], ids=["same", "other-content"])
@pytest.mark.parametrize("state", [None, "in_progress"], ids=["log-only", "state-change"])
def test_an_entry_id_sent_again_while_its_first_sending_commits_is_stored_once(minutes, status, state):
    # Given: the first sending of an entry holds the milestone's row lock, not yet committed
    learner = UserFactory()
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path())
    milestone = roadmap.milestones.order_by("position").first()
    entry_id = uuid.uuid4()
    client = APIClient()
    client.force_authenticate(learner)
    written, release = threading.Event(), threading.Event()
    responses = []

    def first_sending():
        try:
            with transaction.atomic():
                progress_entry_log(
                    learner=learner, milestone_id=milestone.pk, entry_id=entry_id, minutes=45, state=state
                )
                written.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def second_sending():
        try:
            body = {"id": str(entry_id), "minutes": minutes, **({"state": state} if state else {})}
            responses.append(_log(client, milestone.pk, **body))
        finally:
            connection.close()

    first, second = threading.Thread(target=first_sending), threading.Thread(target=second_sending)
    first.start()
    assert written.wait(timeout=30)

    # When: the second sending waits for the lock, then the first commits
    second.start()
    assert wait_until(_sessions_waiting_for_a_lock, timeout=30)
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)

    # Then: one entry, its minutes counted once; the same content answers the stored entry
    [response] = responses
    entry = ProgressEntry.objects.get()
    assert response.status_code == status
    if status == 201:
        assert response.json() == client.get(f"/api/v1/milestones/{milestone.pk}/entries/").json()["results"][0]
    else:
        assert response.json()["code"] == "entry_id_reused"
    assert Milestone.objects.get(pk=milestone.pk).logged_minutes == entry.minutes == 45
    assert Change.objects.filter(entity="entry", entity_id=str(entry_id)).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"minutes": -5}, "minutes"),
        ({"minutes": 24 * 60 + 1}, "minutes"),
        ({"id": "not-a-uuid", "minutes": 5}, "id"),
        ({"minutes": 5, "evidence_url": "ftp://example.com/x"}, "evidence_url"),
        ({"minutes": 5, "state": "in_review"}, "state"),
    ],
)
def test_bad_entries_are_validation_errors_and_write_nothing(learner_client, roadmap, body, field):
    response = _log(learner_client, roadmap["milestones"][0]["id"], **body)

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert not ProgressEntry.objects.exists()


def test_an_entry_in_the_future_or_empty_is_refused(learner_client, roadmap):
    milestone_id = roadmap["milestones"][0]["id"]
    tomorrow = (timezone.now() + timedelta(days=1)).isoformat()

    future = _log(learner_client, milestone_id, minutes=5, logged_at=tomorrow)
    empty = _log(learner_client, milestone_id)

    assert (future.status_code, future.json()["code"]) == (400, "logged_in_future")
    assert (empty.status_code, empty.json()["code"]) == (400, "empty_entry")
    assert not ProgressEntry.objects.exists()


def test_only_legal_state_changes_happen(learner_client, roadmap):
    milestone_id = roadmap["milestones"][0]["id"]

    skipped_ahead = _log(learner_client, milestone_id, minutes=5, state="done")
    started = _log(learner_client, milestone_id, minutes=5, state="in_progress")
    finished = _log(learner_client, milestone_id, minutes=5, state="done")
    reopened = _log(learner_client, milestone_id, note="Forgot the exercises", state="in_progress")

    assert skipped_ahead.status_code == 409
    assert skipped_ahead.json() == {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "code": "illegal_transition",
        "detail": "A milestone that is not started cannot move to done.",
        "from": "not_started",
        "to": "done",
        "allowed": ["in_progress"],
    }
    assert started.status_code == finished.status_code == reopened.status_code == 201
    assert ProgressEntry.objects.count() == 3  # the refused one left nothing behind
    milestone = Milestone.objects.get(pk=milestone_id)
    assert milestone.state == "in_progress"
    assert milestone.completed_at is None


def test_a_certification_needs_a_credential_and_a_date_before_done(learner_client, roadmap):
    cert = _milestone(roadmap, "cloud-cert")
    _log(learner_client, cert["id"], minutes=120, state="in_progress")

    refused = _log(learner_client, cert["id"], state="done")
    learner_client.patch(f"/api/v1/milestones/{cert['id']}/", {"credential_id": "ABC-123"}, format="json")
    still_refused = _log(learner_client, cert["id"], state="done")
    learner_client.patch(f"/api/v1/milestones/{cert['id']}/", {"credential_date": "2026-11-01"}, format="json")
    done = _log(learner_client, cert["id"], state="done")

    assert refused.status_code == 409
    assert refused.json()["code"] == "evidence_required"
    assert refused.json()["missing"] == ["credential_id or evidence_url", "credential_date"]
    assert still_refused.json()["missing"] == ["credential_date"]
    assert done.status_code == 201
    milestone = learner_client.get(f"/api/v1/milestones/{cert['id']}/").json()
    assert milestone["state"] == "done"
    assert milestone["completed_at"] is not None


def test_a_project_needs_a_repository_url_which_the_entry_may_carry(learner_client, roadmap):
    project = _milestone(roadmap, "pipeline-project")
    _log(learner_client, project["id"], minutes=600, state="in_progress")

    refused = _log(learner_client, project["id"], state="done")
    done = _log(learner_client, project["id"], state="done", evidence_url="https://github.com/ada/retrain-pipeline")

    assert refused.json()["missing"] == ["evidence_url (the repository)"]
    assert done.status_code == 201
    milestone = learner_client.get(f"/api/v1/milestones/{project['id']}/").json()
    assert (milestone["state"], milestone["evidence_url"]) == ("done", "https://github.com/ada/retrain-pipeline")
    assert milestone["hours_logged"] == 10.0


def test_entries_are_listed_newest_first(learner_client, roadmap):
    milestone_id = roadmap["milestones"][0]["id"]
    now = timezone.now()
    for days_ago in (3, 1, 2):
        _log(learner_client, milestone_id, minutes=days_ago, logged_at=(now - timedelta(days=days_ago)).isoformat())

    listed = learner_client.get(f"/api/v1/milestones/{milestone_id}/entries/").json()["results"]

    assert [entry["minutes"] for entry in listed] == [1, 2, 3]


def test_an_empty_filter_is_no_filter_as_a_form_sends_any(learner_client, roadmap):
    """A form's "any" choice sends the parameter empty: it filters nothing, on every list."""
    milestones = f"/api/v1/roadmaps/{roadmap['id']}/milestones/"
    for url, empty in [
        ("/api/v1/roadmaps/", "?status="),
        (milestones, "?state=&kind=&due_before=&due_after="),
        ("/api/v1/skills/", "?category=&path="),
        ("/api/v1/notifications/", "?unread=&kind="),
    ]:
        unfiltered, filtered = learner_client.get(url), learner_client.get(url + empty)

        assert filtered.status_code == 200
        assert filtered.json()["results"] == unfiltered.json()["results"]
