from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roadmaps.catalog import CatalogError
from roadmaps.models import CareerPath, MilestonePrerequisite, MilestoneTemplate, Resource, Skill, Stage
from roadmaps.selectors.catalog import catalog_path_export
from roadmaps.services.catalog import catalog_load
from tests.roadmaps.conftest import edit_yaml

pytestmark = pytest.mark.django_db

PATHS = {"machine-learning-engineer", "data-scientist", "mlops-engineer", "ai-blockchain-engineer"}


def _writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]


def _snapshot() -> dict:
    return {
        "paths": list(CareerPath.objects.values_list("slug", "title", "version").order_by("slug")),
        "milestones": list(MilestoneTemplate.objects.values_list("id", "slug", "title", "retired").order_by("id")),
        "skills": list(Skill.objects.values_list("slug", "name").order_by("slug")),
    }


def test_the_real_catalog_loads_four_paths_within_the_rules():
    # When
    report = catalog_load(directory=settings.CATALOG_DIR)

    # Then
    assert set(report.paths_created) == PATHS
    for path in CareerPath.objects.all():
        milestones = path.milestones.filter(retired=False)
        kinds = list(milestones.values_list("kind", flat=True))
        assert 15 <= len(kinds) <= 30, path.slug
        assert kinds.count("project") >= 3, path.slug
        assert kinds.count("certification") >= 1, path.slug
        assert path.version == 1
        assert path.responsibilities
        assert path.success_metrics
        assert path.getting_started
        assert path.stages.count() >= 3
        for project in milestones.filter(kind="project"):
            assert len(project.acceptance_criteria) >= 3
            assert project.evidence == "repository"
        for milestone in milestones:
            assert milestone.skills.exists(), milestone.slug
            assert milestone.resources.exists(), milestone.slug


def test_shared_skills_are_one_row_used_by_several_paths():
    catalog_load(directory=settings.CATALOG_DIR)

    python = Skill.objects.get(slug="python")
    assert set(python.paths.values_list("slug", flat=True)) == PATHS
    assert Skill.objects.filter(name="Python").count() == 1
    shared = [skill for skill in Skill.objects.all() if skill.paths.count() >= 2]
    assert len(shared) >= 10


def test_the_mlops_path_has_the_retraining_pipeline_and_the_observability_layer():
    catalog_load(directory=settings.CATALOG_DIR)

    projects = MilestoneTemplate.objects.filter(path__slug="mlops-engineer", kind="project")
    pipeline = projects.get(slug="retrain-redeploy-pipeline-with-quality-gate")
    observability = projects.get(slug="model-service-observability-layer")
    assert "gate" in pipeline.title.lower()
    assert any("roll" in criterion.lower() for criterion in pipeline.acceptance_criteria)
    assert any("drift" in criterion.lower() for criterion in observability.acceptance_criteria)
    assert any("latency" in criterion.lower() for criterion in observability.acceptance_criteria)


def test_every_responsibility_metric_and_first_step_points_at_milestones_of_its_path():
    catalog_load(directory=settings.CATALOG_DIR)

    for path in CareerPath.objects.all():
        slugs = set(path.milestones.values_list("slug", flat=True))
        for item in [*path.responsibilities, *path.success_metrics, *path.getting_started]:
            assert item["milestones"], item
            assert set(item["milestones"]) <= slugs, item


def test_loading_twice_writes_nothing_the_second_time():
    catalog_load(directory=settings.CATALOG_DIR)
    before = _snapshot()

    with CaptureQueriesContext(connection) as queries:
        report = catalog_load(directory=settings.CATALOG_DIR)

    assert _writes(queries.captured_queries) == []
    assert sorted(report.paths_unchanged) == sorted(PATHS)
    assert not report.changed
    assert _snapshot() == before


def test_the_database_matches_the_files_after_loading(catalog_dir: Path):
    catalog_load(directory=catalog_dir)

    from roadmaps.catalog import catalog_read
    from roadmaps.services.catalog import _canonical

    for data in catalog_read(catalog_dir).paths:
        assert catalog_path_export(path=CareerPath.objects.get(slug=data["slug"])) == _canonical(data)


