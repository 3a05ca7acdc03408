import threading
import uuid

import pytest
from django.db import connection

from accounts.models import Mentorship
from roadmaps.models import Milestone, ReviewSubmission
from roadmaps.services.learning import roadmap_enroll
from tests.clients import logged_in
from tests.factories import UserFactory, small_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(learner):
    """A learner with two active mentors and a portfolio project in progress."""
    mentors = [UserFactory(is_mentor=True), UserFactory(is_mentor=True)]
    learner_client = logged_in(learner)
    for mentor in mentors:
        invite = logged_in(mentor).post(
            "/api/v1/mentorships/", {"role": "mentor", "email": learner.email.upper()}, format="json"
        )
        assert invite.status_code == 201, invite.json()
        accepted = learner_client.post(f"/api/v1/mentorships/{invite.json()['id']}/accept/")
        assert accepted.json()["state"] == "active"
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path())
    project = roadmap.milestones.get(slug="pipeline-project")
    started = learner_client.post(
        f"/api/v1/milestones/{project.pk}/entries/",
        {"id": str(uuid.uuid4()), "minutes": 300, "state": "in_progress"},
        format="json",
    )
    assert started.status_code == 201
    return learner_client, [logged_in(m) for m in mentors], project


def test_the_full_review_loop(setup):
    learner_client, (first, second), project = setup
    url = f"/api/v1/milestones/{project.pk}/"

    # A project cannot be completed past the mentors.
    shortcut = learner_client.post(
        f"{url}entries/",
        {"id": str(uuid.uuid4()), "state": "done", "evidence_url": "https://github.com/ada/p"},
        format="json",
    )
    assert (shortcut.status_code, shortcut.json()["code"]) == (409, "review_required")

    # Submit without evidence: refused; with it: in review, in both mentors' queues.
    assert learner_client.post(f"{url}submit/", {"message": "Done!"}, format="json").json()["code"] == (
        "evidence_required"
    )
    submitted = learner_client.post(
        f"{url}submit/", {"message": "Ready", "evidence_url": "https://github.com/ada/pipeline"}, format="json"
    )
    assert submitted.status_code == 201
    submission = submitted.json()["id"]
    assert Milestone.objects.get(pk=project.pk).state == "in_review"
    for mentor in (first, second):
        queue = mentor.get("/api/v1/reviews/queue/").json()["results"]
        assert [item["id"] for item in queue] == [submission]
        assert queue[0]["waiting_seconds"] >= 0
    again = learner_client.post(f"{url}submit/", {"evidence_url": "https://github.com/ada/pipeline"}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "illegal_transition")

    # Changes requested needs a comment; the learner sees it and resubmits.
    assert first.post(f"/api/v1/reviews/{submission}/request-changes/", {}, format="json").status_code == 400
    changes = first.post(
        f"/api/v1/reviews/{submission}/request-changes/", {"comment": "Add the rollback test"}, format="json"
    )
    assert changes.json()["state"] == "changes_requested"
    assert Milestone.objects.get(pk=project.pk).state == "changes_requested"
    late = second.post(f"/api/v1/reviews/{submission}/approve/", {}, format="json")
    assert (late.status_code, late.json()["code"]) == (409, "already_decided")
    learner_client.post(
        f"/api/v1/reviews/{submission}/comments/", {"body": "Added it in the last commit"}, format="json"
    )
    resubmitted = learner_client.post(
        f"{url}submit/",
        {"message": "Rollback test added", "evidence_url": "https://github.com/ada/pipeline"},
        format="json",
    ).json()

    # The second mentor approves: done, not self-attested.
    approved = second.post(f"/api/v1/reviews/{resubmitted['id']}/approve/", {"comment": "Great"}, format="json")
    assert approved.json()["state"] == "approved"
    milestone = Milestone.objects.get(pk=project.pk)
    assert (milestone.state, milestone.self_attested) == ("done", False)
    assert milestone.completed_at is not None
    assert first.get("/api/v1/reviews/queue/").json()["results"] == []

    # The whole history is kept and readable by the learner and the mentors.
    for reader in (learner_client, first, second):
        history = reader.get(f"{url}reviews/").json()["results"]
        assert [(h["state"], [c["body"] for c in h["comments"]]) for h in history] == [
            ("changes_requested", ["Add the rollback test", "Added it in the last commit"]),
            ("approved", ["Great"]),
        ]


