"""Reads for mentors: submissions, the review queue and the dashboard of mentees."""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from accounts.selectors import active_mentorship_of, mentees_of
from roadmaps.models import Milestone, ProgressEntry, ReviewComment, ReviewSubmission, Roadmap
from roadmaps.selectors.stats import PlanTotals, learner_today, pace_window_days, tracking_from


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


def _plan_totals_by_learner(ids: list[int], utc_today: date) -> dict[int, dict[date, PlanTotals]]:
    """Each learner's plan totals over their roadmaps that are not archived, in one grouped query.

    Overdue and next target depend on the learner's local date, which is the UTC date or a day
    either side: the query counts them for all three, and the caller picks the learner's.
    """
    days = [utc_today + timedelta(days=offset) for offset in (-1, 0, 1)]
    remaining = ~Q(state__in=[Milestone.State.SKIPPED, Milestone.State.DONE])
    per_day = {}
    for index, day in enumerate(days):
        per_day[f"overdue_{index}"] = Count("id", filter=remaining & Q(target_date__lt=day))
        per_day[f"next_{index}"] = Min("target_date", filter=remaining & Q(target_date__gte=day))
    rows = (
        Milestone.objects.filter(roadmap__learner_id__in=ids)
        .exclude(roadmap__status=Roadmap.Status.ARCHIVED)
        .values("roadmap__learner_id")
        .annotate(
            planned=Count("id", filter=~Q(state=Milestone.State.SKIPPED)),
            done=Count("id", filter=Q(state=Milestone.State.DONE)),
            remaining_minutes=Sum(
                Greatest(F("estimated_hours") * 60 - F("logged_minutes"), Value(0)), filter=remaining
            ),
            last_target=Max("target_date", filter=remaining),
            **per_day,
        )
        .order_by()
    )
    totals: dict[int, dict[date, PlanTotals]] = {}
    for row in rows:
        totals[row["roadmap__learner_id"]] = {
            day: PlanTotals(
                planned=row["planned"],
                done=row["done"],
                remaining_minutes=row["remaining_minutes"] or 0,
                overdue=row[f"overdue_{index}"],
                next_target_date=row[f"next_{index}"],
                last_target_date=row["last_target"],
            )
            for index, day in enumerate(days)
        }
    return totals


NO_PLAN = PlanTotals(planned=0, done=0, remaining_minutes=0, overdue=0, next_target_date=None, last_target_date=None)


def mentor_dashboard(*, mentor: User) -> list[dict[str, Any]]:
    """Each active mentee with completion, last activity, tracking status, overdue and pending reviews.

    Three queries whatever the number of mentees: the mentees with their first enrolment, last
    activity and pending reviews; their plans' totals, counted by the database; the minutes each
    logged in their pace window, summed by the database over their own local days. The status is
    computed exactly as the learner's own stats compute it.
    """
    live_roadmaps = Roadmap.objects.filter(learner=OuterRef("pk")).exclude(status=Roadmap.Status.ARCHIVED)
    pending_count = (
        ReviewSubmission.objects.filter(learner=OuterRef("pk"), state=ReviewSubmission.State.PENDING)
        .order_by()
        .values("learner")
        .annotate(n=Count("id"))
        .values("n")
    )
    mentees = list(
        mentees_of(mentor=mentor).annotate(
            started=Subquery(live_roadmaps.order_by("created_at").values("created_at")[:1]),
            last_activity=Subquery(
                ProgressEntry.objects.filter(learner=OuterRef("pk")).order_by("-logged_at").values("logged_at")[:1]
            ),
            pending_reviews=Coalesce(Subquery(pending_count, output_field=IntegerField()), 0),
        )
    )
    ids = [mentee.pk for mentee in mentees]
    now = timezone.now()
    totals = _plan_totals_by_learner(ids, now.astimezone(UTC).date())
    todays = {mentee.pk: learner_today(mentee, now=now) for mentee in mentees}
    starts = {
        mentee.pk: learner_today(mentee, now=mentee.started) if mentee.started else todays[mentee.pk]
        for mentee in mentees
    }
    # Each mentee's pace window is a span of their local days: as instants, [first midnight, next midnight).
    windows = {}
    for mentee in mentees:
        zone, today = zoneinfo.ZoneInfo(mentee.time_zone), todays[mentee.pk]
        first = today - timedelta(days=pace_window_days(starts[mentee.pk], today) - 1)
        windows[mentee.pk] = (
            datetime.combine(first, time.min, tzinfo=zone),
            datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone),
        )
    # Mentees in the same time zone, on the same day, share a window: one sum per distinct window.
    by_window: dict[tuple[datetime, datetime], int] = {}
    for window in windows.values():
        by_window.setdefault(window, len(by_window))
    window_minutes: dict[int, int] = {}
    if windows:
        sums = (
            ProgressEntry.objects.filter(
                learner_id__in=ids,
                logged_at__gte=min(start for start, _ in by_window),
                logged_at__lt=max(end for _, end in by_window),
            )
            # The few milestones of archived roadmaps, as a set: cheaper than joining every entry's roadmap.
            .exclude(
                milestone_id__in=Milestone.objects.filter(
                    roadmap__learner_id__in=ids, roadmap__status=Roadmap.Status.ARCHIVED
                ).values("id")
            )
            .values("learner_id")
            .annotate(
                **{
                    f"window_{index}": Sum("minutes", filter=Q(logged_at__gte=start, logged_at__lt=end))
                    for (start, end), index in by_window.items()
                }
            )
            .order_by()
        )
        for row in sums:
            learner_id = row["learner_id"]
            window_minutes[learner_id] = row[f"window_{by_window[windows[learner_id]]}"] or 0

    dashboard = []
    for mentee in mentees:
        today = todays[mentee.pk]
        plan = tracking_from(
            totals[mentee.pk][today] if mentee.pk in totals else NO_PLAN,
            window_minutes=window_minutes.get(mentee.pk, 0),
            since=starts[mentee.pk],
            today=today,
            pace_goal=mentee.weekly_hours_goal,
        )
        dashboard.append(
            {
                "learner": mentee,
                "completion_percent": plan.completion_percent,
                "last_activity": mentee.last_activity,
                "status": plan.status,
                "reasons": plan.reasons,
                "overdue_milestones": plan.overdue,
                "pending_reviews": mentee.pending_reviews,
            }
        )
    return dashboard
