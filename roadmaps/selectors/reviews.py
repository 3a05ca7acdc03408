"""Reads for mentors: submissions, the review queue and the dashboard of mentees."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from accounts.selectors import active_mentorship_of, mentees_of
from careerhub.sql import prepared_cursor
from roadmaps.models import Milestone, ReviewComment, ReviewSubmission, Roadmap
from roadmaps.selectors.stats import MIN_TRACKED_DAYS, PACE_WINDOW_DAYS, PlanTotals, learner_stats, tracking_from


def _submissions() -> QuerySet[ReviewSubmission]:
    return ReviewSubmission.objects.select_related(
        "milestone__roadmap__path", "learner", "decided_by"
    ).prefetch_related(Prefetch("comments", queryset=ReviewComment.objects.select_related("author")))


def visible_submissions(user: User) -> QuerySet[ReviewSubmission]:
    mentoring = active_mentorship_of(mentor=user, learner_ref=OuterRef("learner"))
    return _submissions().filter(Q(learner=user) | Q(Exists(mentoring)))


def submission_get(*, user: User, submission_id: int, deciding: bool = False) -> ReviewSubmission:
    """Visible to the learner and their active mentors (404 otherwise); deciding is for mentors only."""
    submission = get_object_or_404(visible_submissions(user), pk=submission_id)
    if deciding and submission.learner_id == user.pk:
        raise PermissionDenied("A learner cannot review their own work.")
    return submission


def milestone_reviews(*, milestone: Milestone) -> QuerySet[ReviewSubmission]:
    return _submissions().filter(milestone=milestone).order_by("created_at", "id")


def review_queue(*, mentor: User) -> QuerySet[ReviewSubmission]:
    """Pending submissions of the mentor's active mentees, oldest first."""
    mentoring = active_mentorship_of(mentor=mentor, learner_ref=OuterRef("learner"))
    return _submissions().filter(Exists(mentoring), state=ReviewSubmission.State.PENDING).order_by("created_at", "id")