def test_an_edited_title_updates_in_place_and_raises_the_version(catalog_dir: Path):
    catalog_load(directory=catalog_dir)
    milestone = MilestoneTemplate.objects.get(
        path__slug="mlops-engineer", slug="retrain-redeploy-pipeline-with-quality-gate"
    )
    stage_ids = set(Stage.objects.values_list("id", flat=True))
    milestone_ids = set(MilestoneTemplate.objects.values_list("id", flat=True))

    def retitle(data):
        for stage in data["stages"]:
            for item in stage["milestones"]:
                if item["slug"] == milestone.slug:
                    item["title"] = "Retraining pipeline with a quality gate"

    edit_yaml(catalog_dir / "paths" / "mlops-engineer.yaml", retitle)
    report = catalog_load(directory=catalog_dir)

    assert report.paths_updated == ["mlops-engineer"]
    assert sorted(report.paths_unchanged) == sorted(PATHS - {"mlops-engineer"})
    milestone.refresh_from_db()
    assert milestone.title == "Retraining pipeline with a quality gate"
    assert CareerPath.objects.get(slug="mlops-engineer").version == 2
    assert CareerPath.objects.get(slug="data-scientist").version == 1
    assert set(Stage.objects.values_list("id", flat=True)) == stage_ids
    assert set(MilestoneTemplate.objects.values_list("id", flat=True)) == milestone_ids


def test_a_milestone_removed_from_its_file_is_retired_not_deleted_and_returns(catalog_dir: Path):
    catalog_load(directory=catalog_dir)
    file = catalog_dir / "paths" / "data-scientist.yaml"
    original = file.read_text()
    removed = MilestoneTemplate.objects.filter(path__slug="data-scientist", kind="skill").last()

    def drop(data):
        for stage in data["stages"]:
            stage["milestones"] = [m for m in stage["milestones"] if m["slug"] != removed.slug]
            for m in stage["milestones"]:
                m["prerequisites"] = [p for p in m.get("prerequisites", []) if p != removed.slug]
        for key in ("responsibilities", "success_metrics", "getting_started"):
            for item in data[key]:
                item["milestones"] = [s for s in item["milestones"] if s != removed.slug] or item["milestones"]

    edit_yaml(file, drop)
    catalog_load(directory=catalog_dir)

    removed.refresh_from_db()
    assert removed.retired is True
    assert not Resource.objects.filter(milestone=removed).exists()
    assert not MilestonePrerequisite.objects.filter(requires=removed).exists()

    file.write_text(original)
    catalog_load(directory=catalog_dir)

    removed.refresh_from_db()
    assert removed.retired is False
    assert removed.resources.exists()
    assert CareerPath.objects.get(slug="data-scientist").version == 3


def _first_milestone(data) -> dict:
    return data["stages"][0]["milestones"][0]


def _set_cycle(data):
    first, second = data["stages"][0]["milestones"][:2]
    first["prerequisites"] = [second["slug"]]
    second["prerequisites"] = [first["slug"]]


def _make_project_without_criteria(data):
    milestone = _first_milestone(data)
    milestone.update(kind="project", evidence="repository", acceptance_criteria=[])


