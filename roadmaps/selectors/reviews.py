"""Reads for mentors: submissions, the review queue and the dashboard of mentees."""

import zoneinfo
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, Max, Min, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from accounts.selectors import active_mentorship_of, mentees_of
from roadmaps.models import Milestone, ProgressEntry, ReviewComment, ReviewSubmission, Roadmap
from roadmaps.selectors.stats import PACE_WINDOW_DAYS, learner_today, tracking, with_logged_minutes


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


def mentor_dashboard(*, mentor: User) -> list[dict[str, Any]]:
    """Each active mentee with completion, last activity, tracking status, overdue and pending reviews.

    Six queries whatever the number of mentees; the status is computed exactly as the
    learner's own stats compute it.
    """
    mentees = list(mentees_of(mentor=mentor))
    ids = [mentee.pk for mentee in mentees]
    live = Q(roadmap__learner_id__in=ids) & ~Q(roadmap__status=Roadmap.Status.ARCHIVED)
    rows: dict[int, list[dict]] = {pk: [] for pk in ids}
    for row in with_logged_minutes(Milestone.objects.filter(live)).values(
        "roadmap__learner_id", "state", "estimated_hours", "target_date", "logged_minutes"
    ):
        rows[row["roadmap__learner_id"]].append(row)
    started = dict(
        Roadmap.objects.filter(learner_id__in=ids)
        .exclude(status=Roadmap.Status.ARCHIVED)
        .values("learner_id")
        .annotate(first=Min("created_at"))
        .values_list("learner_id", "first")
    )
    last_activity = dict(
        ProgressEntry.objects.filter(learner_id__in=ids)
        .values("learner_id")
        .annotate(last=Max("logged_at"))
        .values_list("learner_id", "last")
    )
    recent = ProgressEntry.objects.filter(
        learner_id__in=ids,
        logged_at__gte=timezone.now() - timedelta(days=PACE_WINDOW_DAYS + 1),
        milestone__roadmap__in=Roadmap.objects.exclude(status=Roadmap.Status.ARCHIVED),
    ).values_list("learner_id", "logged_at", "minutes")
    daily: dict[int, dict] = {pk: {} for pk in ids}
    zones = {mentee.pk: zoneinfo.ZoneInfo(mentee.time_zone) for mentee in mentees}
    for learner_id, logged_at, minutes in recent:
        day = logged_at.astimezone(zones[learner_id]).date()
        daily[learner_id][day] = daily[learner_id].get(day, 0) + minutes
    pending = dict(
        ReviewSubmission.objects.filter(learner_id__in=ids, state=ReviewSubmission.State.PENDING)
        .values("learner_id")
        .annotate(n=Count("id"))
        .values_list("learner_id", "n")
    )

    dashboard = []
    for mentee in mentees:
        today = learner_today(mentee)
        since = learner_today(mentee, now=started[mentee.pk]) if mentee.pk in started else today
        plan = tracking(
            rows=rows[mentee.pk], daily=daily[mentee.pk], since=since, today=today, pace_goal=mentee.weekly_hours_goal
        )
        dashboard.append(
            {
                "learner": mentee,
                "completion_percent": plan.completion_percent,
                "last_activity": last_activity.get(mentee.pk),
                "status": plan.status,
                "reasons": plan.reasons,
                "overdue_milestones": plan.overdue,
                "pending_reviews": pending.get(mentee.pk, 0),
            }
        )
    return dashboard
