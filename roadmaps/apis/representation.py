"""Hand-built representations for the hot paths: the roadmap detail, the milestone list, the mentor
dashboard and the answer to a progress post.

They produce exactly what ``MilestoneSerializer``, ``StatsSerializer``, ``RoadmapDetailSerializer``,
``DashboardRowSerializer`` and ``ProgressEntrySerializer`` produce (tests/bench/test_bench.py compares
them on generated data), mostly from plain rows (``values()``) instead of model instances, at a
fraction of the cost: a phone opens its roadmap, and logs its progress, far more often than anything
else. The serializers stay the documented shape (the schema and the ETags' ``shape_of`` use them).
"""

from datetime import UTC, date, datetime
from typing import Any

from roadmaps.models import Milestone, ProgressEntry, Roadmap
from roadmaps.selectors.stats import Stats

State = Milestone.State


def iso_datetime(value: datetime | None) -> str | None:
    """As DRF's DateTimeField writes it with USE_TZ and UTC: ISO 8601, ``Z`` for UTC."""
    if value is None:
        return None
    if value.tzinfo is not UTC:  # the database's timestamps already are
        value = value.astimezone(UTC)
    return value.isoformat()[:-6] + "Z"


def iso_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def milestone_data(row: dict[str, Any]) -> dict[str, Any]:
    """One milestone from a row of ``selectors.learning.milestone_values``."""
    return {
        "id": row["id"],
        "roadmap": row["roadmap_id"],
        "slug": row["slug"],
        "position": row["position"],
        "stage": {"slug": row["stage_slug"], "title": row["stage_title"]},
        "kind": row["kind"],
        "title": row["title"],
        "description": row["description"],
        "estimated_hours": row["estimated_hours"],
        "evidence_kind": row["evidence_kind"],
        "acceptance_criteria": [str(item) for item in row["acceptance_criteria"]],
        "skills": row["skills"],
        "is_custom": row["is_custom"],
        "retired_from_catalog": row["retired_from_catalog"],
        "state": row["state"],
        "skip_reason": row["skip_reason"],
        "target_date": iso_date(row["target_date"]),
        "evidence_url": row["evidence_url"],
        "credential_id": row["credential_id"],
        "credential_date": iso_date(row["credential_date"]),
        "completed_at": iso_datetime(row["completed_at"]),
        "self_attested": row["self_attested"],
        "hours_logged": round(row["logged_minutes"] / 60, 2),
        "created_at": iso_datetime(row["created_at"]),
        "updated_at": iso_datetime(row["updated_at"]),
    }


def stats_data(stats: Stats) -> dict[str, Any]:
    return {
        "milestones_total": stats.milestones_total,
        "milestones_done": stats.milestones_done,
        "milestones_skipped": stats.milestones_skipped,
        "completion_percent": float(stats.completion_percent),
        "hours_logged": float(stats.hours_logged),
        "hours_estimated": float(stats.hours_estimated),
        "hours_remaining": float(stats.hours_remaining),
        "weekly_hours": [
            {"week_start": iso_date(week.week_start), "hours": float(week.hours)} for week in stats.weekly_hours
        ],
        "current_streak_days": stats.current_streak_days,
        "longest_streak_days": stats.longest_streak_days,
        "pace_hours_per_week": float(stats.pace_hours_per_week),
        "weekly_hours_goal": stats.weekly_hours_goal,
        "projected_finish_date": iso_date(stats.projected_finish_date),
        "overdue_milestones": stats.overdue_milestones,
        "next_target_date": iso_date(stats.next_target_date),
        "skills_built": stats.skills_built,
        "status": stats.status,
        "reasons": [str(reason) for reason in stats.reasons],
    }


def roadmap_detail_data(roadmap: Roadmap, rows: list[dict[str, Any]], stats: Stats) -> dict[str, Any]:
    """The roadmap (its path loaded) with its milestone rows, in plan order, and its stats."""
    total = sum(1 for row in rows if row["state"] != State.SKIPPED)
    done = sum(1 for row in rows if row["state"] == State.DONE)
    path = roadmap.path
    return {
        "id": roadmap.pk,
        "path": {"slug": path.slug, "title": path.title, "version": path.version},
        "status": roadmap.status,
        "catalog_version": roadmap.catalog_version,
        "upgrade_available": roadmap.catalog_version < path.version,
        "milestones_total": total,
        "milestones_done": done,
        "completion_percent": round(100 * done / total, 1) if total else 0.0,
        "created_at": iso_datetime(roadmap.created_at),
        "updated_at": iso_datetime(roadmap.updated_at),
        "milestones": [milestone_data(row) for row in rows],
        "stats": stats_data(stats),
    }


def dashboard_row_data(row: dict[str, Any]) -> dict[str, Any]:
    """One mentee of ``selectors.reviews.mentor_dashboard``, as ``DashboardRowSerializer`` writes it."""
    learner = row["learner"]
    return {
        "learner": {"id": learner["id"], "email": learner["email"], "display_name": learner["display_name"]},
        "completion_percent": float(row["completion_percent"]),
        "last_activity": iso_datetime(row["last_activity"]),
        "status": row["status"],
        "reasons": [str(reason) for reason in row["reasons"]],
        "overdue_milestones": row["overdue_milestones"],
        "pending_reviews": row["pending_reviews"],
    }


def entry_data(entry: ProgressEntry) -> dict[str, Any]:
    return {
        "id": str(entry.pk),
        "milestone": entry.milestone_id,
        "minutes": entry.minutes,
        "note": entry.note,
        "evidence_url": entry.evidence_url,
        "state_from": entry.state_from,
        "state_to": entry.state_to,
        "logged_at": iso_datetime(entry.logged_at),
        "created_at": iso_datetime(entry.created_at),
    }
