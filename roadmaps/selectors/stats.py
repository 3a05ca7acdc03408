"""Learner statistics, computed from the milestones and the progress log, never stored.

Days and weeks are the learner's local ones (their time zone; weeks start on Monday), so a
streak follows the learner's calendar across time zones and daylight-saving changes.
Every figure costs the same three queries however many roadmaps, milestones or entries (two
when the caller already holds the milestone rows, as the roadmap detail does). The time logged
on each milestone is its ``logged_minutes`` counter, kept with the progress log.
"""

import math
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, DateTimeField, F, Max, Sum, Value
from django.db.models.functions import Greatest, Least, TruncDate
from django.utils import timezone

from accounts.models import User
from roadmaps.models import Milestone, ProgressEntry, Roadmap, Skill

State = Milestone.State
WEEKS_SHOWN = 12
PACE_WINDOW_DAYS = 28
MIN_TRACKED_DAYS = 7  # younger plans are not judged on pace yet


class Status:
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BEHIND = "behind"


@dataclass
class WeekHours:
    week_start: date
    hours: float


@dataclass
class Stats:
    milestones_total: int
    milestones_done: int
    milestones_skipped: int
    completion_percent: float
    hours_logged: float
    hours_estimated: float
    hours_remaining: float
    weekly_hours: list[WeekHours]
    current_streak_days: int
    longest_streak_days: int
    pace_hours_per_week: float
    weekly_hours_goal: int | None
    projected_finish_date: date | None
    overdue_milestones: int
    next_target_date: date | None
    skills_built: int
    status: str
    reasons: list[str] = field(default_factory=list)


def learner_today(learner: User, *, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(learner.time_zone)).date()


@dataclass
class EntryLog:
    """Minutes per local day, and how many entries there are and when the last was written (for ETags)."""

    daily: dict[date, int]
    count: int
    last_created_at: datetime | None


def counted_logged_at_sql(column: str) -> str:
    """SQL for the instant the reads count an entry at: its ``logged_at`` within ``ProgressEntry.COUNTED``.
    One text for every engine: the bounds are written in UTC, the zone Django's connections read
    timestamps in (PostgreSQL types them from the column; SQLite compares its UTC texts)."""
    low, high = (f"'{bound:%Y-%m-%d %H:%M:%S}'" for bound in ProgressEntry.COUNTED)
    return f"CASE WHEN {column} < {low} THEN {low} WHEN {column} > {high} THEN {high} ELSE {column} END"


def _counted_logged_at() -> Least:
    low, high = (Value(bound, output_field=DateTimeField()) for bound in ProgressEntry.COUNTED)
    return Least(Greatest(F("logged_at"), low), high)


def entry_log(entries, tz: zoneinfo.ZoneInfo) -> EntryLog:
    rows = list(
        entries.annotate(day=TruncDate(_counted_logged_at(), tzinfo=tz))
        .values("day")
        .annotate(minutes=Sum("minutes"), n=Count("pk"), last=Max("created_at"))
        .order_by()
    )
    return EntryLog(
        daily={row["day"]: row["minutes"] for row in rows},
        count=sum(row["n"] for row in rows),
        last_created_at=max((row["last"] for row in rows), default=None),
    )


def streaks(active_days: Iterable[date], today: date) -> tuple[int, int]:
    """(current, longest) runs of consecutive active days; today may still be ahead."""
    days = set(active_days)
    longest = run = 0
    previous = None
    for day in sorted(days):
        run = run + 1 if previous and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    current = 0
    cursor = today if today in days else today - timedelta(days=1)
    while cursor in days:
        current += 1
        cursor -= timedelta(days=1)
    return current, longest


def _weekly_hours(daily: dict[date, int], today: date) -> list[WeekHours]:
    this_monday = today - timedelta(days=today.weekday())
    weeks = [this_monday - timedelta(weeks=n) for n in range(WEEKS_SHOWN - 1, -1, -1)]
    minutes = dict.fromkeys(weeks, 0)
    for day, value in daily.items():
        monday = day - timedelta(days=day.weekday())
        if monday in minutes:
            minutes[monday] += value
    return [WeekHours(week_start=week, hours=round(minutes[week] / 60, 2)) for week in weeks]


@dataclass
class Tracking:
    """Where a plan stands: what is left, the pace, and on track / at risk / behind."""

    planned: int
    done: int
    hours_remaining: float
    overdue: int
    next_target_date: date | None
    pace_hours_per_week: float
    projected_finish_date: date | None
    status: str
    reasons: list[str]

    @property
    def completion_percent(self) -> float:
        return round(100 * self.done / self.planned, 1) if self.planned else 0.0


@dataclass
class PlanTotals:
    """What tracking needs of a plan's milestones: counts, the estimate left, and the target dates."""

    planned: int  # not skipped
    done: int
    remaining_minutes: int  # estimate less time logged, over the unfinished milestones
    overdue: int  # unfinished, target date before today
    next_target_date: date | None  # of the unfinished, today or later
    last_target_date: date | None  # of the unfinished


def plan_totals(rows: list[dict], today: date) -> PlanTotals:
    """From milestone rows (state, estimated_hours, target_date, logged_minutes)."""
    planned = [row for row in rows if row["state"] != State.SKIPPED]
    remaining = [row for row in planned if row["state"] != State.DONE]
    targets = [row["target_date"] for row in remaining if row["target_date"]]
    return PlanTotals(
        planned=len(planned),
        done=len(planned) - len(remaining),
        remaining_minutes=sum(max(0, row["estimated_hours"] * 60 - row["logged_minutes"]) for row in remaining),
        overdue=sum(1 for target in targets if target < today),
        next_target_date=min((target for target in targets if target >= today), default=None),
        last_target_date=max(targets, default=None),
    )


