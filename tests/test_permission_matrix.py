"""Who may do what, on every endpoint of the API.

One learner owns a roadmap, milestones, a progress entry, a private note, a pending review
submission and mentorships. Each row of the matrix is one (route, method) of /api/v1/ and
the status every actor gets for a valid request on those objects:

- the learner reads and changes their own things, and may not decide their own submission;
- an active mentor reads the learner's roadmap, milestones, entries, stats and reviews and
  decides and comments on submissions, but changes nothing of the roadmap (403), and the
  private note stays private (403);
- another learner, an invited or former or unrelated mentor, and staff (who are not mentors
  and use the admin) get the 404 of a missing object on the learner's data;
- mentor-only endpoints answer 403 to non-mentors, the staff endpoint 403 to non-staff;
- anonymous requests get 401, except on the public catalog, quiz, auth and schema pages, and
  on the calendar feed, whose secret token in the URL is the key;
- devices and the calendar's address are each user's own: another user's device is a 404.

The matrix is checked against the URL conf: a new endpoint, or a new method on one, fails
here until it has a row.
"""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.exports import data_export_build, data_export_download_token, data_export_request
from accounts.models import DataExport, LoginSession, Mentorship, User
from accounts.services import (
    email_change_token,
    email_verification_token,
    mentorship_invite,
    password_reset_token,
    user_login,
)
from notifications.models import Device, Notification, Preference, Reminder
from notifications.services.devices import device_register
from notifications.services.reminders import preference_get_or_create, unsubscribe_token
from roadmaps.models import CareerPath, Milestone, ProgressEntry, ReviewComment, ReviewSubmission, Roadmap
from roadmaps.quiz import QUESTIONS
from roadmaps.services.learning import milestone_note_set, milestone_skip, progress_entry_log, roadmap_enroll
from roadmaps.services.reviews import review_submit
from tests.factories import UserFactory, small_path

pytestmark = pytest.mark.django_db

API_PREFIX = "api/v1/"
MISSING_ID = 999_999_999
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
PASSWORD = "correct horse battery staple"  # the factory's

ACTORS = (
    "learner",
    "other_learner",
    "active_mentor",
    "invited_mentor",
    "former_mentor",
    "unrelated_mentor",
    "staff",
    "anonymous",
)
MENTORS = ("active_mentor", "invited_mentor", "former_mentor", "unrelated_mentor")


# The learner's world --------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    users: dict[str, User | None]  # by actor; anonymous is None
    roadmap: Roadmap
    milestone: Milestone  # in progress, with a progress entry and a private note
    skipped: Milestone
    project: Milestone  # in review
    submission: ReviewSubmission  # of the project, pending
    mentorship: Mentorship  # active: the learner and the active mentor
    invitation: Mentorship  # the learner invited the invited mentor by email; not answered yet
    code: str  # of an invitation the learner shares as a code, for any mentor
    notification: Notification  # in the learner's inbox, unread
    device: Device  # the learner's phone, registered for push
    session: LoginSession  # the learner logged in on a device
    export: DataExport  # of the learner's data, ready to download

    @property
    def learner(self) -> User:
        return self.users["learner"]

    def client(self, actor: str) -> APIClient:
        client = APIClient()
        if self.users[actor] is not None:
            client.force_authenticate(self.users[actor])
        return client


