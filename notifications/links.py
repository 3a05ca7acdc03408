"""Where a notification leads: the web app's page of what its ids name. The inbox links to it, and a
push carries its address beside the ids, so a browser or an app without the screen can open it."""

from django.conf import settings
from django.urls import reverse


def page_path(data: dict) -> str | None:
    """The path of the page for a notification's ids (review, milestone, roadmap, mentorship)."""
    if review := data.get("review"):
        return reverse("web:review", args=[review])
    if milestone := data.get("milestone"):
        return reverse("web:milestone", args=[milestone])
    if roadmap := data.get("roadmap"):
        return reverse("web:roadmap", args=[roadmap])
    if data.get("mentorship"):
        return reverse("web:mentorships")
    return None


def page_url(data: dict) -> str | None:
    path = page_path(data)
    return settings.PUBLIC_BASE_URL + path if path else None