# One row per active mentee, each figure bounded by that mentee's rows and read on an index:
# roadmaps by learner, milestones by roadmap, entries by learner and time, submissions by learner.
# The figures are those of stats.learner_stats, over the roadmaps that are not archived. Local dates
# are PostgreSQL's, as where the learner's own stats group their log by day; it must read the time
# zone database that Python's zoneinfo reads (the system's, as Debian's and Ubuntu's packages do).
_LEARNER_COLUMNS = """
    SELECT u.id, u.email, u.display_name, u.time_zone, u.weekly_hours_goal,
           (%(now)s AT TIME ZONE u.time_zone)::date AS today
"""
# The learners of a mentor's dashboard: their active mentees.
_MENTEES = (
    _LEARNER_COLUMNS
    + """
    FROM accounts_mentorship link
    JOIN accounts_user u ON u.id = link.learner_id
    WHERE link.mentor_id = %(mentor)s AND link.state = 'active'
"""
)
# The learners of the staff's cohort view: everyone with a roadmap not archived (on the path, if named).
_COHORT = (
    _LEARNER_COLUMNS
    + """
    FROM accounts_user u
    WHERE EXISTS (
        SELECT 1 FROM roadmaps_roadmap r JOIN roadmaps_careerpath p ON p.id = r.path_id
        WHERE r.learner_id = u.id AND r.status <> 'archived' AND (%(path)s::text IS NULL OR p.slug = %(path)s)
    )
"""
)
_LEARNERS_SQL = """
WITH mentee AS ({learners}),
-- The few milestones of archived roadmaps, as one set: cheaper than joining every entry's roadmap.
archived_milestone AS (
    SELECT m.id
    FROM mentee
    JOIN roadmaps_roadmap r ON r.learner_id = mentee.id AND r.status = 'archived'
    JOIN roadmaps_milestone m ON m.roadmap_id = r.id
)
SELECT mentee.id, mentee.email, mentee.display_name, mentee.weekly_hours_goal, mentee.today,
       start.since, activity.last_at, reviews.pending,
       plan.planned, plan.done, plan.remaining_minutes, plan.overdue, plan.last_target,
       pace.minutes
FROM mentee
CROSS JOIN LATERAL (
    SELECT COALESCE((MIN(r.created_at) AT TIME ZONE mentee.time_zone)::date, mentee.today) AS since
    FROM roadmaps_roadmap r
    WHERE r.learner_id = mentee.id AND r.status <> 'archived'
) start
CROSS JOIN LATERAL (
    -- stats.pace_window_days: the last days from the first enrolment, at least a week, at most four
    SELECT mentee.today + 1
           - GREATEST(%(shortest_window)s, LEAST(%(longest_window)s, mentee.today - start.since + 1)) AS first_day
) pace_window
CROSS JOIN LATERAL (
    -- The window's local days as instants: from its first local midnight to the one after today.
    SELECT pace_window.first_day::timestamp AT TIME ZONE mentee.time_zone AS starts,
           (mentee.today + 1)::timestamp AT TIME ZONE mentee.time_zone AS ends
    OFFSET 0  -- computed once per mentee, not once per entry
) pace_range
CROSS JOIN LATERAL (
    SELECT MAX(e.logged_at) AS last_at FROM roadmaps_progressentry e WHERE e.learner_id = mentee.id
) activity
CROSS JOIN LATERAL (
    SELECT COUNT(*) AS pending
    FROM roadmaps_reviewsubmission s
    WHERE s.learner_id = mentee.id AND s.state = 'pending'
) reviews
CROSS JOIN LATERAL (
    SELECT COUNT(*) FILTER (WHERE m.state <> 'skipped') AS planned,
           COUNT(*) FILTER (WHERE m.state = 'done') AS done,
           COALESCE(SUM(GREATEST(m.estimated_hours * 60 - m.logged_minutes, 0))
                    FILTER (WHERE m.state NOT IN ('skipped', 'done')), 0) AS remaining_minutes,
           COUNT(*) FILTER (WHERE m.state NOT IN ('skipped', 'done') AND m.target_date < mentee.today) AS overdue,
           MAX(m.target_date) FILTER (WHERE m.state NOT IN ('skipped', 'done')) AS last_target
    FROM roadmaps_roadmap r
    JOIN roadmaps_milestone m ON m.roadmap_id = r.id
    WHERE r.learner_id = mentee.id AND r.status <> 'archived'
) plan
CROSS JOIN LATERAL (
    SELECT COALESCE(SUM(e.minutes), 0) AS minutes
    FROM roadmaps_progressentry e
    WHERE e.learner_id = mentee.id
      -- Read on the index, converting no time zone inside the window. A local midnight that comes
      -- twice (a clock turned back at one o'clock) is read by PostgreSQL as the later one, so the
      -- hour at each end is also taken and its entries' local days checked one by one.
      AND e.logged_at >= pace_range.starts - interval '1 hour'
      AND e.logged_at < pace_range.ends
      AND (e.logged_at >= pace_range.starts AND e.logged_at < pace_range.ends - interval '1 hour'
           OR (e.logged_at AT TIME ZONE mentee.time_zone)::date BETWEEN pace_window.first_day AND mentee.today)
      AND e.milestone_id NOT IN (SELECT id FROM archived_milestone)
) pace
ORDER BY mentee.display_name, mentee.id
"""
_DASHBOARD_SQL = _LEARNERS_SQL.format(learners=_MENTEES)
_COHORT_SQL = _LEARNERS_SQL.format(learners=_COHORT)


def mentor_dashboard(*, mentor: User) -> list[dict[str, Any]]:
    """Each active mentee with completion, last activity, tracking status, overdue and pending reviews.

    One statement of plain SQL whatever the number of mentees: the database counts each mentee's
    plan, sums the minutes of their pace window and finds their first enrolment, last activity and
    pending reviews, so that only one row per mentee comes back; the status is then computed by
    ``tracking_from``, exactly as the learner's own stats compute it. Built with the ORM, the
    statements cost more to compile than to run (the dashboard is a mentor's home screen).
    On databases other than PostgreSQL (the SQLite demo) each mentee's own stats are read instead.
    """
    if connection.vendor != "postgresql":
        return mentor_dashboard_from_stats(mentor=mentor)
    return _learner_rows(_DASHBOARD_SQL, mentor=mentor.pk)


