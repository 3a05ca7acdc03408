from base64 import b64decode, b64encode
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib import parse

from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Field, Model
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.utils.urls import replace_query_param

from careerhub.exceptions import ApplicationError


class CursorPagination(pagination.CursorPagination):
    """Stable pages for clients that sync while rows are being added.

    A view names its order in ``ordering`` (a unique field or one ending in a unique one).
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-id",)
    position_field: Field | None = None

    def get_page_size(self, request) -> int:
        """A page size the client asks for must be 1 to ``max_page_size``: a 400, never a slow page."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]})
        return int(raw)

    def get_schema_operation_parameters(self, view) -> list[dict[str, Any]]:
        """DRF's parameters, with the bounds ``get_page_size`` and ``decode_cursor`` hold to."""
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] |= {"minimum": 1, "maximum": self.max_page_size, "default": self.page_size}
                parameter["description"] = f"Results per page, 1 to {self.max_page_size}."
            elif parameter["name"] == self.cursor_query_param:
                parameter["description"] = (
                    "The `next` or `previous` link's cursor, as given: any other answers 400 `invalid_cursor`."
                )
        return parameters

    def get_ordering(self, request, queryset, view) -> tuple[str, ...]:
        ordering = getattr(view, "ordering", None) or self.ordering
        ordering = (ordering,) if isinstance(ordering, str) else tuple(ordering)
        try:
            self.position_field = queryset.model._meta.get_field(ordering[0].lstrip("-"))
        except FieldDoesNotExist:  # an annotation: its values are not checked here
            self.position_field = None
        return ordering

    def encode_cursor(self, cursor: pagination.Cursor) -> str:
        """DRF's cursor, signed for the list's path: the client can only send back one it was given."""
        tokens = {"o": str(cursor.offset)} if cursor.offset else {}
        tokens |= {"r": "1"} if cursor.reverse else {}
        tokens |= {"p": cursor.position} if cursor.position is not None else {}
        encoded = b64encode(parse.urlencode(tokens).encode("ascii")).decode("ascii")
        signed = _signer(parse.urlsplit(self.base_url).path).sign(encoded)
        return replace_query_param(self.base_url, self.cursor_query_param, signed)

    def decode_cursor(self, request) -> pagination.Cursor | None:
        """The cursor as ``encode_cursor`` made it for this list; anything else (forged, edited, from
        another list) answers 400 ``invalid_cursor``, as the sync cursor does."""
        raw = request.query_params.get(self.cursor_query_param)
        if raw is None:
            return None
        try:
            encoded = _signer(request.path).unsign(raw)
            tokens = parse.parse_qs(b64decode(encoded.encode("ascii")).decode("ascii"), keep_blank_values=True)
            cursor = pagination.Cursor(
                offset=pagination._positive_int(tokens.get("o", ["0"])[0], cutoff=self.offset_cutoff),
                reverse=tokens.get("r", ["0"])[0] == "1",
                position=tokens.get("p", [None])[0],
            )
            if cursor.position is not None and self.position_field is not None:
                self.position_field.to_python(cursor.position)
        except (signing.BadSignature, ValueError, TypeError, DjangoValidationError) as error:
            raise ApplicationError("This is not a cursor of this list.", code="invalid_cursor") from error
        return cursor


def _signer(path: str) -> signing.Signer:
    return signing.Signer(salt=f"careerhub.pagination.cursor:{path}")


@dataclass(frozen=True)
class Window:
    """Which rows a page asks for: after (or before) a position of the ordering's first field, in the
    ordering or its reverse, from an offset."""

    descending: bool = False
    after: Any = None  # position greater than this
    before: Any = None  # position less than this
    offset: int = 0
    limit: int | None = None


@dataclass(frozen=True)
class WindowedRows:
    """Rows that ``fetch(window)`` reads (plain SQL, say), handed to ``CursorPagination`` in place of a
    queryset, so that a hot list keeps the paginator's cursors and links exactly.

    The paginator asks three things of a queryset: the order (the view's ``ordering`` or its reverse),
    a filter past the cursor's position on the ordering's first field (``<field>__gt`` or ``__lt``,
    with the cursor's text), and a slice. ``fetch`` orders by the whole ``ordering`` itself.
    """

    model: type[Model]
    ordering: tuple[str, ...]
    fetch: Callable[[Window], list[dict[str, Any]]]
    window: Window = Window()

    def order_by(self, *fields: str) -> "WindowedRows":
        if fields == self.ordering:
            return replace(self, window=replace(self.window, descending=False))
        if fields == pagination._reverse_ordering(self.ordering):
            return replace(self, window=replace(self.window, descending=True))
        raise ValueError(f"Rows ordered by {self.ordering} (or its reverse), not {fields}.")

    def filter(self, **lookup: Any) -> "WindowedRows":
        ((key, value),) = lookup.items()
        name, operator = key.rsplit("__", 1)
        if name != self.ordering[0].lstrip("-") or operator not in ("gt", "lt"):
            raise ValueError(f"Rows are filtered by their position only, not {key}.")
        position = self.model._meta.get_field(name).to_python(value)
        bound = {"after": position} if operator == "gt" else {"before": position}
        return replace(self, window=replace(self.window, **bound))

    def __getitem__(self, rows: slice) -> list[dict[str, Any]]:
        offset = rows.start or 0
        return self.fetch(replace(self.window, offset=offset, limit=rows.stop - offset))
