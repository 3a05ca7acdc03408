"""A learner's roadmaps are theirs alone, and reading them costs a fixed number of queries.

Another learner gets exactly the 404 of a missing id on every object of the first (roadmaps,
milestones, review submissions, mentorships), for every endpoint and method, and changes
nothing. The table of calls is checked against the URL conf, so a new endpoint (or a new
method on one) fails here until it is added to the table. Mentors, staff and the rest of the
roles are in tests/test_permission_matrix.py.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.urls import URLPattern, reverse
from django.urls.converters import IntConverter
from django.utils import timezone
from rest_framework.permissions import AllowAny
from rest_framework.test import APIClient

from accounts import urls as accounts_urls
from accounts.exports import data_export_build, data_export_download_token, data_export_request
from accounts.models import DataExport, LoginSession, Mentorship
from accounts.services import mentorship_invite, user_login
from roadmaps import urls as roadmaps_urls
from roadmaps.models import CareerPath, Milestone, PathSkill, ProgressEntry, ReviewComment, ReviewSubmission, Roadmap
from roadmaps.services.learning import milestone_note_set, milestone_skip, progress_entry_log, roadmap_enroll
from roadmaps.services.reviews import review_submit
from tests.clients import logged_in
from tests.factories import SkillFactory, UserFactory, entries_bulk_create, small_path

pytestmark = pytest.mark.django_db

MISSING_ID = 999_999_999
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


# Learner A's objects --------------------------------------------------------------------


@dataclass(frozen=True)
class Owned:
    roadmap: Roadmap
    milestone: Milestone  # in progress, with a progress entry and a note
    skipped: Milestone
    project: Milestone  # in review
    submission: ReviewSubmission  # of the project, pending
    mentorship: Mentorship  # active, A and their mentor
    invitation: Mentorship  # from another mentor, addressed to A's email
    code: str  # of an invitation a third mentor shares as a code
    session: LoginSession  # A logged in on a device
    export: DataExport  # of A's data, ready to download


@pytest.fixture
def owned(learner, settings, tmp_path) -> Owned:
    settings.MEDIA_ROOT = tmp_path
    user_login(user=learner, user_agent="Ada's phone")
    export = data_export_build(export_id=data_export_request(user=learner).pk)
    path = small_path()
    roadmap, _ = roadmap_enroll(learner=learner, path=path)
    mentorship = Mentorship.objects.create(
        mentor=UserFactory(is_mentor=True), learner=learner, state=Mentorship.State.ACTIVE
    )
    invitation = mentorship_invite(inviter=UserFactory(is_mentor=True), inviter_role="mentor", email=learner.email)
    code = mentorship_invite(inviter=UserFactory(is_mentor=True), inviter_role="mentor").code
    project = roadmap.milestones.get(slug="pipeline-project")
    Milestone.objects.filter(pk=project.pk).update(state=Milestone.State.IN_PROGRESS)
    submission = review_submit(learner=learner, milestone=project, evidence_url="https://github.com/ada/pipeline")
    milestone = roadmap.milestones.get(slug="python-basics")
    progress_entry_log(
        learner=learner,
        milestone_id=milestone.pk,
        entry_id=uuid.uuid4(),
        minutes=30,
        note="Finished the first chapter.",
        state=Milestone.State.IN_PROGRESS,
    )
    milestone_note_set(milestone=Milestone.objects.get(pk=milestone.pk), note="Ask about decorators.")
    skipped = milestone_skip(milestone=roadmap.milestones.get(slug="docker-course"), reason="I use Docker daily.")
    # The catalog moved on, so an upgrade would change the roadmap.
    CareerPath.objects.filter(pk=path.pk).update(version=2)
    return Owned(
        roadmap=roadmap,
        milestone=Milestone.objects.get(pk=milestone.pk),
        skipped=skipped,
        project=Milestone.objects.get(pk=project.pk),
        submission=submission,
        mentorship=mentorship,
        invitation=invitation,
        code=code,
        session=LoginSession.objects.get(user=learner),
        export=export,
    )


def _snapshot(owned: Owned) -> dict[str, Any]:
    """Everything of A's that a write could touch, plus the row counts a write could grow."""
    return {
        "roadmap": Roadmap.objects.filter(pk=owned.roadmap.pk).values().get(),
        "milestones": list(Milestone.objects.filter(roadmap=owned.roadmap).order_by("pk").values()),
        "entries": list(ProgressEntry.objects.filter(milestone__roadmap=owned.roadmap).order_by("pk").values()),
        "submissions": list(ReviewSubmission.objects.order_by("pk").values()),
        "comments": list(ReviewComment.objects.order_by("pk").values()),
        "mentorships": list(Mentorship.objects.order_by("pk").values()),
        "roadmap_count": Roadmap.objects.count(),
        "milestone_count": Milestone.objects.count(),
        "entry_count": ProgressEntry.objects.count(),
    }


