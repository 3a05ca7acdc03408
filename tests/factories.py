import factory

from accounts.models import User
from roadmaps.models import CareerPath, MilestoneTemplate, Resource, Skill, Stage


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    display_name = factory.Faker("name")
    password = factory.django.Password("correct horse battery staple")


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