@pytest.fixture
def world(learner, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    users = {
        "learner": learner,
        "other_learner": UserFactory(),
        "active_mentor": UserFactory(is_mentor=True),
        "invited_mentor": UserFactory(is_mentor=True),
        "former_mentor": UserFactory(is_mentor=True),
        "unrelated_mentor": UserFactory(is_mentor=True),
        "staff": UserFactory(is_staff=True),
        "anonymous": None,
    }
    mentorship = Mentorship.objects.create(mentor=users["active_mentor"], learner=learner, state="active")
    invitation = Mentorship.objects.create(
        learner=learner, invited_by=learner, invitee_email=users["invited_mentor"].email, state="invited"
    )
    Mentorship.objects.create(
        mentor=users["former_mentor"], learner=learner, state="ended", ended_at=timezone.now(), ended_by=learner
    )
    code = mentorship_invite(inviter=learner, inviter_role="learner").code

    path = small_path()
    roadmap, _ = roadmap_enroll(learner=learner, path=path)
    milestone = roadmap.milestones.get(slug="python-basics")
    progress_entry_log(
        learner=learner, milestone_id=milestone.pk, entry_id=uuid.uuid4(), minutes=30, state="in_progress"
    )
    milestone_note_set(milestone=Milestone.objects.get(pk=milestone.pk), note="Ask about decorators.")
    skipped = milestone_skip(milestone=roadmap.milestones.get(slug="docker-course"), reason="I use Docker daily.")
    project = roadmap.milestones.get(slug="pipeline-project")
    Milestone.objects.filter(pk=project.pk).update(state=Milestone.State.IN_PROGRESS)
    submission = review_submit(learner=learner, milestone=project, evidence_url="https://github.com/x/y")
    CareerPath.objects.filter(pk=path.pk).update(version=2)  # so an upgrade has something to do
    preference_get_or_create(user=learner)
    reminder = Reminder.objects.create(
        user=learner, kind="target_soon", subject_id=milestone.pk, period="2026-12-01", due_at=timezone.now()
    )
    notification = Notification.objects.create(
        user=learner,
        reminder=reminder,
        kind="target_soon",
        title="Python basics is due soon",
        created_at=timezone.now(),
    )
    user_login(user=learner, user_agent="Ada's phone")

    return World(
        users=users,
        roadmap=roadmap,
        milestone=Milestone.objects.get(pk=milestone.pk),
        skipped=skipped,
        project=Milestone.objects.get(pk=project.pk),
        submission=submission,
        mentorship=mentorship,
        invitation=invitation,
        code=code,
        notification=notification,
        device=device_register(user=learner, token="the-learners-phone-token-0001", platform="ios")[0],
        session=LoginSession.objects.get(user=learner),
        export=data_export_build(export_id=data_export_request(user=learner).pk),
    )


# Expected statuses ----------------------------------------------------------------------


def expect(default: int, *, anonymous: int = 401, **by_actor: int) -> dict[str, int]:
    return {actor: default for actor in ACTORS} | {"anonymous": anonymous} | by_actor


def public(status: int) -> dict[str, int]:
    return expect(status, anonymous=status)


def anyone_logged_in(status: int, **by_actor: int) -> dict[str, int]:
    return expect(status, **by_actor)


def learner_data(owner: int, active_mentor: int) -> dict[str, int]:
    """The learner's objects: everyone but the learner and their active mentor gets a 404."""
    return expect(404, learner=owner, active_mentor=active_mentor)


def mentors_only(status: int, **by_actor: int) -> dict[str, int]:
    return expect(403, **{mentor: status for mentor in MENTORS}) | by_actor


# The matrix -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    route: str  # as in the URL conf, under /api/v1/
    method: str
    expected: dict[str, int]
    args: Callable[[World], dict[str, Any]] = lambda w: {}  # fill the route's <converters>
    body: Callable[[World], dict[str, Any]] | None = None
    query: Callable[[World], str] = lambda w: ""

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.route}"

    def url(self, world: World, *, missing: bool = False) -> str:
        args = self.args(world)
        if missing:
            args = {name: MISSING_ID if isinstance(value, int) else value for name, value in args.items()}
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(args[match.group(1)]), self.route)
        return "/" + API_PREFIX + path + self.query(world)

    def send(self, client: APIClient, world: World, *, missing: bool = False):
        url = self.url(world, missing=missing)
        if self.method == "get":
            return client.get(url)
        body = self.body(world) if self.body else None
        return getattr(client, self.method)(url, body, format="json")