# The table of calls ---------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One request a learner can make; ``target`` names which of A's objects fills the URL."""

    url_name: str
    method: str
    # What A gets for the same request: proves the body is valid. A 403 where A may not act
    # at all: deciding their own submission, the mentor and staff endpoints.
    owner_status: int
    # "roadmap", "milestone", "skipped", "project", "submission", "mentorship", "invitation",
    # "path", "learner" (A's user id) or None (no URL argument)
    target: str | None = None
    body: Callable[[Owned], dict[str, Any]] | None = None
    query: Callable[[Owned], str] = lambda o: ""

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.url_name}"

    def kwargs(self, owned: Owned, *, missing: bool = False) -> dict[str, Any]:
        if self.target == "roadmap":
            return {"roadmap_id": MISSING_ID if missing else owned.roadmap.pk}
        if self.target in ("milestone", "skipped", "project"):
            milestone = getattr(owned, self.target)
            return {"milestone_id": MISSING_ID if missing else milestone.pk}
        if self.target == "submission":
            return {"submission_id": MISSING_ID if missing else owned.submission.pk}
        if self.target in ("mentorship", "invitation"):
            return {"mentorship_id": MISSING_ID if missing else getattr(owned, self.target).pk}
        if self.target == "path":
            return {"slug": "no-such-path" if missing else owned.roadmap.path.slug}
        if self.target == "learner":
            return {"learner_id": MISSING_ID if missing else owned.roadmap.learner_id}
        if self.target == "session":
            return {"session_id": MISSING_ID if missing else owned.session.pk}
        if self.target == "export":
            return {"export_id": MISSING_ID if missing else owned.export.pk}
        return {}

    def send(self, client: APIClient, owned: Owned, *, missing: bool = False):
        url = reverse(f"v1:{self.url_name}", kwargs=self.kwargs(owned, missing=missing)) + self.query(owned)
        if self.method == "get":
            return client.get(url)
        body = self.body(owned) if self.body else None
        return getattr(client, self.method)(url, body, format="json")


def _reversed_order(owned: Owned) -> dict[str, Any]:
    ids = list(owned.roadmap.milestones.order_by("position").values_list("pk", flat=True))
    return {"milestones": ids[::-1]}


# Every URL that takes the id of a learner's object, with every method.
ID_CALLS = [
    Call("roadmap-detail", "get", 200, "roadmap"),
    Call("roadmap-detail", "patch", 200, "roadmap", lambda o: {"status": "paused"}),
    Call("roadmap-upgrade", "post", 200, "roadmap"),
    Call("roadmap-stats", "get", 200, "roadmap"),
    Call("roadmap-milestone-list", "get", 200, "roadmap"),
    Call(
        "roadmap-milestone-list",
        "post",
        201,
        "roadmap",
        lambda o: {"title": "Read the MLOps book", "estimated_hours": 8},
    ),
    Call("roadmap-milestone-order", "put", 204, "roadmap", _reversed_order),
    Call("milestone-detail", "get", 200, "milestone"),
    Call("milestone-detail", "patch", 200, "milestone", lambda o: {"target_date": "2099-12-31"}),
    Call("milestone-skip", "post", 200, "milestone", lambda o: {"reason": "Not needed any more."}),
    Call("milestone-unskip", "post", 200, "skipped"),
    Call("milestone-note", "get", 200, "milestone"),
    Call("milestone-note", "put", 200, "milestone", lambda o: {"note": "Overwritten."}),
    Call("milestone-entry-list", "get", 200, "milestone"),
    Call(
        "milestone-entry-list",
        "post",
        201,
        "milestone",
        lambda o: {"id": "7b3f5d52-6c1e-4f0e-9a57-2a1c7f0a9e11", "minutes": 45, "state": "done"},
    ),
    Call("milestone-submit", "post", 201, "milestone", lambda o: {"message": "Ready for a look."}),
    Call("milestone-reviews", "get", 200, "project"),
    Call("review-detail", "get", 200, "submission"),
    Call("review-approve", "post", 403, "submission", lambda o: {"comment": "Looks good."}),
    Call("review-request-changes", "post", 403, "submission", lambda o: {"comment": "Add a rollback test."}),
    Call("review-comments", "post", 201, "submission", lambda o: {"body": "Pushed the fix."}),
    Call("mentorship-detail", "get", 200, "mentorship"),
    Call("mentorship-end", "post", 200, "mentorship"),
    Call("mentorship-accept", "post", 200, "invitation"),
    Call("mentorship-decline", "post", 200, "invitation"),
    Call("auth-session-detail", "delete", 204, "session"),
    Call("data-export-detail", "get", 200, "export"),
    Call(
        "data-export-download",
        "get",
        200,
        "export",
        query=lambda o: f"?token={data_export_download_token(export=o.export)}",
    ),
]

