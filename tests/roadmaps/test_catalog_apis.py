import pytest
from django.urls import reverse

from roadmaps.models import CareerPath, MilestonePrerequisite, MilestoneTemplate, PathSkill
from tests.factories import (
    CareerPathFactory,
    MilestoneTemplateFactory,
    ResourceFactory,
    SkillFactory,
    StageFactory,
)

pytestmark = pytest.mark.django_db


def _path_with_milestones(count: int) -> CareerPath:
    path = CareerPathFactory(slug="mlops-engineer", title="MLOps Engineer")
    stage = StageFactory(path=path, slug="core", title="Core", order=0)
    skill = SkillFactory(slug="docker", name="Docker", category="devops")
    PathSkill.objects.create(path=path, skill=skill, group="Containers", order=0)
    previous = None
    for index in range(count):
        milestone = MilestoneTemplateFactory(stage=stage, slug=f"m-{index}", order=index, skills=[skill])
        ResourceFactory(milestone=milestone)
        if previous:
            MilestonePrerequisite.objects.create(milestone=milestone, requires=previous)
        previous = milestone
    return path


def test_path_detail_returns_stages_milestones_and_skills(api_client):
    # Given
    path = CareerPathFactory(
        slug="mlops-engineer",
        title="MLOps Engineer",
        summary="Keeps models healthy in production.",
        choose_if="You like automation.",
        responsibilities=[{"text": "Automate deployment.", "milestones": ["pipeline"]}],
        success_metrics=[{"name": "Uptime", "description": "Service availability.", "milestones": ["pipeline"]}],
        getting_started=[{"text": "Learn Docker.", "milestones": ["docker-basics"]}],
    )
    foundations = StageFactory(path=path, slug="foundations", title="Foundations", description="Basics.", order=0)
    portfolio = StageFactory(path=path, slug="portfolio", title="Portfolio", description="Show it.", order=1)
    docker = SkillFactory(slug="docker", name="Docker", category="devops")
    ci = SkillFactory(slug="ci-cd", name="CI/CD pipelines", category="devops")
    PathSkill.objects.create(path=path, skill=docker, group="Containers", order=0)
    PathSkill.objects.create(path=path, skill=ci, group="Automation", order=1)
    basics = MilestoneTemplateFactory(
        stage=foundations, slug="docker-basics", title="Docker basics", estimated_hours=12, skills=[docker]
    )
    ResourceFactory(
        milestone=basics, kind="documentation", title="Get started", url="https://docs.docker.com/get-started/"
    )
    pipeline = MilestoneTemplateFactory(
        stage=portfolio,
        slug="pipeline",
        kind="project",
        evidence="repository",
        title="Retraining pipeline",
        description="Retrain and redeploy behind a gate.",
        estimated_hours=60,
        acceptance_criteria=["Gate blocks a worse model.", "Rollback within 5 minutes.", "Versions in a registry."],
        skills=[ci, docker],
    )
    MilestonePrerequisite.objects.create(milestone=pipeline, requires=basics)
    MilestoneTemplateFactory(stage=portfolio, slug="old-one", retired=True)

    # When
    response = api_client.get(reverse("v1:path-detail", kwargs={"slug": "mlops-engineer"}))

    # Then
    assert response.status_code == 200
    assert response.json() == {
        "slug": "mlops-engineer",
        "title": "MLOps Engineer",
        "summary": "Keeps models healthy in production.",
        "choose_if": "You like automation.",
        "version": 1,
        "milestone_count": 2,
        "estimated_hours": 72,
        "responsibilities": [{"text": "Automate deployment.", "milestones": ["pipeline"]}],
        "success_metrics": [{"name": "Uptime", "description": "Service availability.", "milestones": ["pipeline"]}],
        "getting_started": [{"text": "Learn Docker.", "milestones": ["docker-basics"]}],
        "skill_groups": [
            {"name": "Containers", "skills": [{"slug": "docker", "name": "Docker", "category": "devops"}]},
            {"name": "Automation", "skills": [{"slug": "ci-cd", "name": "CI/CD pipelines", "category": "devops"}]},
        ],
        "stages": [
            {
                "slug": "foundations",
                "title": "Foundations",
                "description": "Basics.",
                "milestones": [
                    {
                        "slug": "docker-basics",
                        "kind": "skill",
                        "title": "Docker basics",
                        "description": "Do the thing.",
                        "estimated_hours": 12,
                        "evidence": "none",
                        "acceptance_criteria": [],
                        "skills": ["docker"],
                        "prerequisites": [],
                        "resources": [
                            {
                                "kind": "documentation",
                                "title": "Get started",
                                "url": "https://docs.docker.com/get-started/",
                            }
                        ],
                    }
                ],
            },
            {
                "slug": "portfolio",
                "title": "Portfolio",
                "description": "Show it.",
                "milestones": [
                    {
                        "slug": "pipeline",
                        "kind": "project",
                        "title": "Retraining pipeline",
                        "description": "Retrain and redeploy behind a gate.",
                        "estimated_hours": 60,
                        "evidence": "repository",
                        "acceptance_criteria": [
                            "Gate blocks a worse model.",
                            "Rollback within 5 minutes.",
                            "Versions in a registry.",
                        ],
                        "skills": ["ci-cd", "docker"],
                        "prerequisites": ["docker-basics"],
                        "resources": [],
                    }
                ],
            },
        ],
    }