def roadmap(w: World) -> dict[str, Any]:
    return {"roadmap_id": w.roadmap.pk}


def milestone(w: World) -> dict[str, Any]:
    return {"milestone_id": w.milestone.pk}


def submission(w: World) -> dict[str, Any]:
    return {"submission_id": w.submission.pk}


def refresh_token(w: World) -> dict[str, Any]:
    return {"refresh": str(RefreshToken.for_user(w.learner))}


def unsubscribe_link(w: World) -> dict[str, Any]:
    return {"token": unsubscribe_token(user=w.learner, kind="overdue")}


def reversed_order(w: World) -> dict[str, Any]:
    return {"milestones": list(w.roadmap.milestones.order_by("-position").values_list("pk", flat=True))}


def learner_device(w: World) -> dict[str, Any]:
    return {"device_id": w.device.pk}


def calendar_token(w: World) -> dict[str, Any]:
    return {"token": Preference.objects.get(user=w.learner).calendar_token}


def quiz_answers(w: World) -> dict[str, Any]:
    return {"answers": {QUESTIONS[0].slug: QUESTIONS[0].options[0].slug}}


MATRIX = [
    # Accounts
    Row(
        "auth/register/",
        "post",
        public(202),
        body=lambda w: {"email": "newcomer@example.com", "password": "a long and unusual passphrase"},
    ),
    Row("auth/token/", "post", public(200), body=lambda w: {"email": w.learner.email, "password": PASSWORD}),
    Row("auth/token/refresh/", "post", public(200), body=refresh_token),
    Row("auth/logout/", "post", public(204), body=refresh_token),
    Row("auth/logout/everywhere/", "post", anyone_logged_in(204)),
    Row("auth/sessions/", "get", anyone_logged_in(200)),
    Row(
        "auth/sessions/<id:session_id>/",
        "delete",
        expect(404, learner=204),
        args=lambda w: {"session_id": w.session.pk},
    ),
    Row(
        "auth/email/verify/",
        "post",
        public(204),  # whoever holds the link's token
        body=lambda w: {"token": email_verification_token(user=w.learner)},
    ),
    Row("auth/email/verify/resend/", "post", anyone_logged_in(202)),
    Row(
        "auth/email/change/confirm/",
        "post",
        public(204),  # whoever holds the link's token
        body=lambda w: {"token": email_change_token(user=w.learner, email="ada.new@example.com")},
    ),
    Row(
        "me/email/",
        "post",
        anyone_logged_in(202),
        body=lambda w: {"email": "somewhere-new@example.com", "password": PASSWORD},
    ),
    Row(
        "auth/password/change/",
        "post",
        anyone_logged_in(200),
        body=lambda w: {"current_password": PASSWORD, "new_password": "a brand new passphrase"},
    ),
    Row("auth/password/reset/", "post", public(202), body=lambda w: {"email": w.learner.email}),
    Row(
        "auth/password/reset/confirm/",
        "post",
        public(204),  # whoever holds the link's token
        body=lambda w: {"token": password_reset_token(user=w.learner), "new_password": "a brand new passphrase"},
    ),
    Row("me/", "get", anyone_logged_in(200)),
    Row("me/", "patch", anyone_logged_in(200), body=lambda w: {"display_name": "Ada"}),
    Row("me/delete/", "post", anyone_logged_in(204), body=lambda w: {"password": PASSWORD}),
    Row("me/exports/", "post", anyone_logged_in(202)),
    Row(
        "me/exports/<id:export_id>/",
        "get",
        expect(404, learner=200),  # one's own exports only, staff included
        args=lambda w: {"export_id": w.export.pk},
    ),
    Row(
        "me/exports/<id:export_id>/download/",
        "get",
        expect(404, learner=200),
        args=lambda w: {"export_id": w.export.pk},
        query=lambda w: f"?token={data_export_download_token(export=w.export)}",
    ),
    Row("ping/", "get", anyone_logged_in(200)),
    # Mentorships
    Row("mentorships/", "get", anyone_logged_in(200)),
    Row(
        "mentorships/",
        "post",
        mentors_only(201),  # a mentor inviting a learner; "Only mentors can invite learners."
        body=lambda w: {"role": "mentor", "email": "someone-new@example.com"},
    ),
    Row(
        "mentorships/redeem/",
        "post",
        # The learner's code, for any mentor who holds it: not for the learner themselves, not for
        # non-mentors, and not for a mentor already linked.
        mentors_only(200, learner=400, active_mentor=409),
        body=lambda w: {"code": w.code},
    ),
    Row(
        "mentorships/<id:mentorship_id>/",
        "get",
        expect(404, learner=200, active_mentor=200, staff=200),
        args=lambda w: {"mentorship_id": w.mentorship.pk},
    ),
    Row(
        "mentorships/<id:mentorship_id>/accept/",
        "post",
        # Only the invitee accepts; the inviter cannot (400), staff see it but it is not theirs (403).
        expect(404, learner=400, invited_mentor=200, staff=403),
        args=lambda w: {"mentorship_id": w.invitation.pk},
    ),
    Row(
        "mentorships/<id:mentorship_id>/decline/",
        "post",
        expect(404, learner=400, invited_mentor=200, staff=403),
        args=lambda w: {"mentorship_id": w.invitation.pk},
    ),
    Row(
        "mentorships/<id:mentorship_id>/end/",
        "post",
        expect(404, learner=200, active_mentor=200, staff=200),
        args=lambda w: {"mentorship_id": w.mentorship.pk},
    ),
    Row(
        "staff/mentorships/",
        "post",
        expect(403, staff=201),
        body=lambda w: {"mentor": w.users["unrelated_mentor"].pk, "learner": w.learner.pk},
    ),
    # The catalog, the quiz and the skill gap
    Row("paths/", "get", public(200)),
    Row("paths/<slug:slug>/", "get", public(200), args=lambda w: {"slug": w.roadmap.path.slug}),
    Row("paths/<slug:slug>/skill-gap/", "get", anyone_logged_in(200), args=lambda w: {"slug": w.roadmap.path.slug}),
    Row("skills/", "get", public(200)),
    Row("skills/<slug:slug>/", "get", public(200), args=lambda w: {"slug": "python"}),
    Row("quiz/", "get", public(200)),
    Row("quiz/", "post", public(200), body=quiz_answers),
    # Roadmaps: each user's own list; enrolling again answers the existing roadmap (200)
    Row("roadmaps/", "get", anyone_logged_in(200)),
    Row("roadmaps/", "post", anyone_logged_in(201, learner=200), body=lambda w: {"path": w.roadmap.path.slug}),
    Row("stats/", "get", anyone_logged_in(200)),
    Row("sync/", "get", anyone_logged_in(200)),
    Row("roadmaps/<id:roadmap_id>/", "get", learner_data(200, 200), args=roadmap),
    Row(
        "roadmaps/<id:roadmap_id>/", "patch", learner_data(200, 403), args=roadmap, body=lambda w: {"status": "paused"}
    ),
    Row("roadmaps/<id:roadmap_id>/upgrade/", "post", learner_data(200, 403), args=roadmap),
    Row("roadmaps/<id:roadmap_id>/stats/", "get", learner_data(200, 200), args=roadmap),
    Row("roadmaps/<id:roadmap_id>/milestones/", "get", learner_data(200, 200), args=roadmap),
    Row(
        "roadmaps/<id:roadmap_id>/milestones/",
        "post",
        learner_data(201, 403),
        args=roadmap,
        body=lambda w: {"title": "Read the MLOps book", "estimated_hours": 8},
    ),
    Row("roadmaps/<id:roadmap_id>/milestones/order/", "put", learner_data(204, 403), args=roadmap, body=reversed_order),
    # Milestones
    Row("milestones/<id:milestone_id>/", "get", learner_data(200, 200), args=milestone),
    Row(
        "milestones/<id:milestone_id>/",
        "patch",
        learner_data(200, 403),
        args=milestone,
        body=lambda w: {"target_date": "2099-12-31"},
    ),
    Row(
        "milestones/<id:milestone_id>/skip/",
        "post",
        learner_data(200, 403),
        args=milestone,
        body=lambda w: {"reason": "Not needed any more."},
    ),
    Row(
        "milestones/<id:milestone_id>/unskip/",
        "post",
        learner_data(200, 403),
        args=lambda w: {"milestone_id": w.skipped.pk},
    ),
    Row("milestones/<id:milestone_id>/note/", "get", learner_data(200, 403), args=milestone),  # notes stay private
    Row(
        "milestones/<id:milestone_id>/note/",
        "put",
        learner_data(200, 403),
        args=milestone,
        body=lambda w: {"note": "Overwritten."},
    ),
    Row("milestones/<id:milestone_id>/entries/", "get", learner_data(200, 200), args=milestone),
    Row(
        "milestones/<id:milestone_id>/entries/",
        "post",
        learner_data(201, 403),
        args=milestone,
        body=lambda w: {"id": str(uuid.uuid4()), "minutes": 45, "note": "Chapter 3."},
    ),
    # Reviews
    Row(
        "milestones/<id:milestone_id>/submit/",
        "post",
        learner_data(201, 403),
        args=milestone,
        body=lambda w: {"message": "Ready for a look."},
    ),
    Row(
        "milestones/<id:milestone_id>/reviews/",
        "get",
        learner_data(200, 200),
        args=lambda w: {"milestone_id": w.project.pk},
    ),
    Row("reviews/queue/", "get", mentors_only(200)),
    Row("reviews/<id:submission_id>/", "get", learner_data(200, 200), args=submission),
    Row(
        "reviews/<id:submission_id>/approve/",
        "post",
        learner_data(403, 200),  # never one's own work
        args=submission,
        body=lambda w: {"comment": "Great work."},
    ),
    Row(
        "reviews/<id:submission_id>/request-changes/",
        "post",
        learner_data(403, 200),
        args=submission,
        body=lambda w: {"comment": "Add a rollback test."},
    ),
    Row(
        "reviews/<id:submission_id>/comments/",
        "post",
        learner_data(201, 201),
        args=submission,
        body=lambda w: {"body": "The rollback is in the last commit."},
    ),
    Row("mentor/dashboard/", "get", mentors_only(200)),
    Row(
        "mentees/<id:learner_id>/roadmaps/",
        "get",
        # Mentors who are not (or no longer, or not yet) linked get the 404 of an unknown learner.
        mentors_only(404, active_mentor=200),
        args=lambda w: {"learner_id": w.learner.pk},
    ),
    # Notifications: each user's own inbox and preferences; the unsubscribe link needs no login
    Row("notifications/", "get", anyone_logged_in(200)),
    Row("notifications/unread-count/", "get", anyone_logged_in(200)),
    Row("notifications/read-all/", "post", anyone_logged_in(200)),
    Row(
        "notifications/<id:notification_id>/read/",
        "post",
        expect(404, learner=200),
        args=lambda w: {"notification_id": w.notification.pk},
    ),
    Row("notifications/preferences/", "get", anyone_logged_in(200)),
    Row("notifications/preferences/", "patch", anyone_logged_in(200), body=lambda w: {"preferred_hour": 8}),
    Row("notifications/unsubscribe/<str:token>/", "get", public(200), args=unsubscribe_link),
    Row("notifications/unsubscribe/<str:token>/", "post", public(200), args=unsubscribe_link),
    Row("staff/reviews/waiting/", "get", expect(403, staff=200)),
    # Push devices and the calendar feed
    Row("devices/", "get", anyone_logged_in(200)),
    Row(
        "devices/",
        "post",
        anyone_logged_in(201),
        body=lambda w: {"token": "a-phone-token-0001", "platform": "android", "name": "Phone"},
    ),
    Row("devices/<id:device_id>/", "delete", expect(404, learner=204), args=learner_device),
    Row("calendar/<str:token>.ics", "get", public(200), args=calendar_token),  # the token is the key
    Row("notifications/calendar/", "get", anyone_logged_in(200)),
    Row("notifications/calendar/regenerate/", "post", anyone_logged_in(200)),
    # The API's description
    Row("schema/", "get", public(200)),
    Row("docs/", "get", public(200)),
    Row("redoc/", "get", public(200)),
]
MATRIX_BY_KEY = {(row.route, row.method): row for row in MATRIX}