# URLs with an id that is not one of A's objects, so "the 404 of a missing id" does not apply.
NOT_AN_OBJECT_ID = {
    "mentee-roadmap-list": "its id is a learner's user id and the endpoint is for mentors only: any learner gets "
    "403 whatever the id; which mentor sees which mentee is in tests/test_permission_matrix.py",
}

# The other endpoints that need a logged-in user.
OWN_CALLS = [
    Call("roadmap-list", "get", 200),
    Call("roadmap-list", "post", 200, body=lambda o: {"path": "mlops-engineer"}),
    Call("learner-stats", "get", 200),
    Call("sync", "get", 200),
    Call("path-skill-gap", "get", 200, "path"),
    Call("me", "get", 200),
    Call("me", "patch", 200, body=lambda o: {"display_name": "Ada"}),
    Call("mentorship-list", "get", 200),
    Call("mentorship-list", "post", 201, body=lambda o: {"role": "learner", "email": "new-mentor@example.com"}),
    Call("mentorship-redeem", "post", 200, body=lambda o: {"code": o.code}),
    Call("auth-email-verify-resend", "post", 202),
    Call(
        "me-email",
        "post",
        202,
        body=lambda o: {"email": "somewhere-new@example.com", "password": "correct horse battery staple"},
    ),
    Call(
        "auth-password-change",
        "post",
        200,
        body=lambda o: {"current_password": "correct horse battery staple", "new_password": "a new long passphrase"},
    ),
    Call("auth-logout-everywhere", "post", 204),
    Call("auth-session-list", "get", 200),
    Call("me-delete", "post", 204, body=lambda o: {"password": "correct horse battery staple"}),
    Call("data-export-list", "post", 202),
    Call("review-queue", "get", 403),
    Call("mentor-dashboard", "get", 403),
    Call("mentee-roadmap-list", "get", 403, "learner"),
    Call(
        "staff-mentorship-create",
        "post",
        403,
        body=lambda o: {"mentor": o.invitation.mentor_id, "learner": o.roadmap.learner_id},
    ),
]


def _methods(pattern: URLPattern) -> set[str]:
    view = pattern.callback.view_class
    return {method for method in HTTP_METHODS if hasattr(view, method)}


def _needs_login(pattern: URLPattern) -> bool:
    # Any permission but AllowAny (IsAuthenticated, IsMentor, IsAdminUser) turns anonymous users
    # away; the token views have none at all.
    permissions = pattern.callback.view_class.permission_classes
    return bool(permissions) and AllowAny not in permissions


def _covered(calls: list[Call]) -> set[tuple[str, str]]:
    return {(call.url_name, call.method) for call in calls}


# Another learner ------------------------------------------------------------------------


def test_every_url_with_an_object_id_is_in_the_table_with_every_method():
    # Given
    with_ids = [
        pattern
        for pattern in [*roadmaps_urls.urlpatterns, *accounts_urls.urlpatterns]
        if any(isinstance(converter, IntConverter) for converter in pattern.pattern.converters.values())
    ]

    # When
    offered = {(pattern.name, method) for pattern in with_ids for method in _methods(pattern)}

    # Then
    assert with_ids
    assert set(NOT_AN_OBJECT_ID) <= {pattern.name for pattern in with_ids}  # no stale exclusion
    assert {(name, method) for name, method in offered if name not in NOT_AN_OBJECT_ID} == _covered(ID_CALLS)


