from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404

from roadmaps.models import CareerPath, MilestonePrerequisite, MilestoneTemplate, PathSkill, Skill, Stage

_LIVE = Q(milestones__retired=False)


def career_path_list() -> QuerySet[CareerPath]:
    return CareerPath.objects.annotate(
        milestone_count=Count("milestones", filter=_LIVE),
        estimated_hours=Sum("milestones__estimated_hours", filter=_LIVE, default=0),
    ).order_by("slug")


def _live_milestones() -> QuerySet[MilestoneTemplate]:
    return (
        MilestoneTemplate.objects.filter(retired=False)
        .order_by("order", "id")
        .prefetch_related(
            Prefetch("skills", queryset=Skill.objects.order_by("slug")),
            Prefetch(
                "prerequisite_links",
                queryset=MilestonePrerequisite.objects.select_related("requires").order_by("requires__slug"),
            ),
            "resources",
        )
    )


def career_path_get(*, slug: str) -> CareerPath:
    """A path with its live stages, milestones, resources and skills, in a fixed number of queries."""
    stages = (
        Stage.objects.filter(retired=False)
        .order_by("order", "id")
        .prefetch_related(Prefetch("milestones", queryset=_live_milestones()))
    )
    queryset = career_path_list().prefetch_related(
        Prefetch("stages", queryset=stages),
        Prefetch("path_skills", queryset=PathSkill.objects.select_related("skill").order_by("order", "id")),
    )
    return get_object_or_404(queryset, slug=slug)


def path_skill_groups(path: CareerPath) -> list[dict[str, Any]]:
    """The path's skills grouped as the catalog file groups them, in catalog order."""
    groups: dict[str, list[Skill]] = {}
    for path_skill in path.path_skills.all():
        groups.setdefault(path_skill.group, []).append(path_skill.skill)
    return [{"name": name, "skills": skills} for name, skills in groups.items()]


def catalog_path_export(*, path: CareerPath) -> dict[str, Any]:
    """The path as the catalog file describes it (docs/catalog.md), read from the database.

    Skill and prerequisite lists are sorted: they are sets, and sorting makes two exports
    of the same content compare equal.
    """
    path = career_path_get(slug=path.slug)
    return {
        "slug": path.slug,
        "title": path.title,
        "summary": path.summary,
        "choose_if": path.choose_if,
        "responsibilities": path.responsibilities,
        "success_metrics": path.success_metrics,
        "skill_groups": [
            {"name": group["name"], "skills": [skill.slug for skill in group["skills"]]}
            for group in path_skill_groups(path)
        ],
        "getting_started": path.getting_started,
        "stages": [
            {
                "slug": stage.slug,
                "title": stage.title,
                "description": stage.description,
                "milestones": [
                    {
                        "slug": milestone.slug,
                        "kind": milestone.kind,
                        "title": milestone.title,
                        "description": milestone.description,
                        "estimated_hours": milestone.estimated_hours,
                        "skills": [skill.slug for skill in milestone.skills.all()],
                        "prerequisites": [link.requires.slug for link in milestone.prerequisite_links.all()],
                        "resources": [
                            {"kind": resource.kind, "title": resource.title, "url": resource.url}
                            for resource in milestone.resources.all()
                        ],
                        "evidence": milestone.evidence,
                        "acceptance_criteria": milestone.acceptance_criteria,
                    }
                    for milestone in stage.milestones.all()
                ],
            }
            for stage in path.stages.all()
        ],
    }


def skill_list() -> QuerySet[Skill]:
    return Skill.objects.prefetch_related(Prefetch("paths", queryset=CareerPath.objects.order_by("slug"))).order_by(
        "slug"
    )


def skill_get(*, slug: str) -> Skill:
    milestones = MilestoneTemplate.objects.filter(retired=False).select_related("path").order_by("path__slug", "order")
    queryset = skill_list().prefetch_related(Prefetch("milestones", queryset=milestones))
    return get_object_or_404(queryset, slug=slug)


# ETag validators: cheap reads that change whenever a detail's representation does.


def career_path_validators(*, slug: str) -> list[tuple]:
    """The path's version (raised on every content change) and its skills' names and categories,
    which the catalog renames without a new version; 404 for an unknown slug. One query."""
    rows = list(
        CareerPath.objects.filter(slug=slug)
        .order_by("path_skills__order", "path_skills__id")
        .values_list("version", "updated_at", "path_skills__skill__name", "path_skills__skill__category")
    )
    if not rows:
        raise Http404
    return rows


def skill_validators(*, slug: str) -> tuple:
    """The skill's own fields and every path's version (a path that adds, drops or edits a milestone
    building the skill gets a new version); 404 for an unknown slug. Two queries."""
    skill = get_object_or_404(Skill.objects.values_list("name", "category"), slug=slug)
    return skill, list(CareerPath.objects.order_by("id").values_list("id", "slug", "version"))
