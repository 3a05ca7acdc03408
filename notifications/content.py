"""What a reminder says, written at send time from the current data of a whole batch.

The data of a batch of reminders is loaded by a fixed number of queries (per kind present,
not per reminder); each kind's writer then either answers the message or the reason it must
not be sent any more (finished or deleted work, an answered invitation, an ended mentorship).
"""

import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from accounts.models import Mentorship, User
from notifications.models import Kind, Reminder
from notifications.rules import config
from roadmaps.models import Milestone, ProgressEntry, ReviewSubmission, Roadmap
from roadmaps.selectors.stats import Status, streaks, tracking

State = Milestone.State
ACTIONABLE = (State.NOT_STARTED, State.IN_PROGRESS, State.CHANGES_REQUESTED)
HISTORY_DAYS = 90  # entries read for a digest: the streak shown is capped at this


@dataclass
class Message:
    title: str
    body: str
    lines: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)

    def as_content(self) -> dict:
        return {"title": self.title, "body": self.body, "lines": self.lines, "data": self.data}


@dataclass
class Snapshot:
    """A learner's roadmaps (not archived) and recent entries, for digests and the pace check."""

    user: User
    rows: list[dict] = field(default_factory=list)
    entries: list[tuple[datetime, int]] = field(default_factory=list)

    @cached_property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.user.time_zone)

    def today(self, now: datetime) -> date:
        return now.astimezone(self.zone).date()

    @cached_property
    def daily(self) -> dict[date, int]:
        """Minutes per local day."""
        days: dict[date, int] = defaultdict(int)
        for logged_at, minutes in self.entries:
            days[logged_at.astimezone(self.zone).date()] += minutes
        return days

    @cached_property
    def active(self) -> list[dict]:
        return [row for row in self.rows if row["roadmap__status"] == Roadmap.Status.ACTIVE]

    def tracking(self, now: datetime):
        today = self.today(now)
        first = min((row["roadmap__created_at"] for row in self.rows), default=now)
        return tracking(
            rows=self.rows,
            daily=self.daily,
            since=first.astimezone(self.zone).date(),
            today=today,
            pace_goal=self.user.weekly_hours_goal,
        )

    def week_minutes(self, now: datetime) -> int:
        since = self.today(now) - timedelta(days=7)
        return sum(minutes for day, minutes in self.daily.items() if day > since)

    def done_since(self, since: datetime) -> list[str]:
        return [row["title"] for row in self.rows if row["completed_at"] and row["completed_at"] >= since]

    def next_up(self, count: int = 3) -> list[dict]:
        return [row for row in self.active if row["state"] in ACTIONABLE][:count]

    def last_logged_at(self) -> datetime | None:
        return max((logged_at for logged_at, _ in self.entries), default=None)


def snapshots_of(users: list[User], *, now: datetime) -> dict[int, Snapshot]:
    """Two queries for any number of learners."""
    snapshots = {user.pk: Snapshot(user=user) for user in users}
    if not snapshots:
        return snapshots
    milestones = (
        Milestone.objects.filter(roadmap__learner_id__in=snapshots)
        .exclude(roadmap__status=Roadmap.Status.ARCHIVED)
        .order_by("roadmap__learner_id", "roadmap_id", "position", "id")
        .values(
            "id",
            "title",
            "state",
            "estimated_hours",
            "target_date",
            "logged_minutes",
            "completed_at",
            "roadmap_id",
            "roadmap__learner_id",
            "roadmap__status",
            "roadmap__created_at",
            "roadmap__path__title",
        )
    )
    for row in milestones:
        snapshots[row["roadmap__learner_id"]].rows.append(row)
    entries = ProgressEntry.objects.filter(
        learner_id__in=snapshots, logged_at__gte=now - timedelta(days=HISTORY_DAYS)
    ).values_list("learner_id", "logged_at", "minutes")
    for learner_id, logged_at, minutes in entries:
        snapshots[learner_id].entries.append((logged_at, minutes))
    return snapshots


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f} h"


def _name(user: User) -> str:
    return user.display_name or user.email.split("@")[0]


def _when(target: date, today: date) -> str:
    days = (target - today).days
    return "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days ({target:%a %d %b})"


