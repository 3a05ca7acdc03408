import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Mentorship
from roadmaps.models import Milestone, ReviewSubmission
from roadmaps.services.learning import progress_entry_log, roadmap_enroll
from tests.factories import CareerPathFactory, UserFactory, small_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentor():
    return UserFactory(is_mentor=True, display_name="Grace")


@pytest.fixture
def mentor_client(mentor) -> APIClient:
    client = APIClient()
    client.force_authenticate(mentor)
    return client


def _mentee(mentor, path, *, name: str, pending: bool = True, overdue: bool = False):
    learner = UserFactory(display_name=name, time_zone="Europe/Berlin")
    Mentorship.objects.create(mentor=mentor, learner=learner, state="active")
    roadmap, _ = roadmap_enroll(learner=learner, path=path)
    first = roadmap.milestones.get(slug="python-basics")
    progress_entry_log(learner=learner, milestone_id=first.pk, entry_id=uuid.uuid4(), minutes=30, state="in_progress")
    if overdue:
        Milestone.objects.filter(pk=first.pk).update(target_date=timezone.now().date() - timedelta(days=2))
    if pending:
        project = roadmap.milestones.get(slug="pipeline-project")
        Milestone.objects.filter(pk=project.pk).update(state="in_review")
        ReviewSubmission.objects.create(milestone=project, learner=learner, evidence_url="https://github.com/x/y")
    return learner


def test_the_dashboard_lists_each_active_mentee_at_a_glance(mentor, mentor_client):
    path = small_path()
    behind = _mentee(mentor, path, name="Ada", overdue=True)
    steady = _mentee(mentor, path, name="Bo", pending=False)
    former = _mentee(UserFactory(is_mentor=True), path, name="Cy")
    Mentorship.objects.create(mentor=mentor, learner=former, state="ended")

    rows = mentor_client.get("/api/v1/mentor/dashboard/").json()

    assert [row["learner"]["id"] for row in rows] == [behind.pk, steady.pk]
    ada, bo = rows
    assert ada["status"] == "behind"
    assert ada["overdue_milestones"] == 1
    assert ada["pending_reviews"] == 1
    assert ada["completion_percent"] == 0.0
    assert ada["last_activity"] is not None
    assert (bo["status"], bo["pending_reviews"], bo["overdue_milestones"]) == ("on_track", 0, 0)


def test_the_dashboard_status_matches_the_learners_own_stats(mentor, mentor_client):
    learner = _mentee(mentor, small_path(), name="Ada", overdue=True)
    learner_client = APIClient()
    learner_client.force_authenticate(learner)

    row = mentor_client.get("/api/v1/mentor/dashboard/").json()[0]
    own = learner_client.get("/api/v1/stats/").json()

    assert (row["status"], row["reasons"], row["completion_percent"]) == (
        own["status"],
        own["reasons"],
        own["completion_percent"],
    )


def test_dashboard_and_queue_are_for_mentors_only(learner_client):
    assert learner_client.get("/api/v1/mentor/dashboard/").status_code == 403
    assert learner_client.get("/api/v1/reviews/queue/").status_code == 403


def test_the_queue_is_oldest_first_across_mentees(mentor, mentor_client):
    path = small_path()
    first = _mentee(mentor, path, name="Ada")
    second = _mentee(mentor, path, name="Bo")
    ReviewSubmission.objects.filter(learner=second).update(created_at=timezone.now() - timedelta(days=3))

    queue = mentor_client.get("/api/v1/reviews/queue/").json()["results"]

    assert [item["learner"]["id"] for item in queue] == [second.pk, first.pk]
    assert queue[0]["waiting_seconds"] >= 3 * 24 * 3600


@pytest.mark.parametrize("count", [1, 50])
def test_dashboard_costs_the_same_queries_for_1_and_50_mentees(mentor, mentor_client, django_assert_num_queries, count):
    path = small_path()
    for index in range(count):
        _mentee(mentor, path, name=f"Mentee {index:02}", overdue=index % 2 == 0)

    # mentees (with first enrolment, last activity, pending reviews), their plans' totals, recent entries
    with django_assert_num_queries(3):
        response = mentor_client.get("/api/v1/mentor/dashboard/")

    assert len(response.json()) == count


@pytest.mark.parametrize("count", [1, 50])
def test_queue_costs_the_same_queries_for_1_and_50_submissions(mentor, mentor_client, django_assert_num_queries, count):
    path = small_path()
    for index in range(count):
        _mentee(mentor, path, name=f"Mentee {index:02}")

    # submissions (with milestone, roadmap, path, learner), their comments
    with django_assert_num_queries(2):
        response = mentor_client.get("/api/v1/reviews/queue/", {"page_size": 100})

    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, 50])
def test_review_history_costs_the_same_queries_for_1_and_50_submissions(
    mentor, mentor_client, django_assert_num_queries, count
):
    learner = _mentee(mentor, small_path(), name="Ada", pending=False)
    project = Milestone.objects.get(roadmap__learner=learner, slug="pipeline-project")
    for _ in range(count):
        ReviewSubmission.objects.create(milestone=project, learner=learner, state="changes_requested")

    # milestone (not the mentor's own; then with the mentoring check), its skills, submissions, their comments
    with django_assert_num_queries(5):
        response = mentor_client.get(f"/api/v1/milestones/{project.pk}/reviews/", {"page_size": 100})

    assert len(response.json()["results"]) == count


def test_mentee_roadmaps_are_listed_for_their_mentor_only(mentor, mentor_client):
    learner = _mentee(mentor, small_path(), name="Ada")
    roadmap_enroll(learner=learner, path=CareerPathFactory())

    listed = mentor_client.get(f"/api/v1/mentees/{learner.pk}/roadmaps/").json()["results"]
    stranger = mentor_client.get(f"/api/v1/mentees/{UserFactory().pk}/roadmaps/")

    assert len(listed) == 2
    assert stranger.status_code == 404
