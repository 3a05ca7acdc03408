import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Mentorship, User
from roadmaps.models import Milestone, ProgressEntry, ReviewSubmission, Roadmap
from roadmaps.selectors.reviews import mentor_dashboard, mentor_dashboard_from_stats
from roadmaps.services.learning import milestone_skip, progress_entry_log, roadmap_enroll, roadmap_set_status
from tests.clients import logged_in
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


def test_every_mentees_row_says_what_their_own_stats_say_in_any_time_zone(mentor, mentor_client):
    # Given mentees far apart in time zones, just after midnight UTC (it is already tomorrow in
    # Kiritimati and still yesterday in Pago Pago), with work logged around their local midnights,
    # weekly goals, an archived roadmap whose hours do not count, a skipped milestone, target dates
    # passed and ahead, and one mentee with no plan at all.
    now = datetime(2026, 6, 10, 0, 30, tzinfo=UTC)
    path, other_path = small_path(), small_path(slug="data-engineer")
    with time_machine.travel(now - timedelta(days=40), tick=False):
        mentees = {
            zone: UserFactory(display_name=zone, time_zone=zone, weekly_hours_goal=goal)
            for zone, goal in [("Pacific/Kiritimati", 5), ("Pacific/Pago_Pago", 1), ("Asia/Kolkata", 40)]
        }
        for learner in mentees.values():
            Mentorship.objects.create(mentor=mentor, learner=learner, state="active")
            roadmap_enroll(learner=learner, path=path)
        kiritimati, pago_pago, kolkata = mentees.values()
        archived, _ = roadmap_enroll(learner=pago_pago, path=other_path)
    with time_machine.travel(now - timedelta(days=3), tick=False):
        # Kolkata enrolled three days ago: too young a plan to be judged on pace.
        Roadmap.objects.filter(learner=kolkata).update(created_at=timezone.now())
    plan_free = UserFactory(display_name="No plan yet", time_zone="America/Havana", weekly_hours_goal=3)
    Mentorship.objects.create(mentor=mentor, learner=plan_free, state="active")
    with time_machine.travel(now, tick=False):
        for learner in mentees.values():
            first, course = (
                Milestone.objects.get(roadmap__learner=learner, roadmap__path=path, slug=slug)
                for slug in ("python-basics", "docker-course")
            )
            for hours_ago, minutes in [(1, 50), (23, 40), (24 * 8, 70), (24 * 28, 90), (24 * 29, 120)]:
                progress_entry_log(
                    learner=learner,
                    milestone_id=first.pk,
                    entry_id=uuid.uuid4(),
                    minutes=minutes,
                    logged_at=now - timedelta(hours=hours_ago),
                    state="in_progress",
                )
            milestone_skip(milestone=course, reason="I know Docker")
        # 9 June: yesterday in Kiritimati (overdue there), today in Pago Pago (not yet).
        Milestone.objects.filter(roadmap__learner__in=[kiritimati, pago_pago], slug="cloud-cert").update(
            target_date=date(2026, 6, 9)
        )
        Milestone.objects.filter(roadmap__learner=kolkata, slug="pipeline-project").update(
            target_date=date(2026, 6, 20)
        )
        kolkata_first = Milestone.objects.get(roadmap__learner=kolkata, slug="python-basics")
        progress_entry_log(learner=kolkata, milestone_id=kolkata_first.pk, entry_id=uuid.uuid4(), state="done")
        archived_first = archived.milestones.get(slug="python-basics")
        progress_entry_log(learner=pago_pago, milestone_id=archived_first.pk, entry_id=uuid.uuid4(), minutes=600)
        roadmap_set_status(roadmap=archived, status="archived")

        # When the mentor opens the dashboard, and each mentee their own stats
        rows = mentor_client.get("/api/v1/mentor/dashboard/").json()
        own = {
            row["learner"]["id"]: logged_in(User.objects.get(pk=row["learner"]["id"])).get("/api/v1/stats/").json()
            for row in rows
        }

        # Then each row says what the mentee's own stats say
        assert [row["learner"]["display_name"] for row in rows] == sorted([*mentees, "No plan yet"], key=str)
        for row in rows:
            stats = own[row["learner"]["id"]]
            assert (row["status"], row["reasons"], row["completion_percent"], row["overdue_milestones"]) == (
                stats["status"],
                stats["reasons"],
                stats["completion_percent"],
                stats["overdue_milestones"],
            )
        # And the statuses differ as the data does, so the comparison above compares something
        assert {row["status"] for row in rows} == {"behind", "at_risk", "on_track"}
        # And the portable reading (the SQLite demo's) agrees with the statement
        assert mentor_dashboard_from_stats(mentor=mentor) == mentor_dashboard(mentor=mentor)