class Batch:
    """The data every reminder of one batch needs, loaded with a fixed number of queries."""

    def __init__(self, reminders: list[Reminder], *, now: datetime):
        self.now = now
        subjects: dict[str, set[int]] = defaultdict(set)
        for reminder in reminders:
            subjects[reminder.kind].add(reminder.subject_id)
        users = {reminder.user_id: reminder.user for reminder in reminders if reminder.user_id}

        milestone_ids = subjects[Kind.TARGET_SOON] | subjects[Kind.OVERDUE]
        self.milestones = (
            Milestone.objects.select_related("roadmap__path").in_bulk(milestone_ids) if milestone_ids else {}
        )
        submission_ids = subjects[Kind.REVIEW_REQUESTED] | subjects[Kind.REVIEW_DECIDED] | subjects[Kind.REVIEW_WAITING]
        self.submissions = (
            ReviewSubmission.objects.select_related("milestone__roadmap__path", "learner").in_bulk(submission_ids)
            if submission_ids
            else {}
        )
        invitation_ids = subjects[Kind.MENTORSHIP_INVITATION]
        self.invitations = (
            Mentorship.objects.select_related("invited_by").in_bulk(invitation_ids) if invitation_ids else {}
        )

        mentor_ids = {
            r.user_id for r in reminders if r.kind in (Kind.MENTOR_DIGEST, Kind.REVIEW_REQUESTED, Kind.REVIEW_WAITING)
        }
        self.mentees: dict[int, list[User]] = defaultdict(list)
        if mentor_ids:
            links = Mentorship.objects.filter(mentor_id__in=mentor_ids, state=Mentorship.State.ACTIVE).select_related(
                "learner"
            )
            for link in links:
                self.mentees[link.mentor_id].append(link.learner)
        learners = [users[r.user_id] for r in reminders if r.kind in (Kind.INACTIVITY, Kind.LEARNER_DIGEST)]
        digest_mentees = [
            mentee for r in reminders if r.kind == Kind.MENTOR_DIGEST for mentee in self.mentees[r.user_id]
        ]
        self.snapshots = snapshots_of(list({u.pk: u for u in learners + digest_mentees}.values()), now=now)
        self.pending_reviews: Counter = Counter()
        if digest_mentees:
            self.pending_reviews = Counter(
                ReviewSubmission.objects.filter(
                    learner__in=[m.pk for m in digest_mentees], state=ReviewSubmission.State.PENDING
                ).values_list("learner_id", flat=True)
            )

    def is_mentor_of(self, mentor_id: int, learner_id: int) -> bool:
        return any(mentee.pk == learner_id for mentee in self.mentees[mentor_id])

    # -- one writer per kind: a Message, or the reason not to send -----------------------

    def write(self, reminder: Reminder) -> Message | str:
        return getattr(self, f"_{reminder.kind}")(reminder)

    def _milestone(self, reminder: Reminder) -> Milestone | str:
        milestone = self.milestones.get(reminder.subject_id)
        if milestone is None:
            return "milestone_deleted"
        if milestone.state not in ACTIONABLE:
            return f"milestone_{milestone.state}"
        if milestone.roadmap.status != Roadmap.Status.ACTIVE:
            return f"roadmap_{milestone.roadmap.status}"
        if milestone.target_date is None or milestone.target_date.isoformat() != reminder.period:
            return "target_date_changed"
        return milestone

    def _milestone_data(self, milestone: Milestone) -> dict:
        return {"roadmap": milestone.roadmap_id, "milestone": milestone.pk}

    def _target_soon(self, reminder: Reminder) -> Message | str:
        milestone = self._milestone(reminder)
        if isinstance(milestone, str):
            return milestone
        today = self.now.astimezone(zoneinfo.ZoneInfo(reminder.user.time_zone)).date()
        if milestone.target_date < today:
            return "target_date_passed"
        return Message(
            title=f"{milestone.title} is due {_when(milestone.target_date, today)}",
            body=f"Your target date on the {milestone.roadmap.path.title} roadmap is {milestone.target_date:%A %d %B}.",
            data=self._milestone_data(milestone),
        )

    def _overdue(self, reminder: Reminder) -> Message | str:
        milestone = self._milestone(reminder)
        if isinstance(milestone, str):
            return milestone
        return Message(
            title=f"{milestone.title} is past its target date",
            body=(
                f"It was due on {milestone.target_date:%A %d %B} ({milestone.roadmap.path.title}). "
                "Log what you did, pick a new date, or skip it."
            ),
            data=self._milestone_data(milestone),
        )

    def _inactivity(self, reminder: Reminder) -> Message | str:
        snapshot = self.snapshots[reminder.user_id]
        if not snapshot.active:
            return "no_active_roadmap"
        last = snapshot.last_logged_at()
        if last and last >= self.now - timedelta(days=config("INACTIVITY_DAYS")):
            return "active_again"
        plan = snapshot.tracking(self.now)
        if plan.status == Status.ON_TRACK:
            return "on_pace"
        next_up = snapshot.next_up(1)
        lines = [f"Next up: {next_up[0]['title']}"] if next_up else []
        return Message(
            title="Ready to pick up where you left off?",
            body=f"Nothing logged for {config('INACTIVITY_DAYS')} days, and {'; '.join(plan.reasons)}.",
            lines=lines,
            data={"roadmap": next_up[0]["roadmap_id"], "milestone": next_up[0]["id"]} if next_up else {},
        )

    def _learner_digest(self, reminder: Reminder) -> Message | str:
        snapshot = self.snapshots[reminder.user_id]
        if not snapshot.active:
            return "no_active_roadmap"
        done = snapshot.done_since(self.now - timedelta(days=7))
        current, _ = streaks(snapshot.daily, snapshot.today(self.now))
        plan = snapshot.tracking(self.now)
        lines = [f"Logged this week: {_hours(snapshot.week_minutes(self.now))}"]
        lines += [f"Done: {title}" for title in done] or ["Nothing completed this week."]
        lines += [f"Next: {row['title']} ({row['roadmap__path__title']})" for row in snapshot.next_up()]
        lines.append(f"Streak: {current} day{'s' if current != 1 else ''}")
        return Message(
            title="Your week on CareerHub",
            body=f"{plan.completion_percent}% done; status: {plan.status.replace('_', ' ')}.",
            lines=lines,
        )

    def _mentor_digest(self, reminder: Reminder) -> Message | str:
        mentees = self.mentees[reminder.user_id]
        if not mentees:
            return "no_mentees"
        lines = []
        for mentee in sorted(mentees, key=_name):
            snapshot = self.snapshots[mentee.pk]
            plan = snapshot.tracking(self.now)
            pending = self.pending_reviews[mentee.pk]
            lines.append(
                f"{_name(mentee)}: {_hours(snapshot.week_minutes(self.now))} logged, "
                f"{len(snapshot.done_since(self.now - timedelta(days=7)))} done, {plan.status.replace('_', ' ')}"
                + (f", {pending} review(s) waiting" if pending else "")
            )
        waiting = sum(self.pending_reviews[mentee.pk] for mentee in mentees)
        return Message(
            title="Your mentees' week",
            body=f"{len(mentees)} mentee(s); {waiting} review(s) waiting for you.",
            lines=lines,
        )

    def _submission(self, reminder: Reminder, *, pending: bool) -> ReviewSubmission | str:
        submission = self.submissions.get(reminder.subject_id)
        if submission is None:
            return "review_deleted"
        if pending and submission.state != ReviewSubmission.State.PENDING:
            return "review_decided"
        if pending and not self.is_mentor_of(reminder.user_id, submission.learner_id):
            return "mentorship_ended"
        return submission

    def _review_data(self, submission: ReviewSubmission) -> dict:
        return {
            "review": submission.pk,
            "milestone": submission.milestone_id,
            "roadmap": submission.milestone.roadmap_id,
        }

    def _review_requested(self, reminder: Reminder) -> Message | str:
        submission = self._submission(reminder, pending=True)
        if isinstance(submission, str):
            return submission
        return Message(
            title=f"{_name(submission.learner)} asks you to review {submission.milestone.title}",
            body=submission.message or "Evidence is attached to the submission.",
            data=self._review_data(submission),
        )

    def _review_waiting(self, reminder: Reminder) -> Message | str:
        submission = self._submission(reminder, pending=True)
        if isinstance(submission, str):
            return submission
        days = (self.now - submission.created_at).days
        return Message(
            title=f"{_name(submission.learner)}'s {submission.milestone.title} has waited {days} days",
            body="Approve it or ask for changes; reviews left much longer are shown to staff.",
            data=self._review_data(submission),
        )

    def _review_decided(self, reminder: Reminder) -> Message | str:
        submission = self._submission(reminder, pending=False)
        if isinstance(submission, str):
            return submission
        if submission.state == ReviewSubmission.State.PENDING:
            return "review_undecided"
        approved = submission.state == ReviewSubmission.State.APPROVED
        return Message(
            title=f"{submission.milestone.title}: {'approved' if approved else 'changes requested'}",
            body="Well done: it counts as done." if approved else "Your mentor left a comment on what to change.",
            data=self._review_data(submission),
        )

    def _mentorship_invitation(self, reminder: Reminder) -> Message | str:
        mentorship = self.invitations.get(reminder.subject_id)
        if mentorship is None:
            return "invitation_deleted"
        if mentorship.state != Mentorship.State.INVITED:
            return f"invitation_{mentorship.state}"
        inviter = mentorship.invited_by
        role = "mentor" if mentorship.mentor_id is None else "mentee"
        who = _name(inviter) if inviter else "Someone"
        return Message(
            title=f"{who} invites you to be their {role} on CareerHub",
            body=(
                "Open the app to accept or decline."
                if reminder.user_id
                else f"Sign up with {reminder.email} to accept or decline."
            ),
            data={"mentorship": mentorship.pk},
        )
