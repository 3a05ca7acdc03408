import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.factories import CareerPathFactory, UserFactory

pytestmark = pytest.mark.django_db

ML = "machine-learning-engineer"
DS = "data-scientist"
MLOPS = "mlops-engineer"
MORNING = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _gap_url(slug: str) -> str:
    return f"/api/v1/paths/{slug}/skill-gap/"


def _enrol(client: APIClient, path: str) -> tuple[int, dict[str, int]]:
    """The new roadmap's id and its milestone ids by slug."""
    response = client.post("/api/v1/roadmaps/", {"path": path}, format="json")
    assert response.status_code == 201
    return response.json()["id"], {milestone["slug"]: milestone["id"] for milestone in response.json()["milestones"]}


def _log_state(client: APIClient, milestone_id: int, state: str) -> None:
    response = client.post(
        f"/api/v1/milestones/{milestone_id}/entries/", {"id": str(uuid.uuid4()), "state": state}, format="json"
    )
    assert response.status_code == 201, response.json()


def _complete(client: APIClient, milestone_id: int) -> None:
    _log_state(client, milestone_id, "in_progress")
    _log_state(client, milestone_id, "done")


def _skill(slug: str, name: str, category: str) -> dict:
    return {"slug": slug, "name": name, "category": category}


def _earned(roadmap: int, path: str, milestone: int, title: str) -> dict:
    return {"roadmap": roadmap, "path": path, "milestone": milestone, "title": title}


def _missing_summary(body: dict) -> list[tuple[str, str, list[str]]]:
    return [
        (item["skill"]["slug"], item["group"], [milestone["slug"] for milestone in item["milestones"]])
        for item in body["missing"]
    ]


# MLOps skills, in the catalog's order, with the MLOps milestones that build each of them.
MLOPS_SKILLS = [
    ("ci-cd", "DevOps and cloud", ["ci-cd-fundamentals", "retrain-redeploy-pipeline-with-quality-gate"]),
    (
        "infrastructure-as-code",
        "DevOps and cloud",
        ["infrastructure-as-code-with-terraform", "kubernetes-model-deployment-with-terraform"],
    ),
    (
        "cloud-platforms",
        "DevOps and cloud",
        [
            "cloud-platform-fundamentals",
            "infrastructure-as-code-with-terraform",
            "ml-infrastructure-cost-management",
            "kubernetes-model-deployment-with-terraform",
            "google-cloud-professional-machine-learning-engineer",
        ],
    ),
    (
        "cloud-ai-services",
        "DevOps and cloud",
        ["cloud-platform-fundamentals", "google-cloud-professional-machine-learning-engineer"],
    ),
    ("docker", "Containerization and orchestration", ["docker-fundamentals", "model-serving-batch-and-online"]),
    (
        "kubernetes",
        "Containerization and orchestration",
        ["kubernetes-fundamentals", "kubernetes-model-deployment-with-terraform", "certified-kubernetes-administrator"],
    ),
    ("observability", "Operational excellence", ["observability-fundamentals", "model-service-observability-layer"]),
    (
        "reliability-engineering",
        "Operational excellence",
        ["reliability-engineering-and-incident-response", "incident-response-game-day"],
    ),
    (
        "incident-response",
        "Operational excellence",
        [
            "reliability-engineering-and-incident-response",
            "model-service-observability-layer",
            "incident-response-game-day",
        ],
    ),
    (
        "cost-management",
        "Operational excellence",
        ["ml-infrastructure-cost-management", "kubernetes-model-deployment-with-terraform"],
    ),
    (
        "ml-lifecycle",
        "ML lifecycle",
        [
            "ml-lifecycle-and-deployment-patterns",
            "experiment-tracking-and-model-registry",
            "reproducible-training-pipeline-with-registry-and-feature-store",
            "retrain-redeploy-pipeline-with-quality-gate",
            "google-cloud-professional-machine-learning-engineer",
        ],
    ),
    (
        "deployment-patterns",
        "ML lifecycle",
        ["ml-lifecycle-and-deployment-patterns", "retrain-redeploy-pipeline-with-quality-gate"],
    ),
    ("model-serving", "ML lifecycle", ["model-serving-batch-and-online", "kubernetes-model-deployment-with-terraform"]),
    (
        "model-registry",
        "ML lifecycle",
        [
            "experiment-tracking-and-model-registry",
            "reproducible-training-pipeline-with-registry-and-feature-store",
            "retrain-redeploy-pipeline-with-quality-gate",
        ],
    ),
    (
        "feature-stores",
        "ML lifecycle",
        ["feature-store-fundamentals", "reproducible-training-pipeline-with-registry-and-feature-store"],
    ),
    (
        "reproducible-pipelines",
        "ML lifecycle",
        [
            "reproducible-pipelines-and-data-versioning",
            "reproducible-training-pipeline-with-registry-and-feature-store",
        ],
    ),
    ("drift-detection", "ML lifecycle", ["drift-detection-and-model-monitoring", "model-service-observability-layer"]),
    ("model-governance", "ML lifecycle", ["access-control-auditability-and-model-governance"]),
    ("access-control-audit", "ML lifecycle", ["access-control-auditability-and-model-governance"]),
    ("python", "Programming and collaboration", ["python-for-ml-platform-work"]),
    ("software-engineering", "Programming and collaboration", ["python-for-ml-platform-work"]),
    (
        "git",
        "Programming and collaboration",
        ["linux-shell-and-git-essentials", "ci-cd-fundamentals", "reproducible-pipelines-and-data-versioning"],
    ),
    ("linux-shell", "Programming and collaboration", ["linux-shell-and-git-essentials"]),
    ("ml-fundamentals", "Programming and collaboration", ["ml-fundamentals-for-mlops"]),
    ("cross-team-collaboration", "Programming and collaboration", ["mlops-portfolio-case-studies"]),
]


