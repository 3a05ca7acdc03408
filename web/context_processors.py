def page_time_zone(request) -> dict[str, str]:
    """Pages show times in the zone of the person logged in, which their days and streaks follow."""
    user = getattr(request, "user", None)
    return {"page_time_zone": getattr(user, "time_zone", None) or "UTC"}
