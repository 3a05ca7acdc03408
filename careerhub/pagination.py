from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Field
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError


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
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]})
        return int(raw)

    def get_ordering(self, request, queryset, view) -> tuple[str, ...]:
        ordering = getattr(view, "ordering", None) or self.ordering
        ordering = (ordering,) if isinstance(ordering, str) else tuple(ordering)
        try:
            self.position_field = queryset.model._meta.get_field(ordering[0].lstrip("-"))
        except FieldDoesNotExist:  # an annotation: its values are not checked here
            self.position_field = None
        return ordering

    def decode_cursor(self, request) -> pagination.Cursor | None:
        """A cursor whose position is not a value of the ordering's first field (``p=abc`` for a number)
        is a cursor this list never gave out: the same 404 as one that does not decode, not a 500."""
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None and self.position_field is not None:
            try:
                self.position_field.to_python(cursor.position)
            except DjangoValidationError as error:
                raise NotFound(self.invalid_cursor_message) from error
        return cursor
