import threading
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Mentorship
from accounts.services import mentorship_create_active, mentorship_end
from roadmaps.models import CareerPath
from roadmaps.services.learning import milestone_note_set, progress_entry_log, roadmap_enroll, roadmap_upgrade
from roadmaps.services.reviews import review_submit
from tests.clients import logged_in
from tests.factories import UserFactory, small_path

# Sync reads committed work only, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


def _sync(client, cursor=None):
    response = client.get("/api/v1/sync/", {"cursor": cursor} if cursor else {})
    assert response.status_code == 200, response.json()
    return response.json()


def _ids(batch, entity, kind="upserted"):
    items = batch[entity][kind]
    if kind == "deleted":
        return sorted(items)
    return sorted(str(item["milestone"] if entity == "notes" else item["id"]) for item in items)


def _log(learner, milestone, **fields):
    entry, _ = progress_entry_log(
        learner=learner, milestone_id=milestone.pk, entry_id=uuid.uuid4(), minutes=10, **fields
    )
    return entry


def test_from_zero_then_only_what_changed(learner):
    client = logged_in(learner)
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path())
    first, second = roadmap.milestones.order_by("position")[:2]
    milestone_note_set(milestone=first, note="Private")

    everything = _sync(client)
    nothing = _sync(client, everything["cursor"])
    entry = _log(learner, second, state="in_progress")
    changes = _sync(client, nothing["cursor"])

    assert everything["full"] is True
    assert _ids(everything, "roadmaps") == [str(roadmap.pk)]
    assert len(everything["milestones"]["upserted"]) == 4
    assert everything["notes"]["upserted"] == [{"milestone": first.pk, "note": "Private"}]
    assert nothing["full"] is False
    assert all(nothing[key] == {"upserted": [], "deleted": []} for key in ("roadmaps", "milestones", "entries"))
    assert _ids(changes, "entries") == [str(entry.pk)]
    assert _ids(changes, "milestones") == [str(second.pk)]
    assert changes["milestones"]["upserted"][0]["state"] == "in_progress"
    assert _ids(changes, "roadmaps") == [str(roadmap.pk)]
    assert changes["notes"] == {"upserted": [], "deleted": []}


def test_a_deleted_milestone_comes_as_a_tombstone(learner):
    client = logged_in(learner)
    path = small_path()
    roadmap, _ = roadmap_enroll(learner=learner, path=path)
    cursor = _sync(client)["cursor"]
    dropped = path.milestones.get(slug="docker-course")
    dropped.retired = True
    dropped.save(update_fields=["retired"])
    CareerPath.objects.filter(pk=path.pk).update(version=2)
    gone = roadmap.milestones.get(slug="docker-course")

    roadmap_upgrade(roadmap=roadmap)
    changes = _sync(client, cursor)

    assert _ids(changes, "milestones", "deleted") == [str(gone.pk)]
    assert str(gone.pk) not in _ids(changes, "milestones")


def test_a_mentor_gets_a_mentees_data_and_tombstones_when_the_link_ends(learner):
    mentor = UserFactory(is_mentor=True)
    client = logged_in(mentor)
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path())
    project = roadmap.milestones.get(slug="pipeline-project")
    entry = _log(learner, project, state="in_progress")
    milestone_note_set(milestone=project, note="Private")
    before = _sync(client)

    link = mentorship_create_active(mentor=mentor, learner=learner, by=UserFactory(is_staff=True))
    review = review_submit(learner=learner, milestone=project, evidence_url="https://github.com/ada/p")
    gained = _sync(client, before["cursor"])
    mentorship_end(mentorship=Mentorship.objects.get(pk=link.pk), user=learner)
    lost = _sync(client, gained["cursor"])
    after = _sync(client, lost["cursor"])

    assert before["roadmaps"]["upserted"] == []
    assert _ids(gained, "roadmaps") == [str(roadmap.pk)]
    assert len(gained["milestones"]["upserted"]) == 4
    assert _ids(gained, "entries") == [str(entry.pk)]
    assert _ids(gained, "reviews") == [str(review.pk)]
    assert gained["notes"] == {"upserted": [], "deleted": []}  # notes stay private
    assert [m["state"] for m in lost["mentorships"]["upserted"]] == ["ended"]
    assert _ids(lost, "roadmaps", "deleted") == [str(roadmap.pk)]
    assert len(lost["milestones"]["deleted"]) == 4
    assert _ids(lost, "entries", "deleted") == [str(entry.pk)]
    assert _ids(lost, "reviews", "deleted") == [str(review.pk)]
    _log(learner, roadmap.milestones.get(slug="python-basics"), state="in_progress")
    assert after["entries"] == {"upserted": [], "deleted": []}  # a former mentee's news no longer comes


def test_a_bad_or_too_old_cursor_is_refused(learner):
    client = logged_in(learner)
    cursor = _sync(client)["cursor"]

    bad = client.get("/api/v1/sync/", {"cursor": "not-a-cursor"})
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        old = client.get("/api/v1/sync/", {"cursor": cursor})

    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_cursor")
    assert (old.status_code, old.json()["code"]) == (410, "resync_required")


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_late_out_of_order_is_not_skipped():
    # Given: two milestones; a cursor from before anything happened.
    learner = UserFactory()
    client = logged_in(learner)
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path())
    slow_milestone, fast_milestone = roadmap.milestones.order_by("position")[:2]
    cursor = _sync(client)["cursor"]
    written, release = threading.Event(), threading.Event()
    slow = {}

    def slow_transaction():
        try:
            with transaction.atomic():
                slow["entry"] = _log(learner, slow_milestone)  # started first, commits last
                written.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_transaction)
    thread.start()
    assert written.wait(timeout=30)
    fast = _log(learner, fast_milestone)  # started later, commits first

    # When: the app syncs while the slow transaction is still open, then again after it commits
    during = _sync(client, cursor)
    release.set()
    thread.join(timeout=30)
    after = _sync(client, during["cursor"])

    # Then: the late commit arrives in the next sync; nothing is lost
    seen = set(_ids(during, "entries")) | set(_ids(after, "entries"))
    assert str(slow["entry"].pk) not in _ids(during, "entries")
    assert seen == {str(slow["entry"].pk), str(fast.pk)}
    assert str(slow["entry"].pk) in _ids(after, "entries")


def test_another_learners_changes_never_arrive(learner):
    client = logged_in(learner)
    cursor = _sync(client)["cursor"]
    other = UserFactory()
    roadmap, _ = roadmap_enroll(learner=other, path=small_path())
    _log(other, roadmap.milestones.first(), state="in_progress")

    changes = _sync(client, cursor)

    assert all(changes[key] == {"upserted": [], "deleted": []} for key in ("roadmaps", "milestones", "entries"))


def test_sync_is_throttled_per_user(learner, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "sync": "2/min"},
    }
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"sync-throttle-{uuid.uuid4()}"}}
    client = logged_in(learner)

    statuses = [client.get("/api/v1/sync/").status_code for _ in range(3)]
    other = logged_in(UserFactory()).get("/api/v1/sync/")

    assert statuses == [200, 200, 429]
    assert other.status_code == 200