BAD_PATH_EDITS = [
    (
        lambda d: _first_milestone(d).update(estimated_hours=0),
        "stages[0].milestones[0].estimated_hours: Ensure this value is greater than or equal to 1.",
    ),
    (lambda d: _first_milestone(d).pop("title"), "stages[0].milestones[0].title: This field is required."),
    (lambda d: _first_milestone(d).update(estimate_hours=3), "stages[0].milestones[0].estimate_hours: Unknown field."),
    (
        lambda d: _first_milestone(d).update(kind="seminar"),
        'stages[0].milestones[0].kind: "seminar" is not a valid choice.',
    ),
    (
        lambda d: _first_milestone(d).update(skills=["basket-weaving"]),
        "stages[0].milestones[0].skills: unknown skill 'basket-weaving' (not in skills.yaml).",
    ),
    (
        lambda d: _first_milestone(d).update(prerequisites=[_first_milestone(d)["slug"]]),
        "stages[0].milestones[0].prerequisites: a milestone cannot be its own prerequisite.",
    ),
    (_set_cycle, "stages: prerequisites form a cycle"),
    (
        lambda d: d["stages"][1]["milestones"][0].update(slug=_first_milestone(d)["slug"]),
        "stages[1].milestones[0].slug: '",
    ),
    (
        lambda d: _first_milestone(d).update(slug="Not A Slug"),
        "stages[0].milestones[0].slug: Use lowercase words joined by hyphens.",
    ),
    (_make_project_without_criteria, "stages[0].milestones[0].acceptance_criteria: A project needs at least 3"),
    (
        lambda d: next(m for s in d["stages"] for m in s["milestones"] if m["kind"] == "certification").update(
            evidence="none"
        ),
        "evidence: A certification milestone needs evidence: credential.",
    ),
    (
        lambda d: d["responsibilities"][0].update(milestones=["no-such-milestone"]),
        "responsibilities[0].milestones: unknown milestone 'no-such-milestone'.",
    ),
    (lambda d: d.update(slug="mlops"), "slug: 'mlops' must match the file name 'mlops-engineer'."),
    (lambda d: d.update(stages=d["stages"][:1]), "a path needs 15 to 30"),
    (
        lambda d: _first_milestone(d)["resources"][0].update(url="not a url"),
        "stages[0].milestones[0].resources[0].url: Enter a valid URL.",
    ),
]


@pytest.mark.parametrize(("edit", "message"), BAD_PATH_EDITS)
def test_a_bad_path_file_is_rejected_naming_file_and_field_and_nothing_is_written(catalog_dir: Path, edit, message):
    catalog_load(directory=catalog_dir)
    before = _snapshot()
    # A valid edit in another file must not be written either.
    edit_yaml(catalog_dir / "paths" / "data-scientist.yaml", lambda d: d.update(title="Data Scientist (new)"))
    edit_yaml(catalog_dir / "paths" / "mlops-engineer.yaml", edit)

    with pytest.raises(CatalogError) as error:
        catalog_load(directory=catalog_dir)

    assert any(
        problem.startswith("paths/mlops-engineer.yaml: ") and message in problem for problem in error.value.problems
    ), error.value.problems
    assert _snapshot() == before


def test_invalid_yaml_is_reported_with_its_line(catalog_dir: Path):
    (catalog_dir / "paths" / "mlops-engineer.yaml").write_text("slug: mlops-engineer\ntitle: [unclosed\n")

    with pytest.raises(CatalogError) as error:
        catalog_load(directory=catalog_dir)

    assert error.value.problems[0].startswith("paths/mlops-engineer.yaml: line 3, column 1: not valid YAML")
    assert not CareerPath.objects.exists()
    assert not Skill.objects.exists()


def test_a_bad_skills_file_is_reported_without_a_flood_of_unknown_skills(catalog_dir: Path):
    edit_yaml(catalog_dir / "skills.yaml", lambda d: d["skills"][0].update(category="hobbies"))

    with pytest.raises(CatalogError) as error:
        catalog_load(directory=catalog_dir)

    assert error.value.problems == ['skills.yaml: skills[0].category: "hobbies" is not a valid choice.']
    assert not Skill.objects.exists()


def test_a_skill_defined_twice_is_rejected(catalog_dir: Path):
    edit_yaml(catalog_dir / "skills.yaml", lambda d: d["skills"].append(dict(d["skills"][0])))

    with pytest.raises(CatalogError) as error:
        catalog_load(directory=catalog_dir)

    assert error.value.problems == [f"skills.yaml: skills[{62}].slug: 'python' is defined twice."]
