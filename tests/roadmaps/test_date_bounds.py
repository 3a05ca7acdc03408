"""Dates and instants a learner sends are bounded to what the product can show, and the reads
stay whole whatever a row holds."""

import uuid
import zoneinfo
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import hypothesis
import pytest
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.models import Mentorship, User
from roadmaps.models import MILESTONE_DATES, Milestone, ProgressEntry
from roadmaps.services.learning import progress_entry_log, roadmap_enroll
from tests.clients import logged_in
from tests.factories import UserFactory, small_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """A learner west of UTC with a roadmap and an entry, and their mentor."""
    path = small_path()
    learner = UserFactory(time_zone="America/Los_Angeles")
    mentor = UserFactory(is_mentor=True)
    Mentorship.objects.create(mentor=mentor, learner=learner, state="active")
    roadmap, _ = roadmap_enroll(learner=learner, path=path)
    milestone = roadmap.milestones.order_by("position").first()
    entry, _ = progress_entry_log(
        learner=learner, milestone_id=milestone.pk, entry_id=uuid.uuid4(), minutes=30, state="in_progress"
    )
    return {"learner": learner, "mentor": mentor, "roadmap": roadmap, "milestone": milestone, "entry": entry}


def _reads(world) -> dict[str, int]:
    learner, mentor, roadmap = logged_in(world["learner"]), logged_in(world["mentor"]), world["roadmap"]
    mentee = world["learner"].pk
    urls = {
        learner: [
            f"/api/v1/roadmaps/{roadmap.pk}/",
            f"/api/v1/roadmaps/{roadmap.pk}/stats/",
            f"/api/v1/roadmaps/{roadmap.pk}/milestones/",
            f"/api/v1/milestones/{world['milestone'].pk}/",
            f"/api/v1/milestones/{world['milestone'].pk}/entries/",
            "/api/v1/roadmaps/",
            "/api/v1/stats/",
            "/api/v1/sync/",
        ],
        mentor: [
            "/api/v1/mentor/dashboard/",
            f"/api/v1/mentees/{mentee}/roadmaps/",
            f"/api/v1/roadmaps/{roadmap.pk}/",
            f"/api/v1/roadmaps/{roadmap.pk}/stats/",
            f"/api/v1/milestones/{world['milestone'].pk}/entries/",
        ],
    }
    return {
        f"{who} {url}": client.get(url).status_code
        for who, (client, paths) in zip(("learner", "mentor"), urls.items(), strict=True)
        for url in paths
    }


@pytest.mark.parametrize(
    "stored",
    [datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, tzinfo=UTC)],
    ids=["year_1", "year_9999"],
)
def test_every_read_stays_whole_whatever_instant_an_entry_holds(world, stored):
    ProgressEntry.objects.filter(pk=world["entry"].pk).update(logged_at=stored)

    reads = _reads(world)

    assert {url: code for url, code in reads.items() if code != 200} == {}


def _log(client, milestone_id: int, **body):
    return client.post(
        f"/api/v1/milestones/{milestone_id}/entries/", {"id": str(uuid.uuid4()), "minutes": 5, **body}, format="json"
    )


@pytest.mark.parametrize("state", [None, "done"], ids=["time_only", "with_state_change"])
def test_an_entry_is_logged_back_to_a_year_before_the_account_and_no_further(world, state):
    learner, milestone = world["learner"], world["milestone"]
    client = logged_in(learner)
    body = {"state": state} if state else {}
    joined = learner.date_joined

    year_1 = _log(client, milestone.pk, logged_at="0001-01-01T00:00:00Z", **body)
    too_early = _log(client, milestone.pk, logged_at=(joined - timedelta(days=366)).isoformat(), **body)
    earliest = _log(client, milestone.pk, logged_at=(joined - timedelta(days=364)).isoformat(), **body)

    assert (year_1.status_code, year_1.json()["code"]) == (400, "logged_too_early")
    assert year_1.json()["earliest"] == (joined - timedelta(days=365)).isoformat().replace("+00:00", "Z")
    assert (too_early.status_code, too_early.json()["code"]) == (400, "logged_too_early")
    assert earliest.status_code == 201
    assert ProgressEntry.objects.filter(learner=learner).count() == 2


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "1969-12-31", "2101-01-01"])
def test_a_milestone_date_outside_what_the_product_shows_is_refused_and_changes_nothing(world, value):
    client, milestone = logged_in(world["learner"]), world["milestone"]
    roadmap = world["roadmap"]
    custom = {"title": "Read the paper", "estimated_hours": 2}

    answers = [
        client.post(f"/api/v1/roadmaps/{roadmap.pk}/milestones/", {**custom, "target_date": value}, format="json"),
        client.patch(f"/api/v1/milestones/{milestone.pk}/", {"target_date": value}, format="json"),
        client.patch(f"/api/v1/milestones/{milestone.pk}/", {"credential_date": value}, format="json"),
        client.post(f"/api/v1/milestones/{milestone.pk}/submit/", {"credential_date": value}, format="json"),
    ]

    assert [(answer.status_code, [error["field"] for error in answer.json()["errors"]]) for answer in answers] == [
        (400, ["target_date"]),
        (400, ["target_date"]),
        (400, ["credential_date"]),
        (400, ["credential_date"]),
    ]
    assert Milestone.objects.filter(roadmap=roadmap).count() == roadmap.milestones.count()
    stored = Milestone.objects.get(pk=milestone.pk)
    assert (stored.target_date, stored.credential_date) == (None, None)