def cohort(*, path_slug: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
    """The dashboard's row for every learner with a roadmap not archived (on ``path_slug`` if given,
    with ``status`` if given), by name, with the titles of their paths: the staff's cohort view. The
    same one statement as the mentor's dashboard, over other learners."""
    if connection.vendor != "postgresql":
        roadmaps = Roadmap.objects.filter(learner=OuterRef("pk")).exclude(status=Roadmap.Status.ARCHIVED)
        if path_slug:
            roadmaps = roadmaps.filter(path__slug=path_slug)
        rows = _rows_from_stats(User.objects.filter(Exists(roadmaps)).order_by("display_name", "id"))
    else:
        rows = _learner_rows(_COHORT_SQL, path=path_slug or None)
    if status:
        rows = [row for row in rows if row["status"] == status]
    paths: dict[int, list[str]] = {}
    for learner_id, title in (
        Roadmap.objects.filter(learner_id__in=[row["learner"]["id"] for row in rows])
        .exclude(status=Roadmap.Status.ARCHIVED)
        .order_by("path__title")
        .values_list("learner_id", "path__title")
    ):
        paths.setdefault(learner_id, []).append(title)
    for row in rows:
        row["paths"] = paths.get(row["learner"]["id"], [])
    return rows


def _learner_rows(sql: str, **params: Any) -> list[dict[str, Any]]:
    params = {
        **params,
        "now": timezone.now(),
        "shortest_window": MIN_TRACKED_DAYS,
        "longest_window": PACE_WINDOW_DAYS,
    }
    with prepared_cursor() as cursor:  # planned once per connection: planning it costs about a millisecond
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    dashboard = []
    for (
        learner_id,
        email,
        display_name,
        pace_goal,
        today,
        since,
        last_activity,
        pending,
        planned,
        done,
        remaining_minutes,
        overdue,
        last_target,
        window_minutes,
    ) in rows:
        totals = PlanTotals(
            planned=planned,
            done=done,
            remaining_minutes=remaining_minutes,
            overdue=overdue,
            next_target_date=None,  # not shown on the dashboard
            last_target_date=last_target,
        )
        plan = tracking_from(totals, window_minutes=window_minutes, since=since, today=today, pace_goal=pace_goal)
        dashboard.append(
            {
                "learner": {"id": learner_id, "email": email, "display_name": display_name},
                "completion_percent": plan.completion_percent,
                "last_activity": last_activity,
                "status": plan.status,
                "reasons": plan.reasons,
                "overdue_milestones": plan.overdue,
                "pending_reviews": pending,
            }
        )
    return dashboard


def mentor_dashboard_from_stats(*, mentor: User) -> list[dict[str, Any]]:
    """The same rows from each mentee's own stats, a few queries per mentee: the dashboard of the
    SQLite demo (a handful of mentees), and the yardstick the tests hold the statement to."""
    return _rows_from_stats(mentees_of(mentor=mentor))


def _rows_from_stats(learners: QuerySet[User]) -> list[dict[str, Any]]:
    mentees = learners.annotate(
        last_activity=Max("progress_entries__logged_at"),
        pending_reviews=Count(
            "submissions", filter=Q(submissions__state=ReviewSubmission.State.PENDING), distinct=True
        ),
    )
    dashboard = []
    for mentee in mentees:
        stats = learner_stats(learner=mentee)
        dashboard.append(
            {
                "learner": {"id": mentee.pk, "email": mentee.email, "display_name": mentee.display_name},
                "completion_percent": stats.completion_percent,
                "last_activity": mentee.last_activity,
                "status": stats.status,
                "reasons": stats.reasons,
                "overdue_milestones": stats.overdue_milestones,
                "pending_reviews": mentee.pending_reviews,
            }
        )
    return dashboard


def pending_reviews() -> QuerySet[ReviewSubmission]:
    """Every submission waiting for a decision, oldest first: what staff watch."""
    return _submissions().filter(state=ReviewSubmission.State.PENDING).order_by("created_at", "id")
