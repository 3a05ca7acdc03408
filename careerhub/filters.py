"""Filters the lists share."""

import django_filters
from django_filters.fields import MultipleChoiceField


class _ChoicesWithoutEmpty(MultipleChoiceField):
    def clean(self, value):
        return super().clean([choice for choice in value or () if choice != ""])


class AnyChoicesFilter(django_filters.MultipleChoiceFilter):
    """One or more choices; an empty one (a form's "any") filters nothing, as an empty filter of
    every other kind does, rather than being refused."""

    field_class = _ChoicesWithoutEmpty
