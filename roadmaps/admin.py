from django.contrib import admin
from django.db import models
from django.db.models import Count

from roadmaps.models import (
    CareerPath,
    Milestone,
    MilestonePrerequisite,
    MilestoneTemplate,
    PathSkill,
    ProgressEntry,
    Resource,
    ReviewComment,
    ReviewSubmission,
    Roadmap,
    Skill,
    Stage,
)
from roadmaps.services.catalog import catalog_path_version_bump


class VersionBumpingAdmin(admin.ModelAdmin):
    """An edit of catalog content in admin raises the path's version, so roadmaps offer it."""

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        if change and (form.has_changed() or any(formset.has_changed() for formset in formsets)):
            catalog_path_version_bump(path=self.path_of(form.instance))

    def path_of(self, obj) -> CareerPath:
        raise NotImplementedError


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "category", "path_count")
    list_filter = ("category", "paths")
    search_fields = ("slug", "name")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(path_count=Count("paths", distinct=True))

    @admin.display(ordering="path_count", description="Paths")
    def path_count(self, skill: Skill) -> int:
        return skill.path_count


class StageInline(admin.TabularInline):
    model = Stage
    fields = ("order", "slug", "title", "retired")
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = MilestoneTemplate
    fields = ("stage", "order", "slug", "kind", "title", "estimated_hours", "evidence", "retired")
    show_change_link = True
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("stage")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "stage" and (path_id := request.resolver_match.kwargs.get("object_id")):
            kwargs["queryset"] = Stage.objects.filter(path_id=path_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PathSkillInline(admin.TabularInline):
    model = PathSkill
    fields = ("group", "skill", "order")
    autocomplete_fields = ("skill",)
    extra = 0


@admin.register(CareerPath)
class CareerPathAdmin(VersionBumpingAdmin):
    list_display = ("title", "slug", "version", "milestone_count", "updated_at")
    search_fields = ("slug", "title", "summary")
    readonly_fields = ("version", "created_at", "updated_at")
    inlines = (StageInline, PathSkillInline, MilestoneInline)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(milestone_count=Count("milestones"))

    @admin.display(ordering="milestone_count", description="Milestones")
    def milestone_count(self, path: CareerPath) -> int:
        return path.milestone_count

    def path_of(self, obj: CareerPath) -> CareerPath:
        return obj


class ResourceInline(admin.TabularInline):
    model = Resource
    fields = ("order", "kind", "title", "url")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    extra = 0


class PrerequisiteInline(admin.TabularInline):
    model = MilestonePrerequisite
    fk_name = "milestone"
    fields = ("requires",)
    autocomplete_fields = ("requires",)
    verbose_name = "prerequisite"
    extra = 0


@admin.register(MilestoneTemplate)
class MilestoneTemplateAdmin(VersionBumpingAdmin):
    list_display = ("title", "path", "stage", "order", "kind", "estimated_hours", "retired")
    list_filter = ("path", "kind", "evidence", "retired", "stage__slug")
    list_select_related = ("path", "stage")
    search_fields = ("slug", "title", "description")
    filter_horizontal = ("skills",)
    inlines = (ResourceInline, PrerequisiteInline)

    def path_of(self, obj: MilestoneTemplate) -> CareerPath:
        return obj.path


class ReviewCommentInline(admin.TabularInline):
    model = ReviewComment
    fields = ("author", "body", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("author",)
    extra = 0


@admin.register(ReviewSubmission)
class ReviewSubmissionAdmin(admin.ModelAdmin):
    """Staff see every submission, and those left waiting longest first."""

    list_display = ("id", "milestone", "learner", "state", "created_at", "decided_at", "decided_by")
    list_filter = ("state",)
    search_fields = ("learner__email", "milestone__title")
    list_select_related = ("milestone__roadmap", "learner", "decided_by")
    ordering = ("state", "created_at")
    raw_id_fields = ("milestone",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    autocomplete_fields = ("learner", "decided_by")
    inlines = (ReviewCommentInline,)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Learners' own records, for staff to read: changes go through the app, by the learner."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class LearnerMilestoneInline(admin.TabularInline):
    model = Milestone
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ("position", "title", "kind", "state", "target_date", "logged_minutes", "completed_at", "evidence_url")
    readonly_fields = fields
    ordering = ("position", "id")
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Roadmap)
class RoadmapAdmin(ReadOnlyAdmin):
    """A learner's roadmaps with their milestones, read-only; reached from the user's page."""

    list_display = ("id", "learner", "path", "status", "catalog_version", "created_at")
    list_filter = ("status", "path")
    search_fields = ("learner__email",)
    list_select_related = ("learner", "path")
    inlines = (LearnerMilestoneInline,)


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    list_display = ("title", "roadmap", "state", "target_date", "logged_minutes")
    list_filter = ("state", "kind")
    search_fields = ("roadmap__learner__email", "title")
    list_select_related = ("roadmap__learner", "roadmap__path")
    exclude = ("note",)  # the learner's private note stays private, from staff too


@admin.register(ProgressEntry)
class ProgressEntryAdmin(ReadOnlyAdmin):
    """The learner's progress log, newest first."""

    list_display = ("logged_at", "learner", "milestone", "minutes", "state_from", "state_to")
    list_filter = ("state_to",)
    search_fields = ("learner__email", "milestone__title")
    list_select_related = ("learner", "milestone__roadmap__path")
    ordering = ("-logged_at",)
    date_hierarchy = "logged_at"