@pytest.mark.parametrize(
    ("field", "value"),
    [("credential_date", "1970-01-01"), ("credential_date", "2100-12-31"), ("target_date", "2100-12-31")],
)
def test_the_ends_of_the_milestone_dates_are_taken(world, field, value):
    client, milestone = logged_in(world["learner"]), world["milestone"]

    answer = client.patch(f"/api/v1/milestones/{milestone.pk}/", {field: value}, format="json")

    assert (answer.status_code, answer.json()[field]) == (200, value)


@pytest.mark.parametrize("stored", [date.min, date.max], ids=["first_day", "last_day"])
def test_the_calendar_feed_renders_whatever_target_date_a_milestone_holds(world, settings, stored):
    settings.PUBLIC_BASE_URL = "https://careerhub.example"
    client = logged_in(world["learner"])
    Milestone.objects.filter(pk=world["milestone"].pk).update(target_date=stored)
    feed = client.get("/api/v1/notifications/calendar/").json()["url"].removeprefix(settings.PUBLIC_BASE_URL)

    response = client.get(feed)

    assert response.status_code == 200
    assert f"DTSTART;VALUE=DATE:{stored.isoformat().replace('-', '')}".encode() in response.content
    assert set(_reads(world).values()) == {200}


ZONES = ["UTC", "America/Los_Angeles", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kathmandu"]
OFFSETS = [UTC, *map(zoneinfo.ZoneInfo, ZONES)]
# Any instant Python can write, in any offset, as a client might send it; the ends of the range and
# of the bounds drawn as often as the rest.
instants = st.one_of(
    st.datetimes(timezones=st.sampled_from(OFFSETS)),
    st.builds(
        lambda parts, zone: datetime(*parts, tzinfo=zone),
        st.sampled_from([(1, 1, 1), (9999, 12, 31, 23, 59, 59, 999999), (1970, 1, 1), (2999, 12, 31, 23, 59)]),
        st.sampled_from(OFFSETS),
    ),
).map(datetime.isoformat)
days = st.one_of(
    st.dates(),
    st.sampled_from([date.min, date.max, *MILESTONE_DATES, date(1969, 12, 31), date(2101, 1, 1)]),
).map(date.isoformat)


def _writes(world) -> dict[str, Callable[[APIClient, str], Any]]:
    milestone, roadmap = world["milestone"].pk, world["roadmap"].pk
    return {
        "logged_at": lambda client, value: _log(client, milestone, logged_at=value),
        "custom target_date": lambda client, value: client.post(
            f"/api/v1/roadmaps/{roadmap}/milestones/",
            {"title": "Own", "estimated_hours": 1, "target_date": value},
            format="json",
        ),
        "target_date": lambda client, value: client.patch(
            f"/api/v1/milestones/{milestone}/", {"target_date": value}, format="json"
        ),
        "credential_date": lambda client, value: client.patch(
            f"/api/v1/milestones/{milestone}/", {"credential_date": value}, format="json"
        ),
        "submitted credential_date": lambda client, value: client.post(
            f"/api/v1/milestones/{milestone}/submit/", {"credential_date": value}, format="json"
        ),
    }


@hypothesis.settings(
    max_examples=60, deadline=None, suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture]
)
@hypothesis.given(data=st.data(), zone=st.sampled_from(ZONES))
def test_no_date_or_instant_sent_leaves_a_read_answering_5xx(world, settings, data, zone):
    """Whatever each date field is sent, in whichever time zone the learner lives, it is taken or
    refused with a 4xx, and every read that follows (the learner's, the mentor's, the feed) answers 200."""
    settings.PUBLIC_BASE_URL = "https://careerhub.example"
    User.objects.filter(pk=world["learner"].pk).update(time_zone=zone)
    world["learner"].refresh_from_db()
    client = logged_in(world["learner"])
    field = data.draw(st.sampled_from(sorted(_writes(world))), label="field")
    value = data.draw(instants if field == "logged_at" else days, label="value")

    written = _writes(world)[field](client, value)

    assert written.status_code < 500, written.content
    reads = _reads(world)
    feed = client.get("/api/v1/notifications/calendar/").json()["url"].removeprefix(settings.PUBLIC_BASE_URL)
    reads["feed"] = client.get(feed).status_code
    assert {url: code for url, code in reads.items() if code != 200} == {}