def test_path_list_is_public_and_summarises_each_path(api_client):
    path = _path_with_milestones(3)
    CareerPathFactory(slug="data-scientist", title="Data Scientist")

    response = api_client.get(reverse("v1:path-list"))

    assert response.status_code == 200
    assert response.json() == {
        "next": None,
        "previous": None,
        "results": [
            {
                "slug": "data-scientist",
                "title": "Data Scientist",
                "summary": "What the role does.",
                "choose_if": "You enjoy it.",
                "version": 1,
                "milestone_count": 0,
                "estimated_hours": 0,
            },
            {
                "slug": path.slug,
                "title": "MLOps Engineer",
                "summary": "What the role does.",
                "choose_if": "You enjoy it.",
                "version": 1,
                "milestone_count": 3,
                "estimated_hours": 30,
            },
        ],
    }


def test_path_list_pages_with_a_cursor_and_refuses_a_bad_page_size(api_client):
    for index in range(3):
        CareerPathFactory(slug=f"path-{index}")

    first = api_client.get(reverse("v1:path-list"), {"page_size": 2}).json()
    second = api_client.get(first["next"]).json()
    bad = [api_client.get(reverse("v1:path-list"), {"page_size": size}) for size in ("10000", "0", "abc")]

    assert [p["slug"] for p in first["results"]] == ["path-0", "path-1"]
    assert [p["slug"] for p in second["results"]] == ["path-2"]
    assert second["next"] is None
    assert [(r.status_code, r.json()["errors"][0]["field"]) for r in bad] == [(400, "page_size")] * 3


def test_unknown_path_is_a_problem_json_404(api_client):
    response = api_client.get(reverse("v1:path-detail", kwargs={"slug": "astronaut"}))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "code": "not_found",
        "detail": "Not found.",
    }


def test_the_catalog_is_read_only(api_client):
    response = api_client.post(reverse("v1:path-list"), {"slug": "x"}, format="json")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_skills_list_shows_which_paths_need_each_skill_and_filters(api_client):
    docker = SkillFactory(slug="docker", name="Docker", category="devops")
    SkillFactory(slug="probability", name="Probability", category="statistics")
    mlops = CareerPathFactory(slug="mlops-engineer")
    ml = CareerPathFactory(slug="machine-learning-engineer")
    PathSkill.objects.create(path=mlops, skill=docker, group="Containers")
    PathSkill.objects.create(path=ml, skill=docker, group="Production")

    everything = api_client.get(reverse("v1:skill-list")).json()
    devops = api_client.get(reverse("v1:skill-list"), {"category": "devops"}).json()
    for_mlops = api_client.get(reverse("v1:skill-list"), {"path": "mlops-engineer"}).json()

    assert everything["results"] == [
        {
            "slug": "docker",
            "name": "Docker",
            "category": "devops",
            "paths": ["machine-learning-engineer", "mlops-engineer"],
        },
        {"slug": "probability", "name": "Probability", "category": "statistics", "paths": []},
    ]
    assert [s["slug"] for s in devops["results"]] == ["docker"]
    assert [s["slug"] for s in for_mlops["results"]] == ["docker"]


