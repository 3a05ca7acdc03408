"""The private calendar feed: a learner's target dates as an iCalendar file (RFC 5545).

A phone's calendar app subscribes to ``/api/v1/calendar/<token>.ics`` and polls it; the secret
token in the URL is the only credential (calendar apps send no other), and regenerating it
cuts every old subscription off at once.

What is in it: one all-day event per milestone that has a target date, in the learner's
roadmaps that are not archived (paused ones included: their dates still stand). A done
milestone stays on its day, marked "(done)" in the title, so the calendar keeps the history; a
skipped one is a cancelled event (``STATUS:CANCELLED``), which calendar apps strike through or
hide. Target dates are the learner's local days, so the events are floating dates
(``DTSTART;VALUE=DATE``) that no time zone shifts.
"""

import re
from datetime import date, datetime, timedelta
from typing import TypedDict

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from icalendar import Calendar, Event

from careerhub.conditional import make_etag
from notifications.models import Preference
from roadmaps.models import Milestone, Roadmap

# Part of every ETag: change it when the rendering changes, so no client keeps a stale copy.
FEED_FORMAT = 1
PRODID = "-//CareerHub//Target dates//EN"
CALENDAR_NAME = "CareerHub target dates"
REFRESH = timedelta(hours=1)  # how often calendar apps are asked to poll
TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what notifications.models.new_calendar_token makes


class FeedMilestone(TypedDict):
    id: int
    title: str
    state: str
    target_date: date
    updated_at: datetime
    roadmap__path__title: str


def calendar_owner_id(*, token: str) -> int:
    """The user whose feed ``token`` opens; a 404 for anything else (no query for a malformed one)."""
    if not TOKEN.fullmatch(token):
        raise Http404
    user_id = Preference.objects.filter(calendar_token=token).values_list("user_id", flat=True).first()
    if user_id is None:
        raise Http404
    return user_id


def calendar_milestones(*, user_id: int) -> list[FeedMilestone]:
    """Everything the feed shows, in one query: milestones with a target date in roadmaps not archived."""
    return list(
        Milestone.objects.filter(roadmap__learner_id=user_id, target_date__isnull=False)
        .exclude(roadmap__status=Roadmap.Status.ARCHIVED)
        .order_by("target_date", "roadmap_id", "position", "id")
        .values("id", "title", "state", "target_date", "updated_at", "roadmap__path__title")
    )


def calendar_etag(milestones: list[FeedMilestone]) -> str:
    """Made of all that the feed shows, so it changes exactly when the file does."""
    rows = [tuple(milestone.values()) for milestone in milestones]
    return make_etag(FEED_FORMAT, settings.PUBLIC_BASE_URL, rows)


def milestone_link(milestone_id: int) -> str:
    """The milestone's page in the web app: a calendar app opens it in a browser, with no token."""
    return settings.PUBLIC_BASE_URL + reverse("web:milestone", kwargs={"milestone_id": milestone_id})


def feed_urls(preference: Preference) -> dict[str, str]:
    """The feed's address, over HTTP(S) and as ``webcal://`` (which phones open as "subscribe")."""
    url = settings.PUBLIC_BASE_URL + reverse("v1:calendar-feed", kwargs={"token": preference.calendar_token})
    return {"url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


def _event(milestone: FeedMilestone) -> Event:
    state = Milestone.State(milestone["state"])
    path = milestone["roadmap__path__title"]
    summary = f"{milestone['title']} ({path})"
    if state == Milestone.State.DONE:
        summary += " (done)"
    link = milestone_link(milestone["id"])

    event = Event()
    event.add("uid", f"milestone-{milestone['id']}@careerhub")
    # Without a METHOD, DTSTAMP is when the event was last revised (RFC 5545, 3.8.7.2): the
    # same instant as LAST-MODIFIED, so an unchanged milestone renders to the same bytes.
    event.add("dtstamp", milestone["updated_at"])
    event.add("last-modified", milestone["updated_at"])
    event.add("dtstart", milestone["target_date"])
    if milestone["target_date"] < date.max:  # all-day: the end is exclusive, and without one a day long
        event.add("dtend", milestone["target_date"] + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", f"Target date of a milestone of your {path} roadmap. State: {state.label}.\n{link}")
    event.add("url", link)
    event.add("status", "CANCELLED" if state == Milestone.State.SKIPPED else "CONFIRMED")
    event.add("transp", "TRANSPARENT")  # a target date does not make the learner busy
    return event


def calendar_render(milestones: list[FeedMilestone]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", CALENDAR_NAME)  # RFC 7986
    calendar.add("x-wr-calname", CALENDAR_NAME)  # the name most calendar apps read
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})  # RFC 7986
    calendar.add("x-published-ttl", REFRESH)
    for milestone in milestones:
        calendar.add_component(_event(milestone))
    return calendar.to_ical()