def test_every_url_that_needs_a_login_is_in_the_table_with_every_method():
    # Given
    patterns = [p for p in [*roadmaps_urls.urlpatterns, *accounts_urls.urlpatterns] if _needs_login(p)]

    # When
    offered = {(pattern.name, method) for pattern in patterns for method in _methods(pattern)}

    # Then
    assert offered == _covered(ID_CALLS + OWN_CALLS)


@pytest.mark.parametrize("call", ID_CALLS + OWN_CALLS, ids=str)
def test_the_owner_gets_the_status_of_the_table_for_each_call(owned, learner_client, call):
    response = call.send(learner_client, owned)

    assert response.status_code == call.owner_status, response.content


@pytest.mark.parametrize("call", ID_CALLS, ids=str)
def test_another_learner_gets_the_404_of_a_missing_id_and_changes_nothing(owned, other_client, call):
    # Given
    before = _snapshot(owned)

    # When
    foreign = call.send(other_client, owned)
    missing = call.send(other_client, owned, missing=True)

    # Then
    assert foreign.status_code == 404
    assert foreign["Content-Type"] == "application/problem+json"
    assert foreign.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "code": "not_found",
        "detail": "Not found.",
    }
    assert (missing.status_code, missing["Content-Type"], missing.content) == (
        foreign.status_code,
        foreign["Content-Type"],
        foreign.content,
    )
    assert _snapshot(owned) == before


@pytest.mark.parametrize("call", ID_CALLS + OWN_CALLS, ids=str)
def test_an_anonymous_request_is_a_problem_json_401(owned, api_client, call):
    # Given
    before = _snapshot(owned)

    # When
    response = call.send(api_client, owned)

    # Then
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == {
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "code": "not_authenticated",
        "detail": "Authentication credentials were not provided.",
    }
    assert _snapshot(owned) == before


def test_learner_stats_count_only_the_learners_own_roadmaps(owned, learner_client):
    # Given
    other_client = logged_in(UserFactory(email="b@example.com"))

    # When
    mine = learner_client.get(reverse("v1:learner-stats")).json()
    theirs = other_client.get(reverse("v1:learner-stats")).json()

    # Then
    assert {
        key: mine[key] for key in ("milestones_total", "milestones_skipped", "hours_logged", "hours_estimated")
    } == {
        "milestones_total": 3,
        "milestones_skipped": 1,
        "hours_logged": 0.5,
        "hours_estimated": 80.0,
    }
    assert mine["current_streak_days"] == 1
    assert {
        key: theirs[key]
        for key in (
            "milestones_total",
            "milestones_done",
            "milestones_skipped",
            "hours_logged",
            "hours_estimated",
            "current_streak_days",
            "longest_streak_days",
            "skills_built",
        )
    } == {
        "milestones_total": 0,
        "milestones_done": 0,
        "milestones_skipped": 0,
        "hours_logged": 0.0,
        "hours_estimated": 0.0,
        "current_streak_days": 0,
        "longest_streak_days": 0,
        "skills_built": 0,
    }
    assert {week["hours"] for week in theirs["weekly_hours"]} == {0.0}


def test_the_roadmap_list_and_enrolment_are_per_learner(owned):
    # Given
    other_client = logged_in(UserFactory())

    # When
    before = other_client.get(reverse("v1:roadmap-list")).json()
    enrolled = other_client.post(reverse("v1:roadmap-list"), {"path": "mlops-engineer"}, format="json")
    after = other_client.get(reverse("v1:roadmap-list")).json()

    # Then
    assert before["results"] == []
    assert enrolled.status_code == 201
    assert enrolled.json()["id"] != owned.roadmap.pk
    assert [roadmap["id"] for roadmap in after["results"]] == [enrolled.json()["id"]]
    assert {m["state"] for m in enrolled.json()["milestones"]} == {"not_started"}
    assert enrolled.json()["stats"]["hours_logged"] == 0.0


