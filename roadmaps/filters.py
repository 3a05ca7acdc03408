import django_filters

from roadmaps.models import Skill


class SkillFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=Skill.Category.choices)
    path = django_filters.CharFilter(
        field_name="path_skills__path__slug", help_text="Only skills this career path requires (path slug)."
    )

    class Meta:
        model = Skill
        fields = ["category", "path"]
