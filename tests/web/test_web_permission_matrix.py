"""Who may open what, on every page of the web app: the API's matrix (tests/test_permission_matrix.py),
in the browser's terms, for the same eight actors on the same learner's world.

- what an actor may not see answers 404, the same page as for an object that does not exist;
- an active mentor reads the learner's roadmap, milestones and reviews and decides reviews, and
  every write to the learner's plan answers 403;
- mentor pages do not exist (404) for non-mentors, staff pages for non-staff;
- an anonymous visitor is sent to log in (302 to /login/?next=...), except on the public pages:
  the home page, the quiz, a path, sign-up, log-in and the pages emailed links open;
- a successful form redirects (302); a refused one writes nothing.

Every route of the web app's URL conf must have a row.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.exports import data_export_download_token
from accounts.services import email_change_token, email_verification_token, password_reset_token
from tests.test_permission_matrix import (
    ACTORS,
    MENTORS,
    MISSING_ID,
    PASSWORD,
    World,
    _snapshot,
    unsubscribe_link,
    world,  # noqa: F401 - the fixture of the learner's world
)

pytestmark = pytest.mark.django_db

LOGIN = 302  # anonymous: sent to the log-in page


def expect(default: int, *, anonymous: int = LOGIN, **by_actor: int) -> dict[str, int]:
    return {actor: default for actor in ACTORS} | {"anonymous": anonymous} | by_actor


def public(status: int, **by_actor: int) -> dict[str, int]:
    return expect(status, **({"anonymous": status} | by_actor))


def learner_data(owner: int, active_mentor: int) -> dict[str, int]:
    return expect(404, learner=owner, active_mentor=active_mentor)


def mentors_only(status: int, **by_actor: int) -> dict[str, int]:
    return expect(404, **{mentor: status for mentor in MENTORS}) | by_actor


@dataclass(frozen=True)
class Row:
    route: str  # as in the URL conf, from the site's root
    method: str
    expected: dict[str, int]
    args: Callable[[World], dict[str, Any]] = lambda w: {}
    body: Callable[[World], dict[str, Any]] = lambda w: {}
    query: Callable[[World], str] = lambda w: ""

    def __str__(self) -> str:
        return f"{self.method.upper()} /{self.route}"

    def url(self, w: World, *, missing: bool = False) -> str:
        args = self.args(w)
        if missing:
            args = {name: MISSING_ID if isinstance(value, int) else value for name, value in args.items()}
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(args[m.group(1)]), self.route) + self.query(w)

    def send(self, client: Client, w: World, *, missing: bool = False):
        url = self.url(w, missing=missing)
        if self.method == "get":
            return client.get(url, headers={"Accept": "text/html"})
        return client.post(url, self.body(w), headers={"Accept": "text/html"})


def roadmap(w):
    return {"roadmap_id": w.roadmap.pk}


def milestone(w):
    return {"milestone_id": w.milestone.pk}


def submission(w):
    return {"submission_id": w.submission.pk}


def token(make):
    return lambda w: f"?token={make(w)}"


MATRIX = [
    # Public pages
    Row("", "get", public(200)),
    Row("favicon.ico", "get", public(301)),
    Row("verify-email", "get", public(200), query=token(lambda w: email_verification_token(user=w.learner))),
    Row(
        "confirm-email",
        "get",
        public(200),
        query=token(lambda w: email_change_token(user=w.learner, email="ada@new.example.com")),
    ),
    Row("reset-password", "get", public(200), query=token(lambda w: password_reset_token(user=w.learner))),
    Row(
        "unsubscribe/<str:token>/",
        "get",
        public(200),
        args=unsubscribe_link,
    ),
    Row("signup/", "get", public(200)),
    Row("login/", "get", public(302, anonymous=200)),  # logged in already: on to the roadmaps
    Row("logout/", "post", public(302)),
    Row("quiz/", "get", public(200)),
    Row("paths/<slug:slug>/", "get", public(200), args=lambda w: {"slug": w.roadmap.path.slug}),
    # The learner's pages
    Row("paths/<slug:slug>/enrol", "post", expect(302), args=lambda w: {"slug": w.roadmap.path.slug}),
    Row("roadmaps/", "get", expect(200)),
    Row("roadmaps/<id:roadmap_id>/", "get", learner_data(200, 200), args=roadmap),
    Row("roadmaps/<id:roadmap_id>/skills", "get", learner_data(200, 200), args=roadmap),
    Row("roadmaps/<id:roadmap_id>/plan", "get", learner_data(200, 403), args=roadmap),
    Row(
        "roadmaps/<id:roadmap_id>/plan/move",
        "post",
        learner_data(302, 403),
        args=roadmap,
        body=lambda w: {"milestone": w.milestone.pk, "direction": "down"},
    ),
    Row(
        "roadmaps/<id:roadmap_id>/plan/add",
        "post",
        learner_data(302, 403),
        args=roadmap,
        body=lambda w: {"title": "Read the paper", "kind": "practice", "estimated_hours": "3"},
    ),
    Row("milestones/<id:milestone_id>/", "get", learner_data(200, 200), args=milestone),
    Row(
        "milestones/<id:milestone_id>/edit",
        "post",
        learner_data(400, 403),  # the texts of a catalog milestone are the catalog's
        args=milestone,
        body=lambda w: {"title": "Mine now", "estimated_hours": "3"},
    ),
    Row(
        "milestones/<id:milestone_id>/log",
        "post",
        learner_data(302, 403),
        args=milestone,
        body=lambda w: {"id": "1c1f4c5e-7a55-4d3b-9a1e-2f0c1d2e3f40", "minutes": "15"},
    ),
    Row(
        "milestones/<id:milestone_id>/evidence",
        "post",
        learner_data(302, 403),
        args=milestone,
        body=lambda w: {"evidence_url": "https://example.com/notes"},
    ),
    Row(
        "milestones/<id:milestone_id>/target",
        "post",
        learner_data(302, 403),
        args=milestone,
        body=lambda w: {"target_date": "2099-01-01"},
    ),
    Row(
        "milestones/<id:milestone_id>/note",
        "post",
        learner_data(302, 403),
        args=milestone,
        body=lambda w: {"note": "Decorators next."},
    ),
    Row(
        "milestones/<id:milestone_id>/skip",
        "post",
        learner_data(302, 403),
        args=milestone,
        body=lambda w: {"reason": "Known already."},
    ),
    Row(
        "milestones/<id:milestone_id>/unskip",
        "post",
        learner_data(302, 403),
        args=lambda w: {"milestone_id": w.skipped.pk},
    ),
    Row(
        "milestones/<id:milestone_id>/submit",
        "post",
        learner_data(302, 403),
        args=milestone,
        body=lambda w: {"message": "Ready."},
    ),
    # The mentor's pages
    Row("mentor/", "get", mentors_only(200)),
    Row(
        "mentor/mentees/<id:learner_id>/",
        "get",
        mentors_only(404, active_mentor=200),
        args=lambda w: {"learner_id": w.learner.pk},
    ),
    Row("mentor/reviews/", "get", mentors_only(200)),
    Row("reviews/<id:submission_id>/", "get", learner_data(200, 200), args=submission),
    Row(
        "reviews/<id:submission_id>/decide",
        "post",
        learner_data(403, 302),
        args=submission,
        body=lambda w: {"decision": "approve"},
    ),
    # Everyone's: mentorships, inbox, settings
    Row("mentorships/", "get", expect(200)),
    Row("mentorships/new", "post", expect(302), body=lambda w: {"role": "learner", "email": ""}),
    Row(
        "mentorships/redeem",
        "post",
        # The learner's own code; a learner is not a mentor; the active mentor is linked already.
        expect(302, learner=400, other_learner=403, staff=403, active_mentor=409),
        body=lambda w: {"code": w.code},
    ),
    Row(
        "mentorships/<id:mentorship_id>/<slug:action>",
        "post",
        # Accepting the invitation sent to the invited mentor: only they may (the learner sent it).
        expect(404, learner=400, invited_mentor=302, staff=403),
        args=lambda w: {"mentorship_id": w.invitation.pk, "action": "accept"},
    ),
    Row("inbox/", "get", expect(200)),
    Row(
        "inbox/<id:notification_id>/read",
        "post",
        expect(404, learner=302),
        args=lambda w: {"notification_id": w.notification.pk},
    ),
    Row("inbox/read-all", "post", expect(302)),
    Row("settings/", "get", expect(200)),
    Row(
        "settings/profile",
        "post",
        expect(302),
        body=lambda w: {"display_name": "A", "time_zone": "UTC", "weekly_hours_goal": "5"},
    ),
    Row(
        "settings/reminders",
        "post",
        expect(302),
        body=lambda w: {"preferred_hour": "8", "digest_weekday": "0", "daily_cap": "3"},
    ),
    Row("settings/calendar", "post", expect(302)),
    Row(
        "settings/devices/<id:device_id>/forget",
        "post",
        expect(404, learner=302),
        args=lambda w: {"device_id": w.device.pk},
    ),
    Row(
        "settings/sessions/<id:session_id>/revoke",
        "post",
        expect(404, learner=302),
        args=lambda w: {"session_id": w.session.pk},
    ),
    Row("settings/export", "post", expect(302)),
    Row(
        "settings/export/<id:export_id>/download",
        "get",
        expect(404, learner=200),
        args=lambda w: {"export_id": w.export.pk},
        query=token(lambda w: data_export_download_token(export=w.export)),
    ),
    Row("settings/delete", "post", expect(302), body=lambda w: {"password": PASSWORD}),
    # Staff
    Row("staff/cohort/", "get", expect(404, staff=200)),
    Row("staff/cohort.csv", "get", expect(404, staff=200)),
    Row("staff/reviews/", "get", expect(404, staff=200)),
]


def _unmasked(page: bytes) -> bytes:
    """The page without its CSRF token, which is masked afresh in every answer."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", page)