def test_the_skill_gap_counts_only_the_learners_own_done_milestones(owned, learner_client):
    # Given
    _mark_done([owned.milestone])
    other_client = logged_in(UserFactory())
    url = reverse("v1:path-skill-gap", kwargs={"slug": "mlops-engineer"})

    # When
    mine = learner_client.get(url).json()
    theirs = other_client.get(url).json()

    # Then
    assert [have["skill"]["slug"] for have in mine["have"]] == ["python"]
    assert theirs["have"] == []
    assert [missing["skill"]["slug"] for missing in theirs["missing"]] == ["python", "docker"]
    assert theirs["coverage_percent"] == 0.0


def test_another_learners_milestone_ids_cannot_reorder_a_roadmap(owned):
    # Given
    other = UserFactory()
    theirs, _ = roadmap_enroll(learner=other, path=owned.roadmap.path)
    before = _snapshot(owned)

    # When
    response = logged_in(other).put(
        reverse("v1:roadmap-milestone-order", kwargs={"roadmap_id": theirs.pk}),
        _reversed_order(owned),
        format="json",
    )

    # Then
    assert response.status_code == 400
    assert response.json()["code"] == "order_mismatch"
    assert _snapshot(owned) == before


def test_reusing_another_learners_entry_id_is_a_conflict_that_reveals_nothing(owned):
    # Given
    other = UserFactory()
    theirs, _ = roadmap_enroll(learner=other, path=owned.roadmap.path)
    entry = ProgressEntry.objects.get(milestone=owned.milestone)
    before = _snapshot(owned)

    # When
    response = logged_in(other).post(
        reverse("v1:milestone-entry-list", kwargs={"milestone_id": theirs.milestones.get(slug="python-basics").pk}),
        {"id": str(entry.pk), "minutes": 30, "note": "Finished the first chapter."},
        format="json",
    )

    # Then
    assert response.status_code == 409
    assert response.json() == {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "code": "entry_id_reused",
        "detail": "This entry id was already used for a different entry.",
    }
    assert _snapshot(owned) == before


@pytest.mark.parametrize(
    ("body", "content_type", "owner_status"),
    [
        ('{"id": "not-a-uuid", "minutes": -5}', "application/json", 400),
        ('{"id": ', "application/json", 400),
        ("minutes=5", "application/x-www-form-urlencoded", 415),
    ],
    ids=["invalid", "malformed", "not-json"],
)
def test_a_refused_progress_body_on_another_learners_milestone_is_still_the_404_of_a_missing_id(
    owned, learner_client, other_client, body, content_type, owner_status
):
    # Given: the body is refused as such (the owner gets its 400 or 415)
    url = reverse("v1:milestone-entry-list", kwargs={"milestone_id": owned.milestone.pk})
    missing_url = reverse("v1:milestone-entry-list", kwargs={"milestone_id": MISSING_ID})
    mentor_client = logged_in(owned.mentorship.mentor)
    before = _snapshot(owned)

    # When
    foreign = other_client.generic("POST", url, body, content_type=content_type)
    missing = other_client.generic("POST", missing_url, body, content_type=content_type)
    mentor = mentor_client.generic("POST", url, body, content_type=content_type)
    owner = learner_client.generic("POST", url, body, content_type=content_type)

    # Then: access is decided first, as for a valid body
    assert foreign.status_code == 404
    assert foreign.json() == missing.json()
    assert mentor.status_code == 403
    assert owner.status_code == owner_status
    assert _snapshot(owned) == before


def test_me_answers_the_logged_in_user(learner, learner_client):
    # Given
    other = UserFactory(email="b@example.com", display_name="Bea", time_zone="Asia/Tokyo")
    other_client = logged_in(other)

    # When
    mine = learner_client.get(reverse("v1:me")).json()
    theirs = other_client.get(reverse("v1:me")).json()

    # Then
    assert {key: mine[key] for key in ("id", "email", "display_name", "time_zone")} == {
        "id": learner.pk,
        "email": learner.email,
        "display_name": learner.display_name,
        "time_zone": "Europe/Berlin",
    }
    assert {key: theirs[key] for key in ("id", "email", "display_name", "time_zone")} == {
        "id": other.pk,
        "email": "b@example.com",
        "display_name": "Bea",
        "time_zone": "Asia/Tokyo",
    }


# Query counts ---------------------------------------------------------------------------


