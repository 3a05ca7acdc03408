"""The private calendar feed: its address, its secret, and the events in it."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from icalendar import Calendar
from rest_framework.test import APIClient

from notifications.models import Preference
from roadmaps.models import Milestone, Roadmap
from roadmaps.services.learning import roadmap_enroll
from tests.factories import UserFactory, small_path

pytestmark = pytest.mark.django_db

LINK = "/api/v1/notifications/calendar/"
REGENERATE = "/api/v1/notifications/calendar/regenerate/"
BASE = "https://careerhub.example"


@pytest.fixture(autouse=True)
def public_base_url(settings):
    settings.PUBLIC_BASE_URL = BASE


def _feed_path(client) -> str:
    return client.get(LINK).json()["url"].removeprefix(BASE)


def _events(response) -> list[dict]:
    calendar = Calendar.from_ical(response.content)
    return [
        {
            "uid": str(event["uid"]),
            "start": event.decoded("dtstart"),
            "end": event.decoded("dtend"),
            "summary": str(event["summary"]),
            "status": str(event["status"]),
        }
        for event in calendar.walk("VEVENT")
    ]


def _plan(roadmap: Roadmap, dates: dict[str, date | None], **states: str) -> dict[str, Milestone]:
    """Give the roadmap's milestones (by slug) target dates and states."""
    for slug, target in dates.items():
        Milestone.objects.filter(roadmap=roadmap, slug=slug).update(target_date=target)
    for slug, state in states.items():
        extra = {"skip_reason": "Not needed."} if state == "skipped" else {}
        extra |= {"completed_at": datetime(2026, 11, 20, tzinfo=UTC)} if state == "done" else {}
        Milestone.objects.filter(roadmap=roadmap, slug=slug).update(state=state, **extra)
    return {milestone.slug: milestone for milestone in roadmap.milestones.all()}


@pytest.fixture
def plan(learner):
    """The learner's MLOps roadmap: dated milestones in each state, one undated."""
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path(slug="mlops-engineer"))
    return _plan(
        roadmap,
        {
            "python-basics": date(2026, 12, 1),
            "docker-course": date(2026, 12, 10),
            "cloud-cert": date(2027, 1, 15),
            "pipeline-project": None,
        },
        **{"python-basics": "done", "docker-course": "skipped", "cloud-cert": "in_progress"},
    )


def test_the_feed_has_an_all_day_event_per_dated_milestone(learner_client, plan):
    # When
    response = learner_client.get(_feed_path(learner_client))

    # Then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert _events(response) == [
        {
            "uid": f"milestone-{plan['python-basics'].pk}@careerhub",
            "start": date(2026, 12, 1),
            "end": date(2026, 12, 2),
            "summary": f"{plan['python-basics'].title} (Mlops Engineer) (done)",
            "status": "CONFIRMED",
        },
        {
            "uid": f"milestone-{plan['docker-course'].pk}@careerhub",
            "start": date(2026, 12, 10),
            "end": date(2026, 12, 11),
            "summary": f"{plan['docker-course'].title} (Mlops Engineer)",
            "status": "CANCELLED",
        },
        {
            "uid": f"milestone-{plan['cloud-cert'].pk}@careerhub",
            "start": date(2027, 1, 15),
            "end": date(2027, 1, 16),
            "summary": f"{plan['cloud-cert'].title} (Mlops Engineer)",
            "status": "CONFIRMED",
        },
    ]


def test_the_feed_is_a_named_rfc_5545_calendar_with_links_and_revision_times(learner_client, plan):
    # When
    response = learner_client.get(_feed_path(learner_client))

    # Then
    calendar = Calendar.from_ical(response.content)
    assert (str(calendar["version"]), str(calendar["prodid"]), str(calendar["x-wr-calname"])) == (
        "2.0",
        "-//CareerHub//Target dates//EN",
        "CareerHub target dates",
    )
    event = next(
        event
        for event in calendar.walk("VEVENT")
        if str(event["uid"]).startswith(f"milestone-{plan['cloud-cert'].pk}@")
    )
    milestone = plan["cloud-cert"]
    link = f"{BASE}/milestones/{milestone.pk}/"  # the web page, which a browser can open
    assert str(event["url"]) == link
    assert str(event["description"]) == (
        f"Target date of a milestone of your Mlops Engineer roadmap. State: In progress.\n{link}"
    )
    updated = milestone.updated_at.replace(microsecond=0)
    assert (event.decoded("dtstamp"), event.decoded("last-modified")) == (updated, updated)
    assert b"\r\nDTSTART;VALUE=DATE:20270115\r\n" in response.content