def test_the_pace_window_counts_the_first_of_two_local_midnights(mentor, mentor_client):
    # Given two mentees in Havana, where clocks went back from 01:00 to 00:00 on 1 November 2026,
    # so that the day began at 04:00 UTC and its first half hour came twice; on 28 November the
    # pace window of their four-week-old plans is 1 to 28 November, and their goal is 1 h a week
    # (240 minutes in the window).
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    path = small_path()
    with time_machine.travel(now - timedelta(days=40), tick=False):
        first_hour, day_before = (
            UserFactory(display_name=name, time_zone="America/Havana", weekly_hours_goal=1)
            for name in ("First hour", "Day before")
        )
        for learner in (first_hour, day_before):
            Mentorship.objects.create(mentor=mentor, learner=learner, state="active")
            roadmap_enroll(learner=learner, path=path)
    with time_machine.travel(now, tick=False):
        for learner, edge_minutes, edge_at in [
            # 40 minutes at 00:30 local on 1 November, the first time round: inside the window
            (first_hour, 40, datetime(2026, 11, 1, 4, 30, tzinfo=UTC)),
            # 60 minutes at 23:30 local on 31 October: outside it
            (day_before, 60, datetime(2026, 11, 1, 3, 30, tzinfo=UTC)),
        ]:
            milestone = Milestone.objects.get(roadmap__learner=learner, slug="python-basics")
            for minutes, logged_at in [(200, now - timedelta(days=10)), (edge_minutes, edge_at)]:
                progress_entry_log(
                    learner=learner,
                    milestone_id=milestone.pk,
                    entry_id=uuid.uuid4(),
                    minutes=minutes,
                    logged_at=logged_at,
                    state="in_progress",
                )

        # When the mentor opens the dashboard
        rows = {row["learner"]["display_name"]: row for row in mentor_client.get("/api/v1/mentor/dashboard/").json()}

        # Then the first hour's 240 minutes meet the goal, and the day before's 200 do not
        assert rows["First hour"]["status"] == "on_track"
        assert rows["Day before"]["status"] == "at_risk"
        assert rows["Day before"]["reasons"] == ["pace below the goal of 1 h a week"]
        # As each mentee's own stats say
        for learner in (first_hour, day_before):
            stats = logged_in(learner).get("/api/v1/stats/").json()
            assert rows[learner.display_name]["status"] == stats["status"]


def test_the_dashboard_shows_last_activity_and_pending_reviews(mentor, mentor_client):
    learner = _mentee(mentor, small_path(), name="Ada")
    last = ProgressEntry.objects.filter(learner=learner).latest("logged_at").logged_at

    row = mentor_client.get("/api/v1/mentor/dashboard/").json()[0]

    assert row["learner"] == {"id": learner.pk, "email": learner.email, "display_name": "Ada"}
    assert row["last_activity"] == last.isoformat().replace("+00:00", "Z")
    assert row["pending_reviews"] == 1


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

    # one statement: the mentees with their plans' totals, pace windows, last activity and pending reviews
    with django_assert_num_queries(1):
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


def test_a_mentor_reads_a_mentees_roadmap_as_the_mentee_does_days_in_the_mentees_time_zone(mentor, mentor_client):
    # Given a mentee far east of UTC, with time logged late in the UTC evening: the next day where they are
    learner = UserFactory(time_zone="Pacific/Auckland")
    Mentorship.objects.create(mentor=mentor, learner=learner, state="active")
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path())
    first = roadmap.milestones.get(slug="python-basics")
    evening = timezone.now().replace(hour=22, minute=30) - timedelta(days=2)
    progress_entry_log(learner=learner, milestone_id=first.pk, entry_id=uuid.uuid4(), minutes=45, logged_at=evening)
    learner_client = APIClient()
    learner_client.force_authenticate(learner)
    url = f"/api/v1/roadmaps/{roadmap.pk}/"

    # When both read it
    own = learner_client.get(url)
    seen = mentor_client.get(url)

    # Then the mentor sees the same representation and ETag, and may revalidate with it
    assert seen.status_code == own.status_code == 200
    assert (seen.json(), seen["ETag"]) == (own.json(), own["ETag"])
    assert seen.json()["stats"]["hours_logged"] == 0.75
    assert mentor_client.get(url, HTTP_IF_NONE_MATCH=seen["ETag"]).status_code == 304