def test_skills_built_on_the_ml_roadmap_count_towards_mlops(learner_client, loaded_catalog):
    # Given: three ML milestones done, one only in progress
    roadmap, milestones = _enrol(learner_client, ML)
    for slug in ("advanced-python-for-ml", "containerizing-models-with-docker", "cloud-platform-fundamentals"):
        _complete(learner_client, milestones[slug])
    _log_state(learner_client, milestones["managed-cloud-ai-services"], "in_progress")

    # When
    response = learner_client.get(_gap_url(MLOPS))

    # Then: python, docker, linux-shell and cloud-platforms are had (4 of 25 = 16.0 %)
    body = response.json()
    python = _earned(roadmap, ML, milestones["advanced-python-for-ml"], "Advanced Python for ML work")
    docker = _earned(roadmap, ML, milestones["containerizing-models-with-docker"], "Containerising models with Docker")
    cloud = _earned(roadmap, ML, milestones["cloud-platform-fundamentals"], "Cloud platform fundamentals")
    assert response.status_code == 200
    assert body["path"] == {"slug": MLOPS, "title": "MLOps Engineer", "version": 1}
    assert body["coverage_percent"] == 16.0
    assert body["have"] == [
        {
            "skill": _skill("cloud-platforms", "Cloud platforms (AWS, Azure, Google Cloud)", "cloud"),
            "group": "DevOps and cloud",
            "earned_from": [cloud],
        },
        {
            "skill": _skill("docker", "Docker", "devops"),
            "group": "Containerization and orchestration",
            "earned_from": [docker],
        },
        {
            "skill": _skill("python", "Python", "programming"),
            "group": "Programming and collaboration",
            "earned_from": [python],
        },
        {
            "skill": _skill("linux-shell", "Linux and the command line", "devops"),
            "group": "Programming and collaboration",
            "earned_from": [docker],
        },
    ]
    had = {"cloud-platforms", "docker", "python", "linux-shell"}
    assert _missing_summary(body) == [skill for skill in MLOPS_SKILLS if skill[0] not in had]
    cloud_ai = next(item for item in body["missing"] if item["skill"]["slug"] == "cloud-ai-services")
    assert cloud_ai == {
        "skill": _skill("cloud-ai-services", "Managed cloud AI services", "cloud"),
        "group": "DevOps and cloud",
        "milestones": [
            {
                "slug": "cloud-platform-fundamentals",
                "title": "Cloud platform fundamentals (AWS, Azure or Google Cloud)",
                "kind": "course",
                "estimated_hours": 40,
            },
            {
                "slug": "google-cloud-professional-machine-learning-engineer",
                "title": "Google Cloud Professional Machine Learning Engineer",
                "kind": "certification",
                "estimated_hours": 80,
            },
        ],
    }