def _roadmap_with_milestones(learner, count: int) -> Roadmap:
    """A roadmap of exactly ``count`` milestones (small_path has four, so trim or extend it)."""
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path(extra_milestones=max(0, count - 4)))
    keep = list(roadmap.milestones.order_by("position").values_list("pk", flat=True)[:count])
    roadmap.milestones.exclude(pk__in=keep).delete()
    return roadmap


def _log_entries(learner, milestones: list[Milestone], count: int) -> None:
    """``count`` entries of 30 minutes, spread over ``milestones`` and over the last days."""
    now = timezone.now()
    entries_bulk_create(
        ProgressEntry(
            id=uuid.uuid4(),
            learner=learner,
            milestone=milestones[index % len(milestones)],
            minutes=30,
            logged_at=now - timedelta(hours=index),
        )
        for index in range(count)
    )


def _mark_done(milestones) -> None:
    Milestone.objects.filter(pk__in=[m.pk for m in milestones]).update(
        state=Milestone.State.DONE, completed_at=timezone.now()
    )


@pytest.mark.parametrize("count", [1, 50])
def test_roadmap_list_costs_the_same_queries_for_1_and_50_roadmaps(
    learner, learner_client, django_assert_num_queries, count
):
    for index in range(count):
        roadmap_enroll(learner=learner, path=small_path(slug=f"path-{index}"))

    # roadmaps with their path and milestone counts
    with django_assert_num_queries(1):
        response = learner_client.get(reverse("v1:roadmap-list"), {"page_size": 100})

    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, 50])
def test_roadmap_detail_costs_the_same_queries_for_1_and_50_milestones(
    learner, learner_client, django_assert_num_queries, count
):
    roadmap = _roadmap_with_milestones(learner, count)
    milestones = list(roadmap.milestones.all())
    _log_entries(learner, milestones, count)
    _mark_done(milestones[:1])

    # the roadmap with its path, the access check and its log by local day; the milestones with their
    # skills (the stats and the ETag take the rest from those rows)
    with django_assert_num_queries(2):
        response = learner_client.get(reverse("v1:roadmap-detail", kwargs={"roadmap_id": roadmap.pk}))

    assert len(response.json()["milestones"]) == count


@pytest.mark.parametrize("count", [1, 50])
def test_roadmap_milestone_list_costs_the_same_queries_for_1_and_50_milestones(
    learner, learner_client, django_assert_num_queries, count
):
    roadmap = _roadmap_with_milestones(learner, count)
    _log_entries(learner, list(roadmap.milestones.all()), count)

    # one statement: the roadmap (the access check), its milestones and their skills
    with django_assert_num_queries(1):
        response = learner_client.get(
            reverse("v1:roadmap-milestone-list", kwargs={"roadmap_id": roadmap.pk}), {"page_size": 100}
        )

    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, 50])
def test_milestone_detail_costs_the_same_queries_for_1_and_50_entries(
    learner, learner_client, django_assert_num_queries, count
):
    milestone = _roadmap_with_milestones(learner, 1).milestones.get()
    _log_entries(learner, [milestone], count)

    # milestone with its roadmap and logged minutes, its skills
    with django_assert_num_queries(2):
        response = learner_client.get(reverse("v1:milestone-detail", kwargs={"milestone_id": milestone.pk}))

    assert response.json()["hours_logged"] == count / 2


@pytest.mark.parametrize("count", [1, 50])
def test_milestone_entry_list_costs_the_same_queries_for_1_and_50_entries(
    learner, learner_client, django_assert_num_queries, count
):
    milestone = _roadmap_with_milestones(learner, 1).milestones.get()
    _log_entries(learner, [milestone], count)

    # milestone, its skills, entries
    with django_assert_num_queries(3):
        response = learner_client.get(
            reverse("v1:milestone-entry-list", kwargs={"milestone_id": milestone.pk}), {"page_size": 100}
        )

    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, 50])
def test_roadmap_stats_cost_the_same_queries_for_1_and_50_milestones_and_entries(
    learner, learner_client, django_assert_num_queries, count
):
    roadmap = _roadmap_with_milestones(learner, count)
    milestones = list(roadmap.milestones.all())
    _log_entries(learner, milestones, count)
    _mark_done(milestones[:1])

    # roadmap; milestone rows, minutes by day, skills built
    with django_assert_num_queries(4):
        response = learner_client.get(reverse("v1:roadmap-stats", kwargs={"roadmap_id": roadmap.pk}))

    assert response.json()["milestones_total"] == count
    assert response.json()["hours_logged"] == count / 2


