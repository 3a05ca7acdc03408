import pytest
from django.db import IntegrityError

from roadmaps.models import MilestonePrerequisite, MilestoneTemplate
from tests.factories import MilestoneTemplateFactory, StageFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "fields",
    [
        {"estimated_hours": 0},
        {"estimated_hours": 1001},
        {"kind": "certification", "evidence": "none"},
        {"kind": "project", "evidence": "link"},
    ],
)
def test_the_database_refuses_a_milestone_that_breaks_a_rule(fields):
    milestone = MilestoneTemplateFactory()

    with pytest.raises(IntegrityError):
        MilestoneTemplate.objects.filter(pk=milestone.pk).update(**fields)


def test_a_slug_is_unique_within_its_path_only():
    first = MilestoneTemplateFactory(slug="python-basics")
    MilestoneTemplateFactory(slug="python-basics", stage=StageFactory())  # another path

    with pytest.raises(IntegrityError):
        MilestoneTemplateFactory(slug="python-basics", stage=first.stage)


def test_a_milestone_cannot_require_itself():
    milestone = MilestoneTemplateFactory()

    with pytest.raises(IntegrityError):
        MilestonePrerequisite.objects.create(milestone=milestone, requires=milestone)
