"""The demo world of ``make run``: a learner a few weeks in, a mentor with three mentees (one of
them behind), reviews waiting and one decided, and a staff user. Built through the services, as a
person using the app would have built it; run again, it changes nothing."""

import uuid
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import mentorship_create_active
from roadmaps.models import CareerPath, Milestone, ReviewSubmission, Roadmap
from roadmaps.selectors.stats import learner_today
from roadmaps.services.learning import milestone_update, progress_entry_log, roadmap_enroll
from roadmaps.services.reviews import review_decide, review_submit

DEMO_PASSWORD = "careerhub-demo"
DEMO_USERS = (
    {"email": "learner@example.com", "display_name": "Demo Learner", "time_zone": "Europe/Berlin"},
    {"email": "mentor@example.com", "display_name": "Demo Mentor", "time_zone": "America/New_York", "is_mentor": True},
    {"email": "staff@example.com", "display_name": "Demo Staff", "is_staff": True, "is_superuser": True},
    {"email": "priya@example.com", "display_name": "Priya Shah", "time_zone": "Asia/Kolkata"},
    {"email": "sam@example.com", "display_name": "Sam Okafor", "time_zone": "Africa/Lagos"},
)
# The demo learner's MLOps weeks: days ago (the last five in a row, for a streak), minutes.
LEARNER_DAYS = (
    (55, 60),
    (52, 45),
    (48, 90),
    (45, 30),
    (41, 75),
    (38, 60),
    (34, 50),
    (31, 80),
    (27, 45),
    (24, 90),
    (20, 60),
    (17, 40),
    (13, 75),
    (10, 55),
    (8, 30),
    (6, 90),
    (4, 45),
    (3, 60),
    (2, 35),
    (1, 50),
    (0, 25),
)