def test_an_unknown_skill_category_is_a_validation_problem(api_client):
    response = api_client.get(reverse("v1:skill-list"), {"category": "hobbies"})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["errors"] == [
        {
            "field": "category",
            "code": "invalid_choice",
            "detail": "Select a valid choice. hobbies is not one of the available choices.",
        }
    ]


def test_skill_detail_lists_the_milestones_that_build_it(api_client):
    path = _path_with_milestones(2)
    MilestoneTemplate.objects.filter(slug="m-1").update(retired=True)

    response = api_client.get(reverse("v1:skill-detail", kwargs={"slug": "docker"}))

    assert response.json() == {
        "slug": "docker",
        "name": "Docker",
        "category": "devops",
        "paths": [path.slug],
        "milestones": [
            {
                "path": path.slug,
                "slug": "m-0",
                "title": MilestoneTemplate.objects.get(slug="m-0").title,
                "kind": "skill",
                "estimated_hours": 10,
            }
        ],
    }


@pytest.mark.parametrize("count", [1, 50])
def test_path_detail_costs_the_same_queries_for_1_and_50_milestones(api_client, django_assert_num_queries, count):
    _path_with_milestones(count)

    # path, stages, milestones, their skills, prerequisites, resources, path skills
    with django_assert_num_queries(8):  # + the ETag's query
        response = api_client.get(reverse("v1:path-detail", kwargs={"slug": "mlops-engineer"}))

    assert response.status_code == 200
    assert response.json()["milestone_count"] == count


@pytest.mark.parametrize("count", [1, 50])
def test_path_list_costs_one_query_for_1_and_50_paths(api_client, django_assert_num_queries, count):
    for index in range(count):
        _ = MilestoneTemplateFactory(stage=StageFactory(path=CareerPathFactory(slug=f"p-{index:02}")))

    with django_assert_num_queries(1):
        response = api_client.get(reverse("v1:path-list"), {"page_size": 100})

    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, 50])
def test_skill_list_costs_the_same_queries_for_1_and_50_skills(api_client, django_assert_num_queries, count):
    path = CareerPathFactory()
    for index in range(count):
        PathSkill.objects.create(path=path, skill=SkillFactory(), group="All", order=index)

    with django_assert_num_queries(2):
        response = api_client.get(reverse("v1:skill-list"), {"page_size": 100})

    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, 50])
def test_skill_detail_costs_the_same_queries_for_1_and_50_milestones(api_client, django_assert_num_queries, count):
    _path_with_milestones(count)

    with django_assert_num_queries(5):  # + the ETag's two queries
        response = api_client.get(reverse("v1:skill-detail", kwargs={"slug": "docker"}))

    assert len(response.json()["milestones"]) == count


def test_the_real_catalog_is_served(api_client, loaded_catalog):
    paths = api_client.get(reverse("v1:path-list")).json()["results"]
    detail = api_client.get(reverse("v1:path-detail", kwargs={"slug": "mlops-engineer"})).json()

    assert [p["title"] for p in paths] == [
        "AI + Blockchain Engineer",
        "Data Scientist",
        "Machine Learning Engineer",
        "MLOps Engineer",
    ]
    slugs = [m["slug"] for stage in detail["stages"] for m in stage["milestones"]]
    assert "retrain-redeploy-pipeline-with-quality-gate" in slugs
    assert "model-service-observability-layer" in slugs
    assert detail["milestone_count"] == len(slugs)
