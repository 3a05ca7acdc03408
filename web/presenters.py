"""How the pages word a milestone: its stage groups and the next thing to do. The rules stay in the
services; this only says, for each state the services allow, where to go next."""

from datetime import datetime

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from roadmaps.models import Milestone, MilestoneTemplate

State = Milestone.State
Kind = MilestoneTemplate.Kind
STATE_LABELS = dict(State.choices)
KIND_LABELS = dict(Kind.choices)


def next_step(row: dict) -> str:
    state, kind = row["state"], row["kind"]
    if state == State.DONE:
        return "Done."
    if state == State.SKIPPED:
        return "Skipped; un-skip it to put it back on the plan."
    if state == State.IN_REVIEW:
        return "Waiting for your mentor's review."
    if state == State.CHANGES_REQUESTED:
        return "Read your mentor's comments, then submit it again."
    if state == State.NOT_STARTED:
        return "Start it: log your first session."
    if kind == Kind.CERTIFICATION and not (row["credential_id"] or row["evidence_url"]):
        return "Pass the exam, then record the credential and mark it done."
    if kind == Kind.PROJECT:
        return "Push the work to a repository, then submit it for review."
    return "Keep logging time; mark it done when you have finished."


def by_stage(rows: list[dict]) -> list[dict]:
    """Milestone rows in plan order, grouped by consecutive stage."""
    stages: list[dict] = []
    milestones = reverse("web:milestone", args=[0]).removesuffix("0/")  # one reverse for all the rows
    for row in rows:
        title = row["stage_title"] or "Your own milestones"
        if not stages or stages[-1]["title"] != title:
            stages.append({"title": title, "milestones": []})
        stages[-1]["milestones"].append(
            {
                **row,
                "next_step": next_step(row),
                "url": f"{milestones}{row['id']}/",
                "state_label": STATE_LABELS[row["state"]],
                "kind_label": KIND_LABELS[row["kind"]],
                "hours_logged": f"{round(row['logged_minutes'] / 60, 1):g}",
                "target_text": f"{row['target_date'].day} {row['target_date']:%b %Y}" if row["target_date"] else "",
            }
        )
    return stages


STATUS_ORDER = {"behind": 0, "at_risk": 1, "on_track": 2}
DASHBOARD_SORTS = {
    "status": lambda row: (STATUS_ORDER.get(row["status"], 3), -row["overdue_milestones"], row["completion_percent"]),
    "completion": lambda row: (row["completion_percent"], STATUS_ORDER.get(row["status"], 3)),
    "activity": lambda row: (row["last_activity"] is not None, row["last_activity"] or 0),
    "name": lambda row: ((row["learner"]["display_name"] or row["learner"]["email"]).lower(),),
    "reviews": lambda row: (-row["pending_reviews"], STATUS_ORDER.get(row["status"], 3)),
}


STATUS_LABELS = {"on_track": "On track", "at_risk": "At risk", "behind": "Behind"}


def dashboard_sorted(rows: list[dict], sort: str, *, now: datetime, reviews_url: str) -> tuple[SafeString, str]:
    """The mentor's dashboard rows in the order asked for (at risk first unless another is named),
    as the table's rows. Written here rather than in the template: fifty rows of seven cells are
    the page's whole cost in template nodes (the page is a hot path, see ``make bench``)."""
    sort = sort if sort in DASHBOARD_SORTS else "status"
    mentees = reverse("web:mentor") + "mentees/"
    lines = []
    for row in sorted(rows, key=DASHBOARD_SORTS[sort]):
        # Only the name and the reasons are text from elsewhere; every other value is ours or a number.
        name = escape(row["learner"]["display_name"] or row["learner"]["email"])
        reasons = f'<br><span class="meta">{escape("; ".join(row["reasons"]))}</span>' if row["reasons"] else ""
        last = row["last_activity"]
        activity = f'<time datetime="{last.isoformat()}">{ago(last, now)}</time>' if last else "never"
        pending = row["pending_reviews"]
        reviews = f'<a href="{reviews_url}">{pending} waiting</a>' if pending else "0"
        lines.append(
            f'<tr><th scope="row"><a href="{mentees}{int(row["learner"]["id"])}/">{name}</a></th>'
            f'<td data-label="Status"><span class="status-{row["status"]}"><strong>'
            f"{STATUS_LABELS.get(row['status'], row['status'])}</strong></span>{reasons}</td>"
            f'<td data-label="Done">{row["completion_percent"]:.0f}%</td>'
            f'<td data-label="Last activity">{activity}</td>'
            f'<td data-label="Overdue">{int(row["overdue_milestones"])}</td>'
            f'<td data-label="Reviews">{reviews}</td></tr>'
        )
    return mark_safe("\n".join(lines)), sort


def ago(moment: datetime, now: datetime) -> str:
    """How long ago, to the day: what a dashboard needs, at a fraction of ``timesince``'s cost."""
    seconds = max(0, (now - moment).total_seconds())
    if seconds < 3600:
        return "within the hour"
    if seconds < 86400:
        hours = int(seconds // 3600)
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    days = int(seconds // 86400)
    return f"{days} day{'s' if days != 1 else ''} ago"


def order_with_move(ids: list[int], milestone_id: int, direction: str) -> list[int] | None:
    """The plan's order with one milestone swapped with its neighbour; None if it cannot move."""
    if milestone_id not in ids:
        return None
    index = ids.index(milestone_id)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ids):
        return None
    order = list(ids)
    order[index], order[other] = order[other], order[index]
    return order


def stage_sections(stages: list[dict]) -> SafeString:
    """The roadmap page's stages and milestone cards, from ``by_stage``. Written here rather than in
    the template: some thirty cards of a dozen values each are most of the page's cost (a hot path,
    see ``make bench``). Titles come from the catalog or the learner, so they are escaped."""
    sections = []
    for number, stage in enumerate(stages, start=1):
        cards = []
        for m in stage["milestones"]:
            target = f" · target {m['target_text']}" if m["target_text"] else ""
            cards.append(
                f'<li class="card state-{m["state"]}"><h3><a href="{m["url"]}">{escape(m["title"])}</a></h3>'
                f'<p class="meta"><span class="tag">{m["kind_label"]}</span> '
                f'<span class="badge">{m["state_label"]}</span>'
                f" {m['hours_logged']} h of about {int(m['estimated_hours'])} h{target}</p>"
                f"<p>{escape(m['next_step'])}</p></li>"
            )
        sections.append(
            f'<section class="stage" aria-labelledby="stage-{number}"><h2 id="stage-{number}">'
            f'{escape(stage["title"])}</h2><ol class="milestones">{"".join(cards)}</ol></section>'
        )
    return mark_safe("\n".join(sections))
