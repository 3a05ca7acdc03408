from django.db.models import QuerySet
from rest_framework import generics


# A list whose rows come from a selector that needs the requesting user (``select``). Schema
# generation calls ``get_queryset`` without a user; it gets an empty queryset of the serializer's
# model instead of a selector call. (A comment, not a docstring: the schema would publish it.)
class SelectorListApi(generics.ListAPIView):
    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return self.get_serializer_class().Meta.model.objects.none()
        return self.select()

    def select(self) -> QuerySet:
        raise NotImplementedError
