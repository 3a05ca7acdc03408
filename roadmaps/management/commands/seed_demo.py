import uuid
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import User
from roadmaps.models import CareerPath
from roadmaps.services.learning import progress_entry_log, roadmap_enroll

DEMO_PASSWORD = "careerhub-demo"
DEMO_USERS = (
    {"email": "learner@example.com", "display_name": "Demo Learner", "time_zone": "Europe/Berlin"},
    {"email": "mentor@example.com", "display_name": "Demo Mentor", "time_zone": "America/New_York", "is_mentor": True},
    {"email": "staff@example.com", "display_name": "Demo Staff", "is_staff": True, "is_superuser": True},
)
# The demo learner's last ten days on the MLOps path: (days ago, minutes, state).
DEMO_WORK = ((9, 60, "in_progress"), (8, 45, None), (6, 90, None), (3, 30, "done"), (2, 40, None), (1, 50, None))


class Command(BaseCommand):
    help = "Create the demo users and the demo learner's roadmap (idempotent). For local demos only."

    def handle(self, *args, **options) -> None:
        users = {}
        for fields in DEMO_USERS:
            fields = dict(fields)
            email = fields.pop("email")
            # The demo addresses count as confirmed, so the demo users get their email reminders.
            users[email] = User.objects.filter(email=email).first() or User.objects.create_user(
                email, DEMO_PASSWORD, email_verified_at=timezone.now(), **fields
            )
        path = CareerPath.objects.filter(slug="mlops-engineer").first()
        if path is None:
            raise CommandError("Load the catalog first: manage.py load_catalog")
        learner = users["learner@example.com"]
        roadmap, created = roadmap_enroll(learner=learner, path=path)
        if created:
            milestones = list(roadmap.milestones.order_by("position")[:2])
            now = timezone.now()
            for index, (days_ago, minutes, state) in enumerate(DEMO_WORK):
                milestone = milestones[0] if index < 4 else milestones[1]
                progress_entry_log(
                    learner=learner,
                    milestone_id=milestone.pk,
                    entry_id=uuid.uuid4(),
                    minutes=minutes,
                    state=state if index < 4 else ("in_progress" if index == 4 else None),
                    note="Demo session",
                    logged_at=now - timedelta(days=days_ago),
                )
            # A target date two days out: the first reminder scan announces it.
            upcoming = milestones[1]
            upcoming.target_date = (now + timedelta(days=2)).date()
            upcoming.save(update_fields=["target_date"])
        self.stdout.write(f"Demo users (password for all: {DEMO_PASSWORD}):")
        for email in users:
            self.stdout.write(f"  {email}")