def test_archived_roadmaps_and_other_users_milestones_stay_out(learner, learner_client, plan):
    # Given: an archived roadmap of the learner's, and another learner's plan on the same dates
    archived, _ = roadmap_enroll(learner=learner, path=small_path(slug="data-scientist"))
    _plan(archived, {"python-basics": date(2026, 12, 2)})
    Roadmap.objects.filter(pk=archived.pk).update(status=Roadmap.Status.ARCHIVED)
    stranger = UserFactory()
    theirs, _ = roadmap_enroll(learner=stranger, path=plan["python-basics"].roadmap.path)
    _plan(theirs, {"python-basics": date(2026, 12, 1), "pipeline-project": date(2026, 12, 3)})

    # When
    uids = {event["uid"] for event in _events(learner_client.get(_feed_path(learner_client)))}

    # Then
    assert uids == {f"milestone-{plan[slug].pk}@careerhub" for slug in ("python-basics", "docker-course", "cloud-cert")}


def test_a_paused_roadmap_keeps_its_dates_in_the_feed(learner_client, plan):
    Roadmap.objects.filter(pk=plan["cloud-cert"].roadmap_id).update(status=Roadmap.Status.PAUSED)

    assert len(_events(learner_client.get(_feed_path(learner_client)))) == 3


@pytest.mark.parametrize("time_zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Berlin"])
def test_target_dates_are_the_learners_days_wherever_they_are_and_whenever_fetched(learner, time_zone):
    # Given: a learner in a time zone 14 hours ahead of or 11 behind UTC, fetching at an hour when
    # their local date and the UTC date differ
    learner.time_zone = time_zone
    learner.save(update_fields=["time_zone"])
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path())
    _plan(roadmap, {"python-basics": date(2026, 12, 31)})
    client = APIClient()
    client.force_authenticate(learner)

    # When
    with time_machine.travel(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), tick=False):
        response = client.get(_feed_path(client))

    # Then: floating all-day dates, no time and no zone
    [event] = _events(response)
    assert (event["start"], event["end"]) == (date(2026, 12, 31), date(2027, 1, 1))
    assert type(event["start"]) is date
    assert b"DTSTART;VALUE=DATE:20261231\r\n" in response.content
    assert b"DTEND;VALUE=DATE:20270101\r\n" in response.content


def test_a_milestone_title_with_ical_special_characters_survives(learner, learner_client, plan):
    title = "Read: ML, ops; and \\ more\nover two lines — ünïcode"
    Milestone.objects.filter(pk=plan["cloud-cert"].pk).update(title=title)

    events = _events(learner_client.get(_feed_path(learner_client)))

    assert events[2]["summary"] == f"{title} (Mlops Engineer)"


def test_the_link_answers_the_same_feed_address_each_time_and_makes_the_preferences_once(learner, learner_client):
    # When
    first = learner_client.get(LINK)
    second = learner_client.get(LINK)

    # Then
    preference = Preference.objects.get(user=learner)
    url = f"{BASE}/api/v1/calendar/{preference.calendar_token}.ics"
    assert first.status_code == 200
    assert first.json() == second.json() == {"url": url, "webcal_url": url.replace("https://", "webcal://")}
    assert (preference.preferred_hour, preference.digest_weekday, preference.daily_cap) == (9, 0, 5)


