from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Stable pages for clients that sync while rows are being added.

    A view names its order in ``ordering`` (a unique field or one ending in a unique one).
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-id",)

    def get_ordering(self, request, queryset, view) -> tuple[str, ...]:
        ordering = getattr(view, "ordering", None) or self.ordering
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)
