"""Reading and validating the catalog files in ``fixtures/`` (format: docs/catalog.md).

``catalog_read`` either returns the whole catalog, validated, or raises ``CatalogError``
listing every problem as ``<file>: <field>: <message>``. Nothing here touches the database.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

import yaml
from rest_framework import serializers

from careerhub.exceptions import flatten_errors
from roadmaps.models import MilestoneTemplate, Resource, Skill, http_url

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser when libyaml is present
MIN_MILESTONES, MAX_MILESTONES = 15, 30
MIN_PROJECTS, MIN_CERTIFICATIONS, MIN_PROJECT_CRITERIA = 3, 1, 3
DEFAULT_EVIDENCE = {
    MilestoneTemplate.Kind.CERTIFICATION: MilestoneTemplate.Evidence.CREDENTIAL,
    MilestoneTemplate.Kind.PROJECT: MilestoneTemplate.Evidence.REPOSITORY,
}


class CatalogError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class StrictSerializer(serializers.Serializer):
    """Rejects keys it does not know, so a misspelt optional field is not silently lost."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({key: ["Unknown field."] for key in unknown})
        return super().to_internal_value(data)


def slug_field() -> serializers.RegexField:
    return serializers.RegexField(
        SLUG_PATTERN,
        max_length=100,
        error_messages={"invalid": "Use lowercase words joined by hyphens."},
    )


def slug_list(*, min_length: int = 0) -> serializers.ListField:
    return serializers.ListField(child=slug_field(), min_length=min_length, default=list)


class SkillSchema(StrictSerializer):
    slug = slug_field()
    name = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=Skill.Category.choices)


class SkillFileSchema(StrictSerializer):
    skills = SkillSchema(many=True, allow_empty=False)


class ResourceSchema(StrictSerializer):
    kind = serializers.ChoiceField(choices=Resource.Kind.choices)
    title = serializers.CharField(max_length=200)
    url = serializers.URLField(max_length=500, validators=[http_url])


