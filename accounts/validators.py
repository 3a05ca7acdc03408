import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError


@cache
def _time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in _time_zone_names():
        raise ValidationError(
            "%(value)s is not an IANA time zone name, such as Europe/Berlin.",
            code="invalid_time_zone",
            params={"value": value},
        )
