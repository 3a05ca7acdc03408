from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from careerhub.conditional import conditional_read, conditional_response, make_etag, shape_of
from careerhub.fields import StringField
from roadmaps.filters import SkillFilter
from roadmaps.models import CareerPath, MilestoneTemplate, Skill
from roadmaps.selectors.catalog import (
    career_path_get,
    career_path_list,
    career_path_validators,
    path_skill_groups,
    skill_get,
    skill_list,
    skill_validators,
)


class SkillBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Skill
        fields = ["slug", "name", "category"]


class LinkedTextSerializer(serializers.Serializer):
    text = StringField()
    milestones = serializers.ListField(child=serializers.SlugField(), help_text="Milestones that build it.")


class SuccessMetricSerializer(serializers.Serializer):
    name = StringField()
    description = StringField()
    milestones = serializers.ListField(child=serializers.SlugField(), help_text="Milestones that build it.")


class SkillGroupSerializer(serializers.Serializer):
    name = StringField()
    skills = SkillBriefSerializer(many=True)


class ResourceSerializer(serializers.Serializer):
    kind = StringField()
    title = StringField()
    url = serializers.URLField()


class MilestoneTemplateSerializer(serializers.ModelSerializer):
    skills = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    prerequisites = serializers.SerializerMethodField(help_text="Slugs of milestones to finish first.")
    resources = ResourceSerializer(many=True)
    acceptance_criteria = serializers.ListField(child=StringField())

    class Meta:
        model = MilestoneTemplate
        fields = [
            "slug",
            "kind",
            "title",
            "description",
            "estimated_hours",
            "evidence",
            "acceptance_criteria",
            "skills",
            "prerequisites",
            "resources",
        ]

    def get_prerequisites(self, milestone: MilestoneTemplate) -> list[str]:
        return [link.requires.slug for link in milestone.prerequisite_links.all()]


class StageSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = StringField()
    description = StringField()
    milestones = MilestoneTemplateSerializer(many=True)


class CareerPathListSerializer(serializers.ModelSerializer):
    milestone_count = serializers.IntegerField()
    estimated_hours = serializers.IntegerField(help_text="Sum of the milestones' estimated hours.")

    class Meta:
        model = CareerPath
        fields = ["slug", "title", "summary", "choose_if", "version", "milestone_count", "estimated_hours"]


class CareerPathDetailSerializer(CareerPathListSerializer):
    responsibilities = LinkedTextSerializer(many=True)
    success_metrics = SuccessMetricSerializer(many=True)
    getting_started = LinkedTextSerializer(many=True)
    skill_groups = serializers.SerializerMethodField()
    stages = StageSerializer(many=True)

    class Meta(CareerPathListSerializer.Meta):
        fields = [
            *CareerPathListSerializer.Meta.fields,
            "responsibilities",
            "success_metrics",
            "getting_started",
            "skill_groups",
            "stages",
        ]

    @extend_schema(responses=SkillGroupSerializer(many=True))
    def get_skill_groups(self, path: CareerPath) -> list[dict]:
        return SkillGroupSerializer(path_skill_groups(path), many=True).data


class SkillSerializer(SkillBriefSerializer):
    paths = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="slug", help_text="Career paths that require this skill."
    )

    class Meta(SkillBriefSerializer.Meta):
        fields = [*SkillBriefSerializer.Meta.fields, "paths"]


class SkillMilestoneSerializer(serializers.Serializer):
    path = serializers.SlugField(source="path.slug")
    slug = serializers.SlugField()
    title = StringField()
    kind = StringField()
    estimated_hours = serializers.IntegerField()


class SkillDetailSerializer(SkillSerializer):
    milestones = SkillMilestoneSerializer(many=True, help_text="Catalog milestones that build this skill.")

    class Meta(SkillSerializer.Meta):
        fields = [*SkillSerializer.Meta.fields, "milestones"]


class CatalogApi:
    """The catalog is public: anyone may browse it before signing up."""

    permission_classes = [AllowAny]
    authentication_classes: list = []


@extend_schema(tags=["catalog"], summary="List career paths")
class CareerPathListApi(CatalogApi, generics.ListAPIView):
    serializer_class = CareerPathListSerializer
    ordering = "slug"

    def get_queryset(self):
        return career_path_list()


@extend_schema(
    tags=["catalog"],
    summary="A career path with its stages, milestones and skills",
    **conditional_read(CareerPathDetailSerializer),
)
class CareerPathDetailApi(CatalogApi, generics.RetrieveAPIView):
    serializer_class = CareerPathDetailSerializer
    lookup_field = "slug"

    def get_object(self) -> CareerPath:
        return career_path_get(slug=self.kwargs["slug"])

    def retrieve(self, request, *args, **kwargs):
        slug = self.kwargs["slug"]
        etag = make_etag(shape_of(CareerPathDetailSerializer), career_path_validators(slug=slug))
        return conditional_response(request, etag, lambda: self.get_serializer(self.get_object()).data)


@extend_schema(tags=["catalog"], summary="List skills, shared across career paths")
class SkillListApi(CatalogApi, generics.ListAPIView):
    serializer_class = SkillSerializer
    filterset_class = SkillFilter
    ordering = "slug"

    def get_queryset(self):
        return skill_list()


@extend_schema(
    tags=["catalog"],
    summary="A skill with the paths that need it and the milestones that build it",
    **conditional_read(SkillDetailSerializer),
)
class SkillDetailApi(CatalogApi, generics.RetrieveAPIView):
    serializer_class = SkillDetailSerializer
    lookup_field = "slug"

    def get_object(self) -> Skill:
        return skill_get(slug=self.kwargs["slug"])

    def retrieve(self, request, *args, **kwargs):
        etag = make_etag(shape_of(SkillDetailSerializer), skill_validators(slug=self.kwargs["slug"]))
        return conditional_response(request, etag, lambda: self.get_serializer(self.get_object()).data)
