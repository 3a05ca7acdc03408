from django.core.management.base import BaseCommand

from accounts.models import User

DEMO_PASSWORD = "careerhub-demo"
DEMO_USERS = (
    {"email": "learner@example.com", "display_name": "Demo Learner", "time_zone": "Europe/Berlin"},
    {"email": "mentor@example.com", "display_name": "Demo Mentor", "time_zone": "America/New_York", "is_mentor": True},
    {"email": "staff@example.com", "display_name": "Demo Staff", "is_staff": True, "is_superuser": True},
)


class Command(BaseCommand):
    help = "Create the demo users (idempotent) and print their credentials. For local demos only."

    def handle(self, *args, **options) -> None:
        for fields in DEMO_USERS:
            fields = dict(fields)
            email = fields.pop("email")
            if not User.objects.filter(email=email).exists():
                User.objects.create_user(email, DEMO_PASSWORD, **fields)
        self.stdout.write(f"Demo users (password for all: {DEMO_PASSWORD}):")
        for fields in DEMO_USERS:
            self.stdout.write(f"  {fields['email']}")
