from collections import Counter
from datetime import UTC, datetime

import factory
from django.db.models import F

from accounts.models import User
from roadmaps.models import CareerPath, Milestone, MilestoneTemplate, PathSkill, ProgressEntry, Resource, Skill, Stage


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    display_name = factory.Faker("name")
    password = factory.django.Password("correct horse battery staple")

    class Params:
        # A user who confirmed their address: they get reminders by email too.
        verified = factory.Trait(email_verified_at=factory.LazyFunction(lambda: datetime(2026, 1, 1, tzinfo=UTC)))


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill

    slug = factory.Sequence(lambda n: f"skill-{n}")
    name = factory.Sequence(lambda n: f"Skill {n}")
    category = Skill.Category.PROGRAMMING


class CareerPathFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareerPath

    slug = factory.Sequence(lambda n: f"path-{n}")
    title = factory.Sequence(lambda n: f"Path {n}")
    summary = "What the role does."
    choose_if = "You enjoy it."
    responsibilities = factory.LazyFunction(list)
    success_metrics = factory.LazyFunction(list)
    getting_started = factory.LazyFunction(list)


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    path = factory.SubFactory(CareerPathFactory)
    slug = factory.Sequence(lambda n: f"stage-{n}")
    title = factory.Sequence(lambda n: f"Stage {n}")
    description = "A stage."


class MilestoneTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MilestoneTemplate
        skip_postgeneration_save = True

    stage = factory.SubFactory(StageFactory)
    path = factory.SelfAttribute("stage.path")
    slug = factory.Sequence(lambda n: f"milestone-{n}")
    order = factory.Sequence(int)
    kind = MilestoneTemplate.Kind.SKILL
    title = factory.Sequence(lambda n: f"Milestone {n}")
    description = "Do the thing."
    estimated_hours = 10

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        if create and extracted:
            self.skills.set(extracted)


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    milestone = factory.SubFactory(MilestoneTemplateFactory)
    kind = Resource.Kind.DOCUMENTATION
    title = "Official docs"
    url = factory.Sequence(lambda n: f"https://docs.example.org/{n}/")


def small_path(*, slug: str = "mlops-engineer", extra_milestones: int = 0) -> CareerPath:
    """A path of two stages: a skill, a course, a certification and a project (plus extra skills)."""
    path = CareerPathFactory(slug=slug, title=slug.replace("-", " ").title())
    basics = StageFactory(path=path, slug="foundations", title="Foundations", order=0)
    portfolio = StageFactory(path=path, slug="portfolio", title="Portfolio", order=1)
    python = Skill.objects.get_or_create(slug="python", defaults={"name": "Python", "category": "programming"})[0]
    docker = Skill.objects.get_or_create(slug="docker", defaults={"name": "Docker", "category": "devops"})[0]
    MilestoneTemplateFactory(stage=basics, slug="python-basics", order=0, estimated_hours=10, skills=[python])
    MilestoneTemplateFactory(
        stage=basics, slug="docker-course", kind="course", order=1, estimated_hours=20, skills=[docker]
    )
    for index in range(extra_milestones):
        MilestoneTemplateFactory(
            stage=basics, slug=f"extra-{index}", order=2 + index, estimated_hours=1, skills=[python]
        )
    MilestoneTemplateFactory(
        stage=portfolio,
        slug="cloud-cert",
        kind="certification",
        evidence="credential",
        order=0,
        estimated_hours=40,
        skills=[docker],
    )
    MilestoneTemplateFactory(
        stage=portfolio,
        slug="pipeline-project",
        kind="project",
        evidence="repository",
        order=1,
        estimated_hours=30,
        acceptance_criteria=["It retrains.", "It gates.", "It rolls back."],
        skills=[python, docker],
    )
    for template in path.milestones.all():
        PathSkill.objects.get_or_create(path=path, skill=template.skills.first(), defaults={"group": "Core"})
    return path


def entries_bulk_create(entries) -> list[ProgressEntry]:
    """Progress entries written directly (fast, for query-count tests), with each milestone's minute
    counter raised as ``progress_entry_log`` raises it."""
    created = ProgressEntry.objects.bulk_create(entries)
    minutes = Counter()
    for entry in created:
        minutes[entry.milestone_id] += entry.minutes
    for milestone_id, total in minutes.items():
        Milestone.objects.filter(pk=milestone_id).update(logged_minutes=F("logged_minutes") + total)
    return created