def test_a_learner_with_no_progress_misses_every_skill(learner_client, loaded_catalog):
    # Given
    _enrol(learner_client, MLOPS)

    # When
    response = learner_client.get(_gap_url(MLOPS))

    # Then
    assert response.status_code == 200
    assert response.json()["coverage_percent"] == 0.0
    assert response.json()["have"] == []
    assert _missing_summary(response.json()) == MLOPS_SKILLS


def test_a_skill_built_in_two_roadmaps_is_had_once_with_both_milestones(learner_client, loaded_catalog):
    # Given: python is built on the data-science roadmap first, then on the ML roadmap
    ml_roadmap, ml = _enrol(learner_client, ML)
    ds_roadmap, ds = _enrol(learner_client, DS)
    with time_machine.travel(MORNING, tick=False):
        _complete(learner_client, ds["python-for-data-analysis"])
    with time_machine.travel(MORNING.replace(hour=10), tick=False):
        _complete(learner_client, ml["advanced-python-for-ml"])
    with time_machine.travel(MORNING.replace(hour=11), tick=False):
        _complete(learner_client, ds["probability-fundamentals"])

    # When
    response = learner_client.get(_gap_url(DS))

    # Then: 2 of the 11 data-science skills, 18.18... rounded to 18.2
    body = response.json()
    assert response.status_code == 200
    assert body["coverage_percent"] == 18.2
    assert body["have"] == [
        {
            "skill": _skill("python", "Python", "programming"),
            "group": "Programming",
            "earned_from": [
                _earned(ds_roadmap, DS, ds["python-for-data-analysis"], "Python for data analysis"),
                _earned(ml_roadmap, ML, ml["advanced-python-for-ml"], "Advanced Python for ML work"),
            ],
        },
        {
            "skill": _skill("probability", "Probability", "statistics"),
            "group": "Statistics",
            "earned_from": [_earned(ds_roadmap, DS, ds["probability-fundamentals"], "Probability fundamentals")],
        },
    ]
    assert [item["skill"]["slug"] for item in body["missing"]] == [
        "data-wrangling",
        "statistical-inference",
        "experimental-design",
        "uncertainty-quantification",
        "feature-exploration",
        "segmentation",
        "forecasting",
        "causal-reasoning",
        "data-storytelling",
    ]
    mlops = learner_client.get(_gap_url(MLOPS)).json()
    assert [item["skill"]["slug"] for item in mlops["have"]] == ["python"]
    assert len(mlops["have"][0]["earned_from"]) == 2
    assert mlops["coverage_percent"] == 4.0


def test_another_learners_progress_never_shows_up(learner_client, other_client, loaded_catalog):
    # Given: the other learner has built python and docker; the learner only enrolled
    _enrol(learner_client, ML)
    _, theirs = _enrol(other_client, ML)
    _complete(other_client, theirs["advanced-python-for-ml"])
    _complete(other_client, theirs["containerizing-models-with-docker"])

    # When
    mine = learner_client.get(_gap_url(MLOPS))
    their_own = other_client.get(_gap_url(MLOPS))

    # Then
    assert mine.status_code == 200
    assert mine.json()["have"] == []
    assert mine.json()["coverage_percent"] == 0.0
    assert _missing_summary(mine.json()) == MLOPS_SKILLS
    assert [item["skill"]["slug"] for item in their_own.json()["have"]] == ["docker", "python", "linux-shell"]
    assert their_own.json()["coverage_percent"] == 12.0