def tracking(*, rows: list[dict], daily: dict[date, int], since: date, today: date, pace_goal: int | None) -> Tracking:
    """From milestone rows (state, estimated_hours, target_date, logged_minutes) and minutes per
    local day (at least the last four weeks)."""
    window_days = pace_window_days(since, today)
    window_minutes = sum(value for day, value in daily.items() if today - timedelta(days=window_days) < day <= today)
    return tracking_from(
        plan_totals(rows, today), window_minutes=window_minutes, since=since, today=today, pace_goal=pace_goal
    )


def pace_window_days(since: date, today: date) -> int:
    """The pace is the time logged over the last this many local days, today included."""
    return max(MIN_TRACKED_DAYS, min(PACE_WINDOW_DAYS, (today - since).days + 1))


def tracking_from(
    totals: PlanTotals, *, window_minutes: int, since: date, today: date, pace_goal: int | None
) -> Tracking:
    """From a plan's totals and the minutes logged in its pace window (counted here or by the database)."""
    remaining = totals.planned - totals.done
    hours_remaining = totals.remaining_minutes / 60
    last_target = totals.last_target_date

    tracked_days = (today - since).days + 1
    window_days = pace_window_days(since, today)
    pace = window_minutes / 60 / (window_days / 7)
    projected = None
    if hours_remaining == 0 and remaining:
        projected = today
    elif hours_remaining and pace:
        projected = today + timedelta(days=math.ceil(hours_remaining / pace * 7))

    reasons = []
    if totals.overdue:
        reasons.append(f"{totals.overdue} milestone(s) past their target date")
    if remaining and last_target and (projected is None or projected > last_target):
        reasons.append("at the current pace the last target date will be missed")
    if remaining and pace_goal and tracked_days >= MIN_TRACKED_DAYS and pace < pace_goal:
        reasons.append(f"pace below the goal of {pace_goal} h a week")
    return Tracking(
        planned=totals.planned,
        done=totals.done,
        hours_remaining=round(hours_remaining, 2),
        overdue=totals.overdue,
        next_target_date=totals.next_target_date,
        pace_hours_per_week=round(pace, 2),
        projected_finish_date=projected,
        status=Status.BEHIND if totals.overdue else Status.AT_RISK if reasons else Status.ON_TRACK,
        reasons=reasons,
    )


def stats_from(
    *,
    learner: User,
    rows: list[dict],
    daily: dict[date, int],
    skills_built: int,
    since: date,
    today: date,
    pace_goal: int | None,
) -> Stats:
    """Stats from milestone rows (state, estimated_hours, target_date, logged_minutes) and minutes per local day."""
    plan = tracking(rows=rows, daily=daily, since=since, today=today, pace_goal=pace_goal)
    current, longest = streaks(daily, today)
    return Stats(
        milestones_total=plan.planned,
        milestones_done=plan.done,
        milestones_skipped=len(rows) - plan.planned,
        completion_percent=plan.completion_percent,
        hours_logged=round(sum(daily.values()) / 60, 2),
        hours_estimated=float(sum(row["estimated_hours"] for row in rows if row["state"] != State.SKIPPED)),
        hours_remaining=plan.hours_remaining,
        weekly_hours=_weekly_hours(daily, today),
        current_streak_days=current,
        longest_streak_days=longest,
        pace_hours_per_week=plan.pace_hours_per_week,
        weekly_hours_goal=pace_goal,
        projected_finish_date=plan.projected_finish_date,
        overdue_milestones=plan.overdue,
        next_target_date=plan.next_target_date,
        skills_built=skills_built,
        status=plan.status,
        reasons=plan.reasons,
    )


def _stats(
    *,
    learner: User,
    milestones,
    entries,
    since: date,
    today: date,
    pace_goal: int | None,
) -> Stats:
    rows = list(milestones.values("id", "state", "estimated_hours", "target_date", "logged_minutes"))
    daily = entry_log(entries, zoneinfo.ZoneInfo(learner.time_zone)).daily
    skills_built = Skill.objects.filter(learner_milestones__in=milestones.filter(state=State.DONE)).distinct().count()
    return stats_from(
        learner=learner,
        rows=rows,
        daily=daily,
        skills_built=skills_built,
        since=since,
        today=today,
        pace_goal=pace_goal,
    )


def roadmap_stats(*, roadmap: Roadmap, now: datetime | None = None) -> Stats:
    learner = roadmap.learner
    today = learner_today(learner, now=now)
    return _stats(
        learner=learner,
        milestones=Milestone.objects.filter(roadmap=roadmap),
        entries=ProgressEntry.objects.filter(milestone__roadmap=roadmap),
        since=learner_today(learner, now=roadmap.created_at),
        today=today,
        pace_goal=None,  # the weekly goal is for all of the learner's roadmaps together
    )


def learner_stats(*, learner: User, now: datetime | None = None) -> Stats:
    """Across the learner's roadmaps that are not archived; a skill built twice counts once."""
    roadmaps = Roadmap.objects.filter(learner=learner).exclude(status=Roadmap.Status.ARCHIVED)
    first = roadmaps.order_by("created_at").values_list("created_at", flat=True).first()
    today = learner_today(learner, now=now)
    return _stats(
        learner=learner,
        milestones=Milestone.objects.filter(roadmap__in=roadmaps),
        entries=ProgressEntry.objects.filter(milestone__roadmap__in=roadmaps),
        since=learner_today(learner, now=first) if first else today,
        today=today,
        pace_goal=learner.weekly_hours_goal,
    )
