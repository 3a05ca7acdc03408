"""Every page's query count, pinned: the same for 1 and for 50 rows of what it lists.

The session and its user cost two queries on every logged-in page, the inbox badge one more.
"""

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.services import mentorship_create_active, user_login
from notifications.models import Device, Notification, Reminder
from roadmaps.models import Milestone, ProgressEntry, ReviewComment, ReviewSubmission
from roadmaps.services.learning import roadmap_enroll
from tests.factories import UserFactory, entries_bulk_create, small_path
from tests.web.pages import browser_for

pytestmark = pytest.mark.django_db


_paths = itertools.count()


def _slug() -> str:
    """Each build its own path: a test builds twice."""
    return f"path-{next(_paths)}"


def _learner_with(n: int):
    """A learner whose roadmap has 3 + n milestones, n entries on one, n reviews with a comment each."""
    learner = UserFactory(time_zone="Europe/Berlin")
    mentor = UserFactory(is_mentor=True)
    mentorship_create_active(mentor=mentor, learner=learner, by=mentor)
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path(slug=_slug(), extra_milestones=n))
    project = roadmap.milestones.get(slug="pipeline-project")
    Milestone.objects.filter(pk=project.pk).update(state=Milestone.State.IN_REVIEW, evidence_url="https://x.org/y")
    now = timezone.now()
    entries_bulk_create(
        ProgressEntry(
            id=uuid.uuid4(), milestone=project, learner=learner, minutes=10, logged_at=now - timedelta(days=day)
        )
        for day in range(n)
    )
    for index in range(n):
        submission = ReviewSubmission.objects.create(
            milestone=project,
            learner=learner,
            state=ReviewSubmission.State.PENDING if index == n - 1 else ReviewSubmission.State.CHANGES_REQUESTED,
            decided_by=None if index == n - 1 else mentor,
        )
        ReviewComment.objects.create(submission=submission, author=mentor, body="More tests.")
    return learner, mentor, roadmap, project


def _mentor_with(n: int):
    mentor = UserFactory(is_mentor=True)
    path = small_path(slug=_slug())
    for _ in range(n):
        learner = UserFactory()
        mentorship_create_active(mentor=mentor, learner=learner, by=mentor)
        roadmap, _ = roadmap_enroll(learner=learner, path=path)
        project = roadmap.milestones.get(slug="pipeline-project")
        ReviewSubmission.objects.create(milestone=project, learner=learner)
    return mentor


def _notifications(user, n: int) -> None:
    at = datetime(2026, 11, 1, tzinfo=UTC)
    for index in range(n):
        reminder = Reminder.objects.create(
            user=user, kind="target_soon", subject_id=index, period="once", due_at=at, state="sent"
        )
        Notification.objects.create(
            user=user,
            reminder=reminder,
            kind="target_soon",
            title=f"N{index}",
            data={"milestone": index},
            created_at=at,
        )


def _settings_user(n: int):
    user = UserFactory()
    for index in range(n):
        Device.objects.create(user=user, token=f"token-{uuid.uuid4().hex}", platform="android", name=f"Phone {index}")
        user_login(user=user, user_agent=f"App {index}")
    return user


def _as_learner(url):
    def build(n: int):
        learner, _, roadmap, project = _learner_with(n)
        return learner, url(roadmap, project)

    return build


def _as_mentor(url):
    def build(n: int):
        _, mentor, roadmap, project = _learner_with(n)
        return mentor, url(roadmap, project)

    return build


def _inbox(n: int):
    user = UserFactory()
    _notifications(user, n)
    return user, "/inbox/"


def _cohort(n: int):
    _mentor_with(n)
    return UserFactory(is_staff=True), "/staff/cohort/"


def _mentee(n: int):
    mentor, learner = UserFactory(is_mentor=True), UserFactory()
    mentorship_create_active(mentor=mentor, learner=learner, by=mentor)
    for _ in range(n):
        roadmap_enroll(learner=learner, path=small_path(slug=_slug()))
    return mentor, f"/mentor/mentees/{learner.pk}/"


def _staff_reviews(n: int):
    _mentor_with(n)
    return UserFactory(is_staff=True), "/staff/reviews/"


def _home(n: int):
    for _ in range(n):
        small_path(slug=_slug())
    return None, "/"


# page: (build(n) -> (user, url), queries)
PAGES = {
    "roadmap": (_as_learner(lambda r, p: f"/roadmaps/{r.pk}/"), 5),
    "roadmap, by its mentor": (_as_mentor(lambda r, p: f"/roadmaps/{r.pk}/"), 6),
    "milestone": (_as_learner(lambda r, p: f"/milestones/{p.pk}/"), 10),
    "review": (_as_mentor(lambda r, p: f"/reviews/{p.submissions.order_by('-id').first().pk}/"), 7),
    "skill gap": (_as_learner(lambda r, p: f"/roadmaps/{r.pk}/skills"), 7),
    "my roadmaps": (_as_learner(lambda r, p: "/roadmaps/"), 5),
    "mentor dashboard": (lambda n: (_mentor_with(n), "/mentor/"), 4),
    "review queue": (lambda n: (_mentor_with(n), "/mentor/reviews/"), 5),
    "mentorships": (lambda n: (_mentor_with(n), "/mentorships/"), 4),
    "inbox": (_inbox, 5),
    "settings": (lambda n: (_settings_user(n), "/settings/"), 11),
    "staff cohort": (_cohort, 6),
    "plan": (_as_learner(lambda r, p: f"/roadmaps/{r.pk}/plan"), 5),
    "mentee": (_mentee, 6),
    "staff reviews": (_staff_reviews, 5),
    "home": (_home, 1),
    "quiz": (lambda n: (None, "/quiz/"), 0),
    "path": (lambda n: (UserFactory(), f"/paths/{small_path(slug=_slug(), extra_milestones=n).slug}/"), 11),
}


def _count(build, n: int) -> int:
    user, url = build(n)
    browser = browser_for(user)
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("page", PAGES)
def test_each_page_costs_the_same_queries_for_1_and_50_rows(page):
    build, pinned = PAGES[page]

    counts = (_count(build, 1), _count(build, 50))

    assert counts == (pinned, pinned)
