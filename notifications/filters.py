import django_filters

from careerhub.filters import AnyChoicesFilter
from notifications.models import Kind, Notification


class NotificationFilter(django_filters.FilterSet):
    # A choice, not a BooleanFilter: that one ignores a value it cannot read instead of answering 400.
    unread = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_unread",
        help_text="true: only unread; false: only read.",
    )
    kind = AnyChoicesFilter(choices=Kind.choices)

    class Meta:
        model = Notification
        fields = ["unread", "kind"]

    def filter_unread(self, queryset, name, value):
        return queryset.filter(read_at__isnull=value == "true")