class MilestoneSchema(StrictSerializer):
    slug = slug_field()
    kind = serializers.ChoiceField(choices=MilestoneTemplate.Kind.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField()
    estimated_hours = serializers.IntegerField(min_value=1, max_value=1000)
    skills = slug_list(min_length=1)
    prerequisites = slug_list()
    resources = ResourceSchema(many=True, allow_empty=False)
    evidence = serializers.ChoiceField(choices=MilestoneTemplate.Evidence.choices, required=False)
    acceptance_criteria = serializers.ListField(child=serializers.CharField(), default=list)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        kind = data["kind"]
        data.setdefault("evidence", DEFAULT_EVIDENCE.get(kind, MilestoneTemplate.Evidence.NONE))
        required = DEFAULT_EVIDENCE.get(kind)
        if required and data["evidence"] != required:
            raise serializers.ValidationError({"evidence": f"A {kind} milestone needs evidence: {required}."})
        criteria = data["acceptance_criteria"]
        if kind == MilestoneTemplate.Kind.PROJECT and len(criteria) < MIN_PROJECT_CRITERIA:
            raise serializers.ValidationError(
                {"acceptance_criteria": f"A project needs at least {MIN_PROJECT_CRITERIA} acceptance criteria."}
            )
        if kind != MilestoneTemplate.Kind.PROJECT and criteria:
            raise serializers.ValidationError({"acceptance_criteria": "Only projects have acceptance criteria."})
        return data


class StageSchema(StrictSerializer):
    slug = slug_field()
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(default="", allow_blank=True)
    milestones = MilestoneSchema(many=True, allow_empty=False)


class LinkedTextSchema(StrictSerializer):
    text = serializers.CharField()
    milestones = slug_list(min_length=1)


class SuccessMetricSchema(StrictSerializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField()
    milestones = slug_list(min_length=1)


class SkillGroupSchema(StrictSerializer):
    name = serializers.CharField(max_length=120)
    skills = slug_list(min_length=1)


class PathSchema(StrictSerializer):
    slug = slug_field()
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField()
    choose_if = serializers.CharField()
    responsibilities = LinkedTextSchema(many=True, allow_empty=False)
    success_metrics = SuccessMetricSchema(many=True, allow_empty=False)
    skill_groups = SkillGroupSchema(many=True, allow_empty=False)
    getting_started = LinkedTextSchema(many=True, allow_empty=False)
    stages = StageSchema(many=True, allow_empty=False)


@dataclass(frozen=True)
class Catalog:
    skills: list[dict[str, Any]]
    paths: list[dict[str, Any]]


def _load_yaml(file: Path) -> Any:
    try:
        return yaml.load(file.read_text(encoding="utf-8"), Loader=SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise CatalogError([f"{file.name}: {where}not valid YAML ({getattr(error, 'problem', error)})"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogError([f"{file.name}: cannot be read ({error})"]) from None


def _validate(schema: type[serializers.Serializer], data: Any, label: str) -> tuple[dict[str, Any] | None, list[str]]:
    if not isinstance(data, dict):
        return None, [f"{label}: the file must hold a mapping of fields"]
    serializer = schema(data=data)
    if serializer.is_valid():
        return serializer.validated_data, []
    return None, [
        f"{label}: {error['field'] or '(file)'}: {error['detail']}" for error in flatten_errors(serializer.errors)
    ]


def milestones_of(path: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    """Every milestone of a validated path with its field location, in catalog order."""
    for s, stage in enumerate(path["stages"]):
        for m, milestone in enumerate(stage["milestones"]):
            yield f"stages[{s}].milestones[{m}]", milestone


def _path_problems(path: dict[str, Any], skill_slugs: set[str] | None, label: str) -> list[str]:
    """Cross-field rules; skill references are checked only when ``skill_slugs`` is known."""
    problems: list[str] = []
    known_skill = (lambda slug: True) if skill_slugs is None else skill_slugs.__contains__

    def problem(field: str, message: str) -> None:
        problems.append(f"{label}: {field}: {message}")

    stage_slugs = [stage["slug"] for stage in path["stages"]]
    for index, slug in enumerate(stage_slugs):
        if stage_slugs.index(slug) != index:
            problem(f"stages[{index}].slug", f"'{slug}' is used by another stage of this path.")

    milestones = list(milestones_of(path))
    seen: dict[str, str] = {}
    for where, milestone in milestones:
        slug = milestone["slug"]
        if slug in seen:
            problem(f"{where}.slug", f"'{slug}' is already used at {seen[slug]}.")
        seen.setdefault(slug, where)
        for skill in milestone["skills"]:
            if not known_skill(skill):
                problem(f"{where}.skills", f"unknown skill '{skill}' (not in skills.yaml).")

    graph: dict[str, set[str]] = {}
    for where, milestone in milestones:
        for required in milestone["prerequisites"]:
            if required == milestone["slug"]:
                problem(f"{where}.prerequisites", "a milestone cannot be its own prerequisite.")
            elif required not in seen:
                problem(f"{where}.prerequisites", f"unknown milestone '{required}'.")
        graph[milestone["slug"]] = set(milestone["prerequisites"]) - {milestone["slug"]}
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as error:
        problem("stages", f"prerequisites form a cycle: {' -> '.join(error.args[1])}.")

    for field in ("responsibilities", "success_metrics", "getting_started"):
        for index, item in enumerate(path[field]):
            for slug in item["milestones"]:
                if slug not in seen:
                    problem(f"{field}[{index}].milestones", f"unknown milestone '{slug}'.")

    built = {skill for _, milestone in milestones for skill in milestone["skills"]}
    grouped: dict[str, str] = {}
    for index, group in enumerate(path["skill_groups"]):
        for skill in group["skills"]:
            where = f"skill_groups[{index}].skills"
            if not known_skill(skill):
                problem(where, f"unknown skill '{skill}' (not in skills.yaml).")
            elif skill not in built:
                problem(where, f"no milestone of this path builds '{skill}'.")
            if skill in grouped:
                problem(where, f"'{skill}' is already in the group '{grouped[skill]}'.")
            grouped.setdefault(skill, group["name"])

    kinds = [milestone["kind"] for _, milestone in milestones]
    if not MIN_MILESTONES <= len(kinds) <= MAX_MILESTONES:
        problem("stages", f"has {len(kinds)} milestones; a path needs {MIN_MILESTONES} to {MAX_MILESTONES}.")
    if kinds.count(MilestoneTemplate.Kind.PROJECT) < MIN_PROJECTS:
        problem("stages", f"a path needs at least {MIN_PROJECTS} project milestones.")
    if kinds.count(MilestoneTemplate.Kind.CERTIFICATION) < MIN_CERTIFICATIONS:
        problem("stages", f"a path needs at least {MIN_CERTIFICATIONS} certification milestone.")
    return problems


def catalog_read(directory: Path) -> Catalog:
    """Read ``skills.yaml`` and ``paths/*.yaml`` under ``directory``; all valid, or ``CatalogError``."""
    problems: list[str] = []
    skills_file = directory / "skills.yaml"
    if not skills_file.is_file():
        raise CatalogError([f"{skills_file}: missing"])
    skill_data, skill_problems = _validate(SkillFileSchema, _load_yaml(skills_file), "skills.yaml")
    problems += skill_problems
    skills = skill_data["skills"] if skill_data else []
    skill_slugs = [skill["slug"] for skill in skills]
    for index, slug in enumerate(skill_slugs):
        if skill_slugs.index(slug) != index:
            problems.append(f"skills.yaml: skills[{index}].slug: '{slug}' is defined twice.")

    path_files = sorted((directory / "paths").glob("*.yaml"))
    if not path_files:
        problems.append(f"{directory / 'paths'}: no path files (*.yaml)")
    paths = []
    for file in path_files:
        label = f"paths/{file.name}"
        try:
            raw = _load_yaml(file)
        except CatalogError as error:
            problems += [f"paths/{problem}" for problem in error.problems]
            continue
        path, path_problems = _validate(PathSchema, raw, label)
        problems += path_problems
        if path is None:
            continue
        if file.stem != path["slug"]:
            problems.append(f"{label}: slug: '{path['slug']}' must match the file name '{file.stem}'.")
        # With a broken skills.yaml every reference would look unknown: report the file alone.
        problems += _path_problems(path, set(skill_slugs) if skill_data else None, label)
        paths.append(path)

    if problems:
        raise CatalogError(problems)
    return Catalog(skills=list(skills), paths=paths)
