"""Account emails: a subject, a plain-text and an HTML template per message, under
``accounts/templates/accounts/email/``. Sent by the tasks in ``accounts/tasks.py``, never inside
a request."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def email_send(*, template: str, to: str, context: dict) -> None:
    context = {"site_url": settings.PUBLIC_BASE_URL, **context}
    base = f"accounts/email/{template}"
    subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"{base}.txt", context), from_email=None, to=[to]
    )
    message.attach_alternative(render_to_string(f"{base}.html", context), "text/html")
    message.send()
