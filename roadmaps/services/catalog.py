from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import F

from careerhub.services import fields_assign
from roadmaps.catalog import Catalog, catalog_read, milestones_of
from roadmaps.models import (
    CareerPath,
    MilestonePrerequisite,
    MilestoneTemplate,
    PathSkill,
    Resource,
    Skill,
    Stage,
)
from roadmaps.selectors.catalog import catalog_path_export


@dataclass
class CatalogLoadReport:
    skills_created: list[str] = field(default_factory=list)
    skills_updated: list[str] = field(default_factory=list)
    paths_created: list[str] = field(default_factory=list)
    paths_updated: list[str] = field(default_factory=list)
    paths_unchanged: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.skills_created or self.skills_updated or self.paths_created or self.paths_updated)


def _canonical(path: dict[str, Any]) -> dict[str, Any]:
    """Validated file data in the shape ``catalog_path_export`` produces, for comparison."""
    canonical = {"slug": path["slug"], **_path_values(path)}
    canonical["skill_groups"] = [{"name": g["name"], "skills": list(g["skills"])} for g in path["skill_groups"]]
    canonical["stages"] = [
        {
            "slug": stage["slug"],
            "title": stage["title"],
            "description": stage["description"],
            "milestones": [
                {
                    **{key: milestone[key] for key in ("slug", "kind", "title", "description", "estimated_hours")},
                    "skills": sorted(set(milestone["skills"])),
                    "prerequisites": sorted(set(milestone["prerequisites"])),
                    "resources": [dict(resource) for resource in milestone["resources"]],
                    "evidence": milestone["evidence"],
                    "acceptance_criteria": list(milestone["acceptance_criteria"]),
                }
                for milestone in stage["milestones"]
            ],
        }
        for stage in path["stages"]
    ]
    return canonical


def _path_values(path: dict[str, Any]) -> dict[str, Any]:
    values = {name: path[name] for name in ("title", "summary", "choose_if")}
    for name in ("responsibilities", "success_metrics", "getting_started"):
        values[name] = [dict(item) for item in path[name]]
    return values


def _skills_upsert(skills: list[dict[str, Any]], report: CatalogLoadReport) -> dict[str, Skill]:
    existing = {skill.slug: skill for skill in Skill.objects.all()}
    for data in skills:
        skill = existing.get(data["slug"])
        if skill is None:
            existing[data["slug"]] = Skill.objects.create(**data)
            report.skills_created.append(data["slug"])
        elif changed := fields_assign(skill, {"name": data["name"], "category": data["category"]}):
            skill.save(update_fields=changed)
            report.skills_updated.append(data["slug"])
    return existing


def _milestone_upsert(
    path: CareerPath, milestones: dict[str, MilestoneTemplate], data: dict[str, Any], *, stage: Stage, order: int
) -> None:
    values = {
        "stage_id": stage.pk,
        "order": order,
        "kind": data["kind"],
        "title": data["title"],
        "description": data["description"],
        "estimated_hours": data["estimated_hours"],
        "evidence": data["evidence"],
        "acceptance_criteria": list(data["acceptance_criteria"]),
        "retired": False,
    }
    milestone = milestones.get(data["slug"])
    if milestone is None:
        milestones[data["slug"]] = MilestoneTemplate.objects.create(path=path, slug=data["slug"], **values)
    elif changed := fields_assign(milestone, values):
        milestone.save(update_fields=changed)


def _path_write(path: CareerPath, data: dict[str, Any], skills: dict[str, Skill]) -> None:
    """Make the rows of ``path`` match ``data``, keeping the identity of every stage and milestone."""
    stages = {stage.slug: stage for stage in path.stages.all()}
    for order, stage_data in enumerate(data["stages"]):
        values = {"title": stage_data["title"], "description": stage_data["description"], "order": order}
        stage = stages.get(stage_data["slug"])
        if stage is None:
            stages[stage_data["slug"]] = Stage.objects.create(path=path, slug=stage_data["slug"], **values)
        elif changed := fields_assign(stage, {**values, "retired": False}):
            stage.save(update_fields=changed)
    live_stage_slugs = {stage["slug"] for stage in data["stages"]}
    path.stages.exclude(slug__in=live_stage_slugs).update(retired=True)

    milestones = {milestone.slug: milestone for milestone in path.milestones.all()}
    for stage_data in data["stages"]:
        for order, milestone_data in enumerate(stage_data["milestones"]):
            _milestone_upsert(path, milestones, milestone_data, stage=stages[stage_data["slug"]], order=order)
    live_slugs = {milestone["slug"] for _, milestone in milestones_of(data)}
    # Never delete: learners' roadmaps refer to these slugs.
    path.milestones.exclude(slug__in=live_slugs).update(retired=True)

    # Links below carry no progress of their own, so they are simply rewritten.
    live = [(milestones[m["slug"]], m) for _, m in milestones_of(data)]
    Resource.objects.filter(milestone__path=path).delete()
    Resource.objects.bulk_create(
        Resource(milestone=milestone, order=order, **resource)
        for milestone, data_ in live
        for order, resource in enumerate(data_["resources"])
    )
    MilestoneSkill = MilestoneTemplate.skills.through
    MilestoneSkill.objects.filter(milestonetemplate__path=path).delete()
    MilestoneSkill.objects.bulk_create(
        MilestoneSkill(milestonetemplate=milestone, skill=skills[slug])
        for milestone, data_ in live
        for slug in sorted(set(data_["skills"]))
    )
    MilestonePrerequisite.objects.filter(milestone__path=path).delete()
    MilestonePrerequisite.objects.bulk_create(
        MilestonePrerequisite(milestone=milestone, requires=milestones[slug])
        for milestone, data_ in live
        for slug in sorted(set(data_["prerequisites"]))
    )
    PathSkill.objects.filter(path=path).delete()
    PathSkill.objects.bulk_create(
        PathSkill(path=path, skill=skills[slug], group=group["name"], order=order)
        for order, (group, slug) in enumerate((g, s) for g in data["skill_groups"] for s in g["skills"])
    )


@transaction.atomic
def catalog_write(*, catalog: Catalog) -> CatalogLoadReport:
    """Upsert a validated catalog by slug; a path whose content changed gets a new version."""
    report = CatalogLoadReport()
    skills = _skills_upsert(catalog.skills, report)
    existing = {
        path.slug: path
        for path in CareerPath.objects.select_for_update().filter(slug__in=[p["slug"] for p in catalog.paths])
    }
    for data in catalog.paths:
        values = _path_values(data)
        path = existing.get(data["slug"])
        if path is None:
            path = CareerPath.objects.create(slug=data["slug"], **values)
            _path_write(path, data, skills)
            report.paths_created.append(path.slug)
            continue
        if catalog_path_export(path=path) == _canonical(data):
            report.paths_unchanged.append(path.slug)
            continue
        changed = fields_assign(path, values)
        path.version = F("version") + 1
        path.save(update_fields=[*changed, "version", "updated_at"])
        _path_write(path, data, skills)
        report.paths_updated.append(path.slug)
    return report


def catalog_load(*, directory: Path) -> CatalogLoadReport:
    """Validate every file under ``directory`` first, then write them all in one transaction."""
    return catalog_write(catalog=catalog_read(directory))


def catalog_path_version_bump(*, path: CareerPath) -> None:
    """Record that staff edited the path, so learners' roadmaps offer the upgrade."""
    CareerPath.objects.filter(pk=path.pk).update(version=F("version") + 1)
