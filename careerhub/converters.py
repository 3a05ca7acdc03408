"""Path converters of the API's URLs; importing this module registers them."""

from django.urls import register_converter
from django.urls.converters import IntConverter

BIGINT_MAX = 2**63 - 1


class IdConverter(IntConverter):
    """``<id:...>``: a primary key, a number that fits PostgreSQL's bigint.

    Django's ``int`` takes digits of any length; a longer number is a 404 here, before any query.
    """

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > BIGINT_MAX:
            raise ValueError(f"{value} does not fit a bigint")  # no route matches: Django answers 404
        return number


register_converter(IdConverter, "id")