def _web_routes(patterns, prefix: str = "") -> set[str]:
    routes = set()
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if getattr(pattern, "namespace", None) == "web" or (pattern.app_name == "web"):
                routes |= {prefix + str(p.pattern) for p in pattern.url_patterns if isinstance(p, URLPattern)}
        elif isinstance(pattern, URLPattern) and getattr(pattern.callback, "__module__", "").startswith("web."):
            routes.add(route)
    return routes


def test_the_matrix_has_a_row_for_every_page_of_the_web_app():
    served = _web_routes(get_resolver().url_patterns)

    in_matrix = {row.route for row in MATRIX}

    assert in_matrix == served
    assert all(set(row.expected) == set(ACTORS) for row in MATRIX)


@pytest.mark.parametrize(
    ("row", "actor"),
    [(row, actor) for row in MATRIX for actor in ACTORS],
    ids=[f"{row} as {actor}" for row in MATRIX for actor in ACTORS],
)
def test_each_actor_gets_the_answer_of_the_matrix(world, row, actor):  # noqa: F811
    client = Client()
    if world.users[actor] is not None:
        client.force_login(world.users[actor])
    before = _snapshot()

    response = row.send(client, world)

    assert response.status_code == row.expected[actor], (response.status_code, response.content[:300])
    if actor == "anonymous" and response.status_code == LOGIN and row.expected["learner"] != LOGIN:
        assert response["Location"].startswith("/login/?next=")
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("text/html")
        assert _snapshot() == before, "a refused request wrote something"
    if response.status_code == 404 and row.args(world):
        missing = row.send(client, world, missing=True)
        assert (missing.status_code, _unmasked(missing.content)) == (404, _unmasked(response.content))
