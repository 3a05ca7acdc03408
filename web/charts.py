"""The numbers behind the roadmap's charts, laid out for inline SVG in the templates. Everything
comes from the stats the API answers (``roadmaps.selectors.stats``); this module only places it.
Each chart also carries its figures as text, so it reads without colour and without sight."""

from dataclasses import dataclass
from datetime import date, timedelta

from roadmaps.models import Milestone
from roadmaps.selectors.stats import Stats

State = Milestone.State

BAR_AREA = 120  # px of height the tallest bar may take
BAR_STEP = 32  # px from one bar to the next
CELL = 14  # px of a day in the streak calendar
CALENDAR_WEEKS = 12
PROJECTION_WIDTH = 320


@dataclass(frozen=True)
class Bar:
    x: int
    y: float
    height: float
    hours: float
    label: str  # the week's Monday, "7 Sep"


def _day_label(day: date) -> str:
    return f"{day.day} {day:%b}"


def weekly_bars(stats: Stats) -> dict:
    top = max((week.hours for week in stats.weekly_hours), default=0) or 1
    bars = []
    for n, week in enumerate(stats.weekly_hours):
        height = round(week.hours / top * BAR_AREA, 1)
        bars.append(
            Bar(
                x=n * BAR_STEP + 8,
                y=20 + BAR_AREA - height,
                height=height,
                hours=week.hours,
                label=_day_label(week.week_start),
            )
        )
    return {"bars": bars, "width": len(bars) * BAR_STEP + 8, "base": 20 + BAR_AREA, "total": sum(b.hours for b in bars)}


@dataclass(frozen=True)
class Day:
    x: int
    y: int
    day: date
    minutes: int
    level: int  # 0 (nothing logged) to 4


def streak_calendar(daily: dict[date, int], today: date) -> dict:
    """The last twelve weeks of local days, Monday at the top, this week in the last column."""
    start = today - timedelta(days=today.weekday()) - timedelta(weeks=CALENDAR_WEEKS - 1)
    days = []
    for n in range((today - start).days + 1):
        day = start + timedelta(days=n)
        minutes = daily.get(day, 0)
        level = 0 if not minutes else 1 if minutes < 30 else 2 if minutes < 60 else 3 if minutes < 120 else 4
        days.append(Day(x=(n // 7) * (CELL + 3), y=(n % 7) * (CELL + 3) + 16, day=day, minutes=minutes, level=level))
    active = sum(1 for day in days if day.minutes)
    return {
        "days": days,
        "width": CALENDAR_WEEKS * (CELL + 3),
        "height": 7 * (CELL + 3) + 16,
        "cell": CELL,
        "active": active,
        "first": start,
    }


@dataclass(frozen=True)
class StageBar:
    title: str
    done: int
    planned: int
    percent: int


def stage_completion(rows: list[dict]) -> list[StageBar]:
    """Done of planned (skipped ones leave the count) per stage, in plan order."""
    stages: dict[str, list[int]] = {}
    for row in rows:
        counts = stages.setdefault(row["stage_title"] or "Your own milestones", [0, 0])
        if row["state"] != State.SKIPPED:
            counts[1] += 1
            counts[0] += row["state"] == State.DONE
    return [
        StageBar(title=title, done=done, planned=planned, percent=round(100 * done / planned) if planned else 0)
        for title, (done, planned) in stages.items()
    ]


def projection(stats: Stats, rows: list[dict], today: date) -> dict:
    """Today, the projected finish and the last target date on one line, as far apart as they are."""
    targets = [
        row["target_date"] for row in rows if row["target_date"] and row["state"] not in (State.DONE, State.SKIPPED)
    ]
    last_target = max(targets, default=None)
    points = [("Today", today)]
    if stats.projected_finish_date:
        points.append(("Projected finish", stats.projected_finish_date))
    if last_target:
        points.append(("Last target date", last_target))
    end = max(day for _, day in points)
    span = max((end - today).days, 1)
    marks = []
    for label, day in points:
        x = 10 + round((day - today).days / span * (PROJECTION_WIDTH - 20))
        # Labels run inward from the ends of the line, so none is cut off.
        anchor = "start" if x < PROJECTION_WIDTH / 3 else "end" if x > PROJECTION_WIDTH * 2 / 3 else "middle"
        marks.append({"label": label, "day": day, "x": x, "anchor": anchor})
    return {"marks": marks, "last_target": last_target, "status": stats.status, "reasons": stats.reasons}
