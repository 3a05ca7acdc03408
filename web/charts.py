"""The roadmap's charts as inline SVG. Everything comes from the stats the API answers
(``roadmaps.selectors.stats``); this module only places it. Each chart also carries its figures as
text, so it reads without colour and without sight.

The SVG is written here rather than in a template: a chart is a few hundred small elements, and
plain formatting is many times faster than template nodes (the page is a hot path, see ``make
bench``). Numbers are written as plain text, with a dot, whatever the locale."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

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


def hours_text(hours: float) -> str:
    """Hours with at most one decimal: 3, 2.5, 18.8."""
    return f"{round(hours, 1):g}"


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
    width, base = len(bars) * BAR_STEP + 8, 20 + BAR_AREA
    rows = "".join(f"<tr><td>{bar.label}</td><td>{hours_text(bar.hours)}</td></tr>" for bar in bars)
    return {
        "total": hours_text(sum(b.hours for b in bars)),
        "svg": _weekly_svg(bars, width, base),
        "table_rows": _svg(rows),
    }


def _weekly_svg(bars: list[Bar], width: int, base: int) -> SafeString:
    parts = []
    for n, bar in enumerate(bars):
        hours = hours_text(bar.hours)
        parts.append(
            f'<rect x="{bar.x}" y="{bar.y}" width="24" height="{bar.height}" class="bar">'
            f"<title>Week of {bar.label}: {hours} h</title></rect>"
        )
        if bar.hours:
            parts.append(f'<text x="{bar.x + 12}" y="{bar.y - 4}" class="value">{hours}</text>')
        if n % 3 == 0:
            parts.append(f'<text x="{bar.x + 12}" y="{base + 16}" class="label">{bar.label}</text>')
    return _svg(
        f'<svg viewBox="0 0 {width} {base + 24}" role="img" aria-labelledby="weekly-title" focusable="false">'
        f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" class="axis"/>{"".join(parts)}</svg>'
    )


def _svg(markup: str) -> SafeString:
    """Markup made here of numbers and of dates this module formats: nothing in it needs escaping."""
    return mark_safe(markup)


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
    return {"active": active, "first": _day_label(start), "svg": _calendar_svg(days, _day_label(start))}


def _calendar_svg(days: list[Day], first: str) -> SafeString:
    cells = []
    for day in days:
        said = f"{day.minutes} min" if day.minutes else "nothing logged"
        cells.append(
            f'<rect x="{day.x}" y="{day.y}" width="{CELL}" height="{CELL}" rx="2" class="day level-{day.level}">'
            f"<title>{day.day:%a} {day.day.day} {day.day:%b}: {said}</title></rect>"
        )
        if day.minutes:
            cells.append(f'<circle cx="{day.x + 7}" cy="{day.y + 7}" r="2.5" class="mark"/>')
    return _svg(
        f'<svg class="calendar" viewBox="0 0 {CALENDAR_WEEKS * (CELL + 3)} {7 * (CELL + 3) + 16}" role="img" '
        f'aria-labelledby="calendar-title" focusable="false">'
        f'<text x="0" y="10" class="label-start">{first}</text>{"".join(cells)}</svg>'
    )


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
    return {"svg": _projection_svg(marks), "status": stats.status, "reasons": stats.reasons}


def _projection_svg(marks: list[dict]) -> SafeString:
    rows = format_html_join(
        "",
        '<g><line x1="{}" y1="20" x2="{}" y2="40" class="tick"/>'
        '<text x="{}" y="{}" class="anchor-{}">{}: {}</text></g>',
        (
            (
                mark["x"],
                mark["x"],
                mark["x"],
                (14, 58, 76)[n % 3],
                mark["anchor"],
                mark["label"],
                f"{mark['day'].day} {mark['day']:%b %Y}",
            )
            for n, mark in enumerate(marks)
        ),
    )
    return format_html(
        '<svg viewBox="0 0 {} 84" role="img" aria-labelledby="projection-title projection-text" focusable="false">'
        '<line x1="10" y1="30" x2="{}" y2="30" class="axis"/>{}</svg>',
        PROJECTION_WIDTH,
        PROJECTION_WIDTH - 10,
        rows,
    )
