from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class CursorPagination(pagination.CursorPagination):
    """Stable pages for clients that sync while rows are being added.

    A view names its order in ``ordering`` (a unique field or one ending in a unique one).
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-id",)

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
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)