def test_the_preferences_are_made_with_the_configured_defaults(learner, learner_client, settings):
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "PREFERRED_HOUR": 18, "DIGEST_WEEKDAY": 6, "DAILY_CAP": 2}

    learner_client.post(REGENERATE)

    preference = Preference.objects.get(user=learner)
    assert (preference.preferred_hour, preference.digest_weekday, preference.daily_cap) == (18, 6, 2)


def test_regenerating_the_secret_cuts_the_old_address_off_at_once(learner, learner_client, plan):
    # Given: a calendar app subscribed to the feed
    old = _feed_path(learner_client)
    assert learner_client.get(old).status_code == 200

    # When
    response = learner_client.post(REGENERATE)

    # Then
    new = response.json()["url"].removeprefix(BASE)
    assert response.status_code == 200
    assert response.json() == learner_client.get(LINK).json()
    assert new != old
    refused = learner_client.get(old)
    assert (refused.status_code, refused["Content-Type"], refused.json()["code"]) == (
        404,
        "application/problem+json",
        "not_found",
    )
    assert len(_events(learner_client.get(new))) == 3


@pytest.mark.parametrize(
    "token",
    ["no-such-token-at-all-abcdefghijklmn", "x" * 65, "bad%20token", "ünïcode", "a.b"],
)
def test_an_unknown_or_malformed_token_is_a_404(api_client, plan, token):
    response = api_client.get(f"/api/v1/calendar/{token}.ics")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_the_feed_needs_no_login_but_the_link_does(api_client, learner_client, plan):
    feed = _feed_path(learner_client)

    assert api_client.get(feed).status_code == 200
    assert api_client.get(LINK).status_code == 401
    assert api_client.post(REGENERATE).status_code == 401


def test_a_calendar_app_asking_for_anything_gets_the_calendar(api_client, learner_client, plan):
    feed = _feed_path(learner_client)

    for accept in ("application/json", "text/html", "text/calendar, */*;q=0.5"):
        response = api_client.get(feed, HTTP_ACCEPT=accept)
        assert (response.status_code, response["Content-Type"]) == (200, "text/calendar; charset=utf-8")


def test_an_unchanged_feed_answers_304_and_a_change_a_new_calendar(api_client, learner_client, plan):
    # Given
    feed = _feed_path(learner_client)
    first = api_client.get(feed)

    # When
    unchanged = api_client.get(feed, HTTP_IF_NONE_MATCH=first["ETag"])
    learner_client.patch(f"/api/v1/milestones/{plan['cloud-cert'].pk}/", {"target_date": "2027-02-01"}, format="json")
    changed = api_client.get(feed, HTTP_IF_NONE_MATCH=first["ETag"])

    # Then
    assert (unchanged.status_code, unchanged.content, unchanged["ETag"]) == (304, b"", first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert date(2027, 2, 1) in {event["start"] for event in _events(changed)}


def test_renaming_the_path_changes_the_feed_and_its_etag(api_client, learner_client, plan):
    feed = _feed_path(learner_client)
    first = api_client.get(feed)

    path = plan["cloud-cert"].roadmap.path
    type(path).objects.filter(pk=path.pk).update(title="MLOps Engineer")
    renamed = api_client.get(feed, HTTP_IF_NONE_MATCH=first["ETag"])

    assert renamed.status_code == 200
    assert "(MLOps Engineer)" in _events(renamed)[0]["summary"]


@pytest.mark.parametrize("count", [1, 50])
def test_the_feed_costs_two_queries_for_1_and_50_milestones(
    learner, learner_client, api_client, django_assert_num_queries, count
):
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path(extra_milestones=count))
    Milestone.objects.filter(roadmap=roadmap, slug__startswith="extra-").update(target_date=date(2027, 3, 1))
    feed = _feed_path(learner_client)

    with django_assert_num_queries(2):  # the token's owner; the milestones with their path
        response = api_client.get(feed)

    assert len(_events(response)) == count


def test_an_empty_feed_is_still_a_valid_calendar(api_client, learner_client):
    response = api_client.get(_feed_path(learner_client))

    assert response.status_code == 200
    assert _events(response) == []
    assert Calendar.from_ical(response.content).name == "VCALENDAR"