def test_a_reopened_milestone_no_longer_counts(learner_client, loaded_catalog):
    # Given
    _, milestones = _enrol(learner_client, ML)
    _complete(learner_client, milestones["containerizing-models-with-docker"])
    _log_state(learner_client, milestones["containerizing-models-with-docker"], "in_progress")

    # When
    response = learner_client.get(_gap_url(MLOPS))

    # Then
    assert response.json()["have"] == []
    assert response.json()["coverage_percent"] == 0.0


def test_an_own_milestone_done_counts_towards_the_path(learner_client, loaded_catalog):
    # Given
    roadmap, _ = _enrol(learner_client, ML)
    created = learner_client.post(
        f"/api/v1/roadmaps/{roadmap}/milestones/",
        {"title": "Run a home Kubernetes cluster", "estimated_hours": 20, "skills": ["kubernetes"]},
        format="json",
    )
    _complete(learner_client, created.json()["id"])

    # When
    response = learner_client.get(_gap_url(MLOPS))

    # Then
    assert response.json()["have"] == [
        {
            "skill": _skill("kubernetes", "Kubernetes", "devops"),
            "group": "Containerization and orchestration",
            "earned_from": [_earned(roadmap, ML, created.json()["id"], "Run a home Kubernetes cluster")],
        }
    ]
    assert response.json()["coverage_percent"] == 4.0


def test_a_path_that_requires_no_skills_has_zero_coverage(learner_client):
    # Given
    CareerPathFactory(slug="empty-path", title="Empty path")

    # When
    response = learner_client.get(_gap_url("empty-path"))

    # Then
    assert response.status_code == 200
    assert response.json() == {
        "path": {"slug": "empty-path", "title": "Empty path", "version": 1},
        "coverage_percent": 0.0,
        "have": [],
        "missing": [],
    }


def test_the_number_of_queries_does_not_grow_with_progress(learner_client, loaded_catalog):
    # Given: one milestone done, then every milestone needing no evidence on two roadmaps
    enrolled = [learner_client.post("/api/v1/roadmaps/", {"path": path}, format="json").json() for path in (ML, DS)]
    no_evidence = [m["id"] for roadmap in enrolled for m in roadmap["milestones"] if m["evidence_kind"] == "none"]
    _complete(learner_client, no_evidence[0])
    with CaptureQueriesContext(connection) as one_done:
        learner_client.get(_gap_url(MLOPS))
    for milestone_id in no_evidence[1:]:
        _complete(learner_client, milestone_id)

    # When
    with CaptureQueriesContext(connection) as all_done:
        response = learner_client.get(_gap_url(MLOPS))

    # Then
    assert response.status_code == 200
    assert len(no_evidence) > 30
    assert len(response.json()["have"]) > 10
    assert len(all_done.captured_queries) == len(one_done.captured_queries)


def test_the_skill_gap_needs_a_logged_in_user(api_client, loaded_catalog):
    # When
    response = api_client.get(_gap_url(MLOPS))

    # Then
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Unauthorized",
        "status": 401,
        "code": "not_authenticated",
        "detail": "Authentication credentials were not provided.",
    }


def test_an_unknown_path_answers_404(learner_client, loaded_catalog):
    # When
    response = learner_client.get(_gap_url("astronaut"))

    # Then
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "code": "not_found",
        "detail": "Not found.",
    }


def test_a_jwt_logged_in_learner_sees_their_gap(loaded_catalog):
    # Given: a learner of the mobile app, logged in with a bearer token
    UserFactory(email="ada@example.com", password="correct horse battery staple")
    client = APIClient()
    tokens = client.post(
        "/api/v1/auth/token/", {"email": "ada@example.com", "password": "correct horse battery staple"}, format="json"
    ).json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    _, milestones = _enrol(client, ML)
    _complete(client, milestones["advanced-python-for-ml"])

    # When
    response = client.get(_gap_url(MLOPS))

    # Then
    assert response.status_code == 200
    assert [item["skill"]["slug"] for item in response.json()["have"]] == ["python"]
