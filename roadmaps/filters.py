import django_filters

from careerhub.filters import AnyChoicesFilter
from roadmaps.models import Milestone, MilestoneTemplate, Roadmap, Skill


class SkillFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=Skill.Category.choices)
    path = django_filters.CharFilter(
        field_name="path_skills__path__slug", help_text="Only skills this career path requires (path slug)."
    )

    class Meta:
        model = Skill
        fields = ["category", "path"]


class MilestoneFilter(django_filters.FilterSet):
    state = AnyChoicesFilter(choices=Milestone.State.choices, help_text="One or more states.")
    kind = AnyChoicesFilter(choices=MilestoneTemplate.Kind.choices)
    due_before = django_filters.DateFilter(
        field_name="target_date", lookup_expr="lte", help_text="Target date on or before this day."
    )
    due_after = django_filters.DateFilter(
        field_name="target_date", lookup_expr="gte", help_text="Target date on or after this day."
    )

    class Meta:
        model = Milestone
        fields = ["state", "kind", "due_before", "due_after"]


class RoadmapFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Roadmap.Status.choices)

    class Meta:
        model = Roadmap
        fields = ["status"]