def _snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row a request of the matrix could write."""
    models = {
        "users": User,
        "mentorships": Mentorship,
        "roadmaps": Roadmap,
        "milestones": Milestone,
        "entries": ProgressEntry,
        "submissions": ReviewSubmission,
        "comments": ReviewComment,
        "notifications": Notification,
        "preferences": Preference,
        "devices": Device,
    }
    return {name: list(model.objects.order_by("pk").values()) for name, model in models.items()}


def _api_routes(patterns, prefix: str = "") -> set[tuple[str, str]]:
    """Every (route, method) the URL conf serves under /api/v1/, routes relative to it."""
    routes = set()
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes |= _api_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith(API_PREFIX):
            view = pattern.callback.view_class
            routes |= {(route.removeprefix(API_PREFIX), method) for method in HTTP_METHODS if hasattr(view, method)}
    return routes


# Tests ----------------------------------------------------------------------------------


def test_the_matrix_has_one_row_for_every_endpoint_and_method_of_the_api():
    # Given
    served = _api_routes(get_resolver().url_patterns)

    # When
    in_matrix = [(row.route, row.method) for row in MATRIX]

    # Then
    assert len(in_matrix) == len(set(in_matrix)), "a (route, method) has two rows"
    assert set(in_matrix) == served
    assert all(set(row.expected) == set(ACTORS) for row in MATRIX)


@pytest.mark.parametrize(
    ("row", "actor"),
    [(row, actor) for row in MATRIX for actor in ACTORS],
    ids=[f"{row} as {actor}" for row in MATRIX for actor in ACTORS],
)
def test_each_actor_gets_the_status_of_the_matrix(world, row, actor):
    # Given
    client = world.client(actor)
    before = _snapshot()

    # When
    response = row.send(client, world)

    # Then
    assert response.status_code == row.expected[actor], response.content[:500]
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert _snapshot() == before, "a refused request wrote something"
    if response.status_code == 404:  # the same answer as for an object that does not exist
        missing = row.send(client, world, missing=True)
        assert (missing.status_code, missing.content) == (404, response.content)


def test_ending_a_mentorship_ends_the_mentors_access_at_once(world):
    # Given: the active mentor reads the roadmap and sees the pending submission
    mentor = world.client("active_mentor")
    roadmap_url = f"/api/v1/roadmaps/{world.roadmap.pk}/"
    assert mentor.get(roadmap_url).status_code == 200
    queue = mentor.get("/api/v1/reviews/queue/").json()["results"]
    assert [item["id"] for item in queue] == [world.submission.pk]

    # When: the learner ends the link
    ended = world.client("learner").post(f"/api/v1/mentorships/{world.mentorship.pk}/end/")

    # Then: the mentor's very next requests find nothing
    assert (ended.status_code, ended.json()["state"]) == (200, "ended")
    assert mentor.get(roadmap_url).status_code == 404
    assert mentor.get(f"/api/v1/reviews/{world.submission.pk}/").status_code == 404
    assert mentor.get(f"/api/v1/mentees/{world.learner.pk}/roadmaps/").status_code == 404
    assert mentor.get("/api/v1/reviews/queue/").json()["results"] == []
