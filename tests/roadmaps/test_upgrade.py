import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from roadmaps.models import Milestone, ProgressEntry
from roadmaps.services.catalog import catalog_load
from tests.roadmaps.conftest import edit_yaml

pytestmark = pytest.mark.django_db

NEW_SLUG = "gpu-scheduling-basics"


def _edit_catalog(data):
    stages = {stage["slug"]: stage for stage in data["stages"]}
    core = stages["core"]["milestones"]
    core[0]["title"] = "Docker, properly"
    core.insert(
        1,
        {
            "slug": NEW_SLUG,
            "kind": "skill",
            "title": "GPU scheduling basics",
            "description": "Share GPUs between training jobs on a cluster.",
            "estimated_hours": 8,
            "skills": ["kubernetes"],
            "resources": [{"kind": "documentation", "title": "Schedule GPUs", "url": "https://kubernetes.io/docs/"}],
        },
    )
    dropped = {"feature-store-fundamentals", "ml-infrastructure-cost-management"}
    for stage in data["stages"]:
        stage["milestones"] = [m for m in stage["milestones"] if m["slug"] not in dropped]
        for milestone in stage["milestones"]:
            milestone["prerequisites"] = [p for p in milestone.get("prerequisites", []) if p not in dropped]
    for key in ("responsibilities", "success_metrics", "getting_started"):
        for item in data[key]:
            item["milestones"] = [s for s in item["milestones"] if s not in dropped] or item["milestones"]
    for group in data["skill_groups"]:
        group["skills"] = [s for s in group["skills"] if s not in {"feature-stores", "cost-management"}]


def test_a_catalog_edit_and_an_upgrade_keep_every_bit_of_progress(learner_client, catalog_dir: Path):
    # Given: a learner well into the MLOps roadmap.
    catalog_load(directory=catalog_dir)
    roadmap = learner_client.post("/api/v1/roadmaps/", {"path": "mlops-engineer"}, format="json").json()
    ids = {m["slug"]: m["id"] for m in roadmap["milestones"]}
    target = (timezone.now() + timedelta(days=30)).date().isoformat()

    def log(slug, **body):
        response = learner_client.post(
            f"/api/v1/milestones/{ids[slug]}/entries/", {"id": str(uuid.uuid4()), **body}, format="json"
        )
        assert response.status_code == 201, response.json()

    log("docker-fundamentals", minutes=90, state="in_progress")
    log("docker-fundamentals", minutes=60, state="done")
    log("feature-store-fundamentals", minutes=30, state="in_progress")  # the catalog will drop it
    learner_client.put(
        f"/api/v1/milestones/{ids['kubernetes-fundamentals']}/note/", {"note": "CKA first"}, format="json"
    )
    learner_client.patch(f"/api/v1/milestones/{ids['ci-cd-fundamentals']}/", {"target_date": target}, format="json")
    learner_client.post(
        f"/api/v1/milestones/{ids['cloud-platform-fundamentals']}/skip/", {"reason": "AWS at work"}, format="json"
    )
    own = learner_client.post(
        f"/api/v1/roadmaps/{roadmap['id']}/milestones/", {"title": "Home lab", "estimated_hours": 5}, format="json"
    ).json()
    before = {m.pk: m for m in Milestone.objects.filter(roadmap_id=roadmap["id"])}

    # When: curriculum staff edit the catalog, and the learner takes the upgrade.
    edit_yaml(catalog_dir / "paths" / "mlops-engineer.yaml", _edit_catalog)
    catalog_load(directory=catalog_dir)
    offered = learner_client.get(f"/api/v1/roadmaps/{roadmap['id']}/").json()
    upgraded = learner_client.post(f"/api/v1/roadmaps/{roadmap['id']}/upgrade/").json()

    # Then
    assert offered["upgrade_available"] is True
    assert (offered["catalog_version"], offered["path"]["version"]) == (1, 2)
    assert upgraded["upgrade_available"] is False
    assert upgraded["catalog_version"] == 2
    after = {m["slug"]: m for m in upgraded["milestones"]}

    assert after["docker-fundamentals"]["title"] == "Docker, properly"
    assert after["docker-fundamentals"]["id"] == ids["docker-fundamentals"]
    assert after["docker-fundamentals"]["state"] == "done"
    assert after["docker-fundamentals"]["hours_logged"] == 2.5
    assert Milestone.objects.get(pk=ids["kubernetes-fundamentals"]).note == "CKA first"
    assert after["ci-cd-fundamentals"]["target_date"] == target
    assert (after["cloud-platform-fundamentals"]["state"], after["cloud-platform-fundamentals"]["skip_reason"]) == (
        "skipped",
        "AWS at work",
    )
    assert after[own["slug"]]["title"] == "Home lab"
    assert ProgressEntry.objects.filter(milestone__roadmap_id=roadmap["id"]).count() == 3

    # The dropped milestone with progress stays, marked; the untouched one is gone.
    assert after["feature-store-fundamentals"]["retired_from_catalog"] is True
    assert after["feature-store-fundamentals"]["hours_logged"] == 0.5
    assert "ml-infrastructure-cost-management" not in after

    # The new milestone sits right after its catalog predecessor.
    order = [m["slug"] for m in upgraded["milestones"]]
    assert order[order.index("docker-fundamentals") + 1] == NEW_SLUG
    assert after[NEW_SLUG]["state"] == "not_started"
    assert after[NEW_SLUG]["skills"] == ["kubernetes"]
    assert [m["position"] for m in upgraded["milestones"]] == list(range(len(order)))
    assert set(before) - {m["id"] for m in upgraded["milestones"]} == {ids["ml-infrastructure-cost-management"]}


def test_upgrading_an_up_to_date_roadmap_changes_nothing(learner_client, loaded_catalog):
    roadmap = learner_client.post("/api/v1/roadmaps/", {"path": "data-scientist"}, format="json").json()

    upgraded = learner_client.post(f"/api/v1/roadmaps/{roadmap['id']}/upgrade/").json()

    assert upgraded["milestones"] == roadmap["milestones"]
    assert upgraded["catalog_version"] == 1