class Command(BaseCommand):
    help = "Create the demo users and their roadmaps, mentorships and reviews (idempotent). For local demos only."

    def handle(self, *args, **options) -> None:
        paths = {path.slug: path for path in CareerPath.objects.all()}
        if "mlops-engineer" not in paths:
            raise CommandError("Load the catalog first: manage.py load_catalog")
        users = {}
        for fields in DEMO_USERS:
            fields = dict(fields)
            email = fields.pop("email")
            # The demo addresses count as confirmed, so the demo users get their email reminders.
            users[email.split("@")[0]] = User.objects.filter(email=email).first() or User.objects.create_user(
                email, DEMO_PASSWORD, email_verified_at=timezone.now(), **fields
            )
        if not Roadmap.objects.filter(learner=users["learner"]).exists():
            with transaction.atomic():
                self._world(users, paths)
        self.stdout.write(f"Demo users (password for all: {DEMO_PASSWORD}):")
        for user in users.values():
            self.stdout.write(f"  {user.email}")

    def _world(self, users: dict[str, User], paths: dict[str, CareerPath]) -> None:
        mentor = users["mentor"]
        for name in ("learner", "priya", "sam"):
            mentorship_create_active(mentor=mentor, learner=users[name], by=users["staff"])
        self._learner(users["learner"], paths["mlops-engineer"], mentor)
        self._priya(users["priya"], paths.get("data-scientist") or paths["mlops-engineer"])
        self._sam(users["sam"], paths.get("machine-learning-engineer") or paths["mlops-engineer"])

    @staticmethod
    def _log(learner: User, milestone: Milestone, days_ago: int, minutes: int, state: str | None = None) -> None:
        progress_entry_log(
            learner=learner,
            milestone_id=milestone.pk,
            entry_id=uuid.uuid4(),
            minutes=minutes,
            state=state,
            note="Demo session",
            logged_at=timezone.now() - timedelta(days=days_ago, hours=2),
        )

    @staticmethod
    def _waiting_since(submission: ReviewSubmission, *, days: int) -> None:
        """Submitted back then: the queue shows how long each has waited."""
        ReviewSubmission.objects.filter(pk=submission.pk).update(created_at=timezone.now() - timedelta(days=days))

    def _learner(self, learner: User, path: CareerPath, mentor: User) -> None:
        """Eight weeks in: two skills done, a course under way, a project approved after one round of
        changes, another waiting for review, and target dates ahead."""
        roadmap, _ = roadmap_enroll(learner=learner, path=path)
        Roadmap.objects.filter(pk=roadmap.pk).update(created_at=timezone.now() - timedelta(days=56))
        plan = list(roadmap.milestones.order_by("position"))
        by_slug = {milestone.slug: milestone for milestone in plan}
        first, second, third = plan[0], plan[1], plan[2]
        days = iter(LEARNER_DAYS)
        for milestone, count, done in ((first, 6, True), (second, 6, True), (third, 9, False)):
            for index in range(count):
                days_ago, minutes = next(days)
                state = "in_progress" if index == 0 else ("done" if done and index == count - 1 else None)
                self._log(learner, milestone, days_ago, minutes, state)
        today = learner_today(learner)
        for offset, milestone in enumerate(plan[3:8], start=1):
            milestone_update(milestone=milestone, learner_today=today, target_date=today + timedelta(weeks=3 * offset))
        for slug, decided in (
            ("reproducible-training-pipeline-with-registry-and-feature-store", True),
            ("retrain-redeploy-pipeline-with-quality-gate", False),
        ):
            project = by_slug.get(slug)
            if project is None:
                continue
            self._log(learner, project, 12, 120, "in_progress")
            milestone_update(
                milestone=project, learner_today=today, evidence_url=f"https://github.com/demo-learner/{slug}"
            )
            submission = review_submit(learner=learner, milestone=project, message="Ready for a look.")
            if not decided:
                self._waiting_since(submission, days=4)
            if decided:
                review_decide(
                    mentor=mentor,
                    submission=submission,
                    approve=False,
                    comment="Show the registry promotion in the README, with the command that runs it.",
                )
                self._log(learner, project, 5, 45, "in_progress")
                second_round = review_submit(learner=learner, milestone=project, message="README updated.")
                review_decide(mentor=mentor, submission=second_round, approve=True, comment="Clear and complete.")

    def _priya(self, learner: User, path: CareerPath) -> None:
        """On track: steady weekly work, her first milestone done, the next one started."""
        roadmap, _ = roadmap_enroll(learner=learner, path=path)
        Roadmap.objects.filter(pk=roadmap.pk).update(created_at=timezone.now() - timedelta(days=32))
        plan = list(roadmap.milestones.order_by("position"))
        for index, days_ago in enumerate((30, 23, 16, 9, 2)):
            self._log(learner, plan[0], days_ago, 90, "in_progress" if index == 0 else None)
        self._log(learner, plan[0], 1, 30, "done")
        self._log(learner, plan[1], 0, 40, "in_progress")

    def _sam(self, learner: User, path: CareerPath) -> None:
        """Behind: two target dates passed, nothing logged for three weeks, a project waiting for review."""
        roadmap, _ = roadmap_enroll(learner=learner, path=path)
        Roadmap.objects.filter(pk=roadmap.pk).update(created_at=timezone.now() - timedelta(days=40))
        plan = list(roadmap.milestones.order_by("position"))
        self._log(learner, plan[0], 38, 60, "in_progress")
        self._log(learner, plan[0], 30, 45)
        self._log(learner, plan[0], 22, 30)
        overdue = timezone.localdate() - timedelta(days=10)
        # Dates set back then, now past: the service refuses a past date, so they are written as they stand.
        Milestone.objects.filter(pk__in=[plan[0].pk, plan[1].pk]).update(target_date=overdue)
        project = next((m for m in plan if m.kind == "project"), None)
        if project is not None:
            self._log(learner, project, 21, 120, "in_progress")
            milestone_update(
                milestone=project,
                learner_today=learner_today(learner),
                evidence_url="https://github.com/sam-okafor/first-model",
            )
            submission = review_submit(
                learner=learner, milestone=project, message="First draft; the error analysis is thin."
            )
            self._waiting_since(submission, days=20)
