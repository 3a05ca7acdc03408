import functools

from django.urls import get_script_prefix, reverse
from django.utils.functional import SimpleLazyObject

from notifications.selectors import unread_count as count


def page_time_zone(request) -> dict[str, str]:
    """Pages show times in the zone of the person logged in, which their days and streaks follow."""
    user = getattr(request, "user", None)
    return {"page_time_zone": getattr(user, "time_zone", None) or "UTC"}


def unread_count(request) -> dict:
    """The inbox's unread count for the navigation, read only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_count": SimpleLazyObject(lambda: count(user=user))}


NAVIGATION = (
    "home",
    "mentor",
    "reviews",
    "staff-cohort",
    "roadmaps",
    "mentorships",
    "inbox",
    "settings",
    "logout",
    "quiz",
    "login",
    "signup",
)


@functools.cache
def _navigation(prefix: str) -> dict[str, str]:
    return {name.replace("-", "_"): reverse(f"web:{name}") for name in NAVIGATION}


def navigation(request) -> dict:
    """The addresses of the navigation, reversed once per process (every page shows them)."""
    return {"nav": _navigation(get_script_prefix())}
