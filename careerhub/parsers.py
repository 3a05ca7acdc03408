"""The JSON bodies the API reads: DRF's parser, bounded in depth.

Python's decoder recurses once per level of nesting, so a body of a few kilobytes of ``[`` ran
into the recursion limit, a 500 on every endpoint that takes JSON, anonymous ones included. No
body of this API nests deeper than a few levels: deeper than ``MAX_DEPTH`` answers 400
``json_too_deep``, whether the decoder gave up or not.

This module is named in the settings and imported while DRF itself loads: it must not import
views or drf-spectacular.
"""

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


def _too_deep(data: Any, limit: int) -> bool:
    """Whether ``data`` nests lists and objects more than ``limit`` levels deep; without recursion."""
    level: list[Any] = [data]
    for _ in range(limit + 1):
        level = [
            child
            for value in level
            if isinstance(value, dict | list)
            for child in (value.values() if isinstance(value, dict) else value)
        ]
        if not level:
            return False
    return True


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            data = None
        else:
            if not _too_deep(data, MAX_DEPTH):
                return data
        raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels.", code="json_too_deep")