@pytest.mark.parametrize("count", [1, 50])
def test_learner_stats_cost_the_same_queries_for_1_and_50_roadmaps(
    learner, learner_client, django_assert_num_queries, count
):
    for index in range(count):
        roadmap, _ = roadmap_enroll(learner=learner, path=small_path(slug=f"path-{index}"))
        _log_entries(learner, list(roadmap.milestones.all()), 1)

    # first roadmap's start; milestone rows, minutes by day, skills built
    with django_assert_num_queries(4):
        response = learner_client.get(reverse("v1:learner-stats"))

    assert response.json()["milestones_total"] == 4 * count
    assert response.json()["hours_logged"] == count / 2


@pytest.mark.parametrize("count", [1, 50])
def test_skill_gap_costs_the_same_queries_for_1_and_50_done_milestones(
    learner, learner_client, django_assert_num_queries, count
):
    path = small_path(extra_milestones=46)
    # A required skill that no milestone builds: some skill is always missing, so the
    # query for the milestones that would build it always runs.
    PathSkill.objects.create(path=path, skill=SkillFactory(slug="kubernetes"), group="Later")
    roadmap, _ = roadmap_enroll(learner=learner, path=path)
    _mark_done(roadmap.milestones.order_by("position")[:count])

    # path, required skills, done milestones with roadmap and path, their skills, builders of missing skills
    with django_assert_num_queries(5):
        response = learner_client.get(reverse("v1:path-skill-gap", kwargs={"slug": path.slug}))

    earned_from = {m["milestone"] for have in response.json()["have"] for m in have["earned_from"]}
    assert len(earned_from) == count
    assert [missing["skill"]["slug"] for missing in response.json()["missing"]][-1] == "kubernetes"


@pytest.mark.parametrize("count", [1, 50])
def test_me_costs_no_query_for_1_and_50_entries(learner, learner_client, django_assert_num_queries, count):
    milestone = _roadmap_with_milestones(learner, 1).milestones.get()
    _log_entries(learner, [milestone], count)

    # the user is already loaded by authentication
    with django_assert_num_queries(0):
        response = learner_client.get(reverse("v1:me"))

    assert response.json()["id"] == learner.pk


@pytest.mark.parametrize("count", [1, 50])
def test_logging_an_entry_costs_the_same_queries_with_1_or_50_entries_already(
    learner, learner_client, django_assert_num_queries, count
):
    milestone = _roadmap_with_milestones(learner, 1).milestones.get()
    _log_entries(learner, [milestone], count)

    # the entry, the milestone's minute counter and the sync changes, with the access check: one statement
    with django_assert_num_queries(1):
        response = learner_client.post(
            reverse("v1:milestone-entry-list", kwargs={"milestone_id": milestone.pk}),
            {"id": str(uuid.uuid4()), "minutes": 20, "note": "Chapter 3."},
            format="json",
        )

    assert response.status_code == 201
    assert ProgressEntry.objects.filter(milestone=milestone).count() == count + 1
    assert Milestone.objects.get(pk=milestone.pk).logged_minutes == 30 * count + 20


@pytest.mark.parametrize("count", [1, 50])
def test_an_entry_that_changes_the_state_costs_the_same_queries_with_1_or_50_entries_already(
    learner, learner_client, django_assert_num_queries, count
):
    milestone = _roadmap_with_milestones(learner, 1).milestones.get()
    _log_entries(learner, [milestone], count)

    # savepoint; the milestone locked with the access check and the entry id looked up; the entry,
    # the milestone's state and minute counter and the sync changes in one statement; release
    with django_assert_num_queries(4):
        response = learner_client.post(
            reverse("v1:milestone-entry-list", kwargs={"milestone_id": milestone.pk}),
            {"id": str(uuid.uuid4()), "minutes": 20, "state": "in_progress"},
            format="json",
        )

    assert response.status_code == 201
    assert response.json()["state_to"] == "in_progress"
    assert ProgressEntry.objects.filter(milestone=milestone).count() == count + 1