def test_a_learner_cannot_decide_their_own_submission(setup):
    learner_client, _, project = setup
    submission = learner_client.post(
        f"/api/v1/milestones/{project.pk}/submit/", {"evidence_url": "https://github.com/ada/p"}, format="json"
    ).json()

    response = learner_client.post(f"/api/v1/reviews/{submission['id']}/approve/", {}, format="json")

    assert response.status_code == 403
    assert ReviewSubmission.objects.get().state == "pending"


def test_without_an_active_mentor_a_project_is_self_attested(learner_client):
    roadmap_enroll_response = learner_client.post("/api/v1/roadmaps/", {"path": small_path().slug}, format="json")
    project = next(m for m in roadmap_enroll_response.json()["milestones"] if m["kind"] == "project")
    url = f"/api/v1/milestones/{project['id']}/"
    learner_client.post(
        f"{url}entries/", {"id": str(uuid.uuid4()), "minutes": 60, "state": "in_progress"}, format="json"
    )

    submit = learner_client.post(f"{url}submit/", {"evidence_url": "https://github.com/ada/p"}, format="json")
    done = learner_client.post(
        f"{url}entries/",
        {"id": str(uuid.uuid4()), "state": "done", "evidence_url": "https://github.com/ada/p"},
        format="json",
    )

    assert (submit.status_code, submit.json()["code"]) == (409, "no_active_mentor")
    assert done.status_code == 201
    milestone = Milestone.objects.get(pk=project["id"])
    assert (milestone.state, milestone.self_attested) == ("done", True)


@pytest.mark.django_db(transaction=True)
def test_two_mentors_deciding_at_once_one_wins_the_other_gets_409(learner):
    # Given: a pending submission and two mentors of the learner
    mentors = [UserFactory(is_mentor=True) for _ in range(2)]
    for mentor in mentors:
        Mentorship.objects.create(mentor=mentor, learner=learner, state="active")
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path())
    project = roadmap.milestones.get(slug="pipeline-project")
    Milestone.objects.filter(pk=project.pk).update(state="in_progress")
    submission = (
        logged_in(learner)
        .post(f"/api/v1/milestones/{project.pk}/submit/", {"evidence_url": "https://github.com/ada/p"}, format="json")
        .json()
    )
    barrier = threading.Barrier(2)
    results = {}

    def decide(index, mentor, action, body):
        try:
            barrier.wait(timeout=10)
            results[index] = logged_in(mentor).post(
                f"/api/v1/reviews/{submission['id']}/{action}/", body, format="json"
            )
        finally:
            connection.close()

    # When: both decide at the same moment, one approving, one asking for changes
    threads = [
        threading.Thread(target=decide, args=(0, mentors[0], "approve", {})),
        threading.Thread(target=decide, args=(1, mentors[1], "request-changes", {"comment": "Needs tests"})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then: exactly one decision stands, and the milestone agrees with it
    codes = sorted(response.status_code for response in results.values())
    assert codes == [200, 409]
    loser = next(r for r in results.values() if r.status_code == 409)
    assert loser.json()["code"] == "already_decided"
    decided = ReviewSubmission.objects.get()
    milestone = Milestone.objects.get(pk=project.pk)
    assert (decided.state, milestone.state) in {("approved", "done"), ("changes_requested", "changes_requested")}


def test_a_comment_is_trimmed_then_measured_against_its_10000_characters(setup):
    learner_client, (mentor, _), project = setup
    submission = learner_client.post(
        f"/api/v1/milestones/{project.pk}/submit/", {"evidence_url": "https://github.com/ada/p"}, format="json"
    ).json()["id"]
    url = f"/api/v1/reviews/{submission}/comments/"

    padded = mentor.post(url, {"body": "  " + "a" * 10_000 + " " * 500 + "\n"}, format="json")
    too_long = mentor.post(url, {"body": "a" * 10_001}, format="json")
    blank = mentor.post(url, {"body": " \n\t "}, format="json")

    assert padded.status_code == 201
    assert [(r.status_code, r.json()["errors"][0]["code"]) for r in (too_long, blank)] == [
        (400, "max_length"),
        (400, "blank"),
    ]
    [comment] = mentor.get(f"/api/v1/milestones/{project.pk}/reviews/").json()["results"][0]["comments"]
    assert comment["body"] == "a" * 10_000
