"""ETags on detail endpoints: If-None-Match answers 304 without a body, If-Match refuses stale writes."""

import re
import threading
import time
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from roadmaps.models import ProgressEntry, Roadmap, Skill
from roadmaps.services.catalog import catalog_path_version_bump
from roadmaps.services.learning import roadmap_enroll
from tests.clients import logged_in
from tests.factories import UserFactory, entries_bulk_create, small_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def roadmap(learner_client) -> dict:
    small_path()
    response = learner_client.post("/api/v1/roadmaps/", {"path": "mlops-engineer"}, format="json")
    assert response.status_code == 201
    return response.json()


def _milestone_id(roadmap: dict, slug: str = "python-basics") -> int:
    return next(m["id"] for m in roadmap["milestones"] if m["slug"] == slug)


def _etag(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response["ETag"]


def _log(client, milestone_id: int, **body):
    response = client.post(
        f"/api/v1/milestones/{milestone_id}/entries/", {"id": str(uuid.uuid4()), **body}, format="json"
    )
    assert response.status_code == 201, response.content
    return response


@pytest.fixture
def urls(learner, learner_client, roadmap) -> dict[str, str]:
    """A detail URL of each kind, all readable by ``learner_client``: one with a mentor and a review."""
    mentor = UserFactory(is_mentor=True)
    invite = logged_in(mentor).post("/api/v1/mentorships/", {"role": "mentor", "email": learner.email}, format="json")
    mentorship_id = invite.json()["id"]
    assert learner_client.post(f"/api/v1/mentorships/{mentorship_id}/accept/").status_code == 200
    project = _milestone_id(roadmap, "pipeline-project")
    _log(learner_client, project, minutes=60, state="in_progress")
    submitted = learner_client.post(
        f"/api/v1/milestones/{project}/submit/", {"evidence_url": "https://github.com/ada/pipeline"}, format="json"
    )
    assert submitted.status_code == 201, submitted.content
    milestone = _milestone_id(roadmap)
    return {
        "roadmap": f"/api/v1/roadmaps/{roadmap['id']}/",
        "milestone": f"/api/v1/milestones/{milestone}/",
        "note": f"/api/v1/milestones/{milestone}/note/",
        "me": "/api/v1/me/",
        "mentorship": f"/api/v1/mentorships/{mentorship_id}/",
        "review": f"/api/v1/reviews/{submitted.json()['id']}/",
    }


# If-None-Match --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["roadmap", "milestone", "note", "me", "mentorship", "review"])
def test_a_detail_answers_304_without_a_body_while_the_etag_is_current(learner_client, urls, kind):
    first = learner_client.get(urls[kind])
    etag = first["ETag"]

    again = learner_client.get(urls[kind])
    cached = learner_client.get(urls[kind], HTTP_IF_NONE_MATCH=etag)
    among_others = learner_client.get(urls[kind], HTTP_IF_NONE_MATCH=f'"stale", {etag}')
    any_copy = learner_client.get(urls[kind], HTTP_IF_NONE_MATCH="*")
    other_copy = learner_client.get(urls[kind], HTTP_IF_NONE_MATCH='"something-else"')

    assert first.status_code == 200
    assert re.fullmatch(r'(W/)?"[0-9a-f]{32}"', etag)
    assert again["ETag"] == etag
    assert (cached.status_code, cached.content, cached["ETag"]) == (304, b"", etag)
    assert among_others.status_code == any_copy.status_code == 304
    assert (other_copy.status_code, other_copy.json()) == (200, first.json())


def test_etags_are_strong_except_the_reviews_whose_waiting_time_follows_the_clock(learner_client, urls):
    etags = {kind: learner_client.get(url)["ETag"] for kind, url in urls.items()}
    review = learner_client.get(urls["review"])

    assert [kind for kind, etag in etags.items() if etag.startswith("W/")] == ["review"]
    # If-None-Match compares weakly: the strong form of a weak ETag matches too, and back.
    assert learner_client.get(urls["review"], HTTP_IF_NONE_MATCH=etags["review"][2:]).status_code == 304
    assert learner_client.get(urls["me"], HTTP_IF_NONE_MATCH=f"W/{etags['me']}").status_code == 304
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        later = learner_client.get(urls["review"], HTTP_IF_NONE_MATCH=etags["review"])
        assert later.status_code == 304
        assert learner_client.get(urls["review"]).json()["waiting_seconds"] > review.json()["waiting_seconds"]


@pytest.mark.parametrize("count", [1, 50])
def test_the_304_of_a_roadmap_costs_fewer_queries_than_the_200(
    learner, learner_client, django_assert_num_queries, count
):
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path(extra_milestones=count))
    milestones = list(roadmap.milestones.all())
    now = timezone.now()
    entries_bulk_create(
        ProgressEntry(
            id=uuid.uuid4(), learner=learner, milestone=milestones[i % len(milestones)], minutes=30, logged_at=now
        )
        for i in range(count)
    )
    url = f"/api/v1/roadmaps/{roadmap.pk}/"

    # the roadmap with its path, the access check and its log by local day; the milestones with their
    # skills (the ETag comes from those rows)
    with django_assert_num_queries(2):
        full = learner_client.get(url)
    # the roadmap, the access check and what its ETag follows, in one statement
    with django_assert_num_queries(1):
        not_modified = learner_client.get(url, HTTP_IF_NONE_MATCH=full["ETag"])

    assert full.status_code == 200
    assert len(full.json()["milestones"]) == count + 4
    assert (not_modified.status_code, not_modified.content) == (304, b"")


def test_another_learners_object_stays_404_whatever_the_headers(learner_client, other_client, urls):
    for kind in ("roadmap", "milestone", "note", "mentorship", "review"):
        etag = _etag(learner_client, urls[kind])

        response = other_client.get(urls[kind], HTTP_IF_NONE_MATCH=etag)
        star = other_client.get(urls[kind], HTTP_IF_NONE_MATCH="*")

        assert (kind, response.status_code, star.status_code) == (kind, 404, 404)
        assert "ETag" not in response


@pytest.mark.parametrize("url", ["/api/v1/paths/mlops-engineer/", "/api/v1/skills/python/"])
def test_the_public_catalog_details_answer_304_while_current(api_client, url):
    small_path()
    first = api_client.get(url)

    cached = api_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    unknown = api_client.get(
        url.replace("mlops-engineer", "astronaut").replace("python", "cobol"), HTTP_IF_NONE_MATCH="*"
    )

    assert first.status_code == 200
    assert (cached.status_code, cached.content, cached["ETag"]) == (304, b"", first["ETag"])
    assert unknown.status_code == 404


def test_a_new_path_version_or_a_renamed_skill_changes_the_catalog_etags(api_client):
    path = small_path()
    small_path(slug="data-scientist")
    urls = ["/api/v1/paths/mlops-engineer/", "/api/v1/skills/python/", "/api/v1/paths/data-scientist/"]
    before = {url: _etag(api_client, url) for url in urls}

    catalog_path_version_bump(path=path)
    after_bump = {url: api_client.get(url, HTTP_IF_NONE_MATCH=before[url]).status_code for url in urls}
    Skill.objects.filter(slug="python").update(name="Python 3")
    renamed = api_client.get("/api/v1/paths/data-scientist/", HTTP_IF_NONE_MATCH=before[urls[2]])

    assert after_bump == {urls[0]: 200, urls[1]: 200, urls[2]: 304}
    assert renamed.status_code == 200
    assert {"slug": "python", "name": "Python 3", "category": "programming"} in renamed.json()["skill_groups"][0][
        "skills"
    ]


@pytest.mark.parametrize("count", [1, 50])
def test_the_304_of_a_catalog_path_costs_one_query(api_client, django_assert_num_queries, count):
    small_path(extra_milestones=count)
    url = "/api/v1/paths/mlops-engineer/"

    # the ETag's query; path, stages, milestones, their skills, prerequisites, resources, path skills
    with django_assert_num_queries(8):
        full = api_client.get(url)
    with django_assert_num_queries(1):
        cached = api_client.get(url, HTTP_IF_NONE_MATCH=full["ETag"])

    assert cached.status_code == 304


# When the ETag changes ------------------------------------------------------------------


def test_logging_time_changes_the_roadmap_and_the_milestone_etags(learner_client, roadmap):
    roadmap_url = f"/api/v1/roadmaps/{roadmap['id']}/"
    milestone_url = f"/api/v1/milestones/{_milestone_id(roadmap)}/"
    other_url = f"/api/v1/milestones/{_milestone_id(roadmap, 'docker-course')}/"
    before = {url: _etag(learner_client, url) for url in (roadmap_url, milestone_url, other_url)}

    _log(learner_client, _milestone_id(roadmap), minutes=45)

    assert learner_client.get(roadmap_url, HTTP_IF_NONE_MATCH=before[roadmap_url]).status_code == 200
    assert learner_client.get(milestone_url, HTTP_IF_NONE_MATCH=before[milestone_url]).json()["hours_logged"] == 0.75
    assert learner_client.get(other_url, HTTP_IF_NONE_MATCH=before[other_url]).status_code == 304


def test_a_note_only_entry_changes_the_roadmap_etag_through_the_streak_not_the_milestones(learner_client, roadmap):
    roadmap_url = f"/api/v1/roadmaps/{roadmap['id']}/"
    milestone_url = f"/api/v1/milestones/{_milestone_id(roadmap)}/"
    _log(learner_client, _milestone_id(roadmap), minutes=30, logged_at=(timezone.now() - timedelta(days=1)).isoformat())
    before = learner_client.get(roadmap_url)
    milestone_etag = _etag(learner_client, milestone_url)

    _log(learner_client, _milestone_id(roadmap), note="Read the first chapter.")

    changed = learner_client.get(roadmap_url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert changed.status_code == 200
    assert changed.json()["stats"]["current_streak_days"] == before.json()["stats"]["current_streak_days"] + 1
    # Nothing the milestone shows moved: no time logged, no state or evidence changed.
    assert learner_client.get(milestone_url, HTTP_IF_NONE_MATCH=milestone_etag).status_code == 304


def test_a_reorder_changes_the_etags_of_the_roadmap_and_the_moved_milestones(learner_client, roadmap):
    roadmap_url = f"/api/v1/roadmaps/{roadmap['id']}/"
    milestone_url = f"/api/v1/milestones/{_milestone_id(roadmap)}/"
    roadmap_etag, milestone_etag = _etag(learner_client, roadmap_url), _etag(learner_client, milestone_url)
    reversed_ids = [m["id"] for m in reversed(roadmap["milestones"])]

    reordered = learner_client.put(
        f"/api/v1/roadmaps/{roadmap['id']}/milestones/order/", {"milestones": reversed_ids}, format="json"
    )

    assert reordered.status_code == 204
    assert [m["id"] for m in learner_client.get(roadmap_url, HTTP_IF_NONE_MATCH=roadmap_etag).json()["milestones"]] == (
        reversed_ids
    )
    assert learner_client.get(milestone_url, HTTP_IF_NONE_MATCH=milestone_etag).json()["position"] == 3


def test_the_roadmap_etag_follows_the_learners_day_and_time_zone(learner_client, roadmap):
    roadmap_url = f"/api/v1/roadmaps/{roadmap['id']}/"
    milestone_url = f"/api/v1/milestones/{_milestone_id(roadmap)}/"
    today = _etag(learner_client, roadmap_url)
    milestone_etag = _etag(learner_client, milestone_url)

    # The stats count weeks and streaks up to the learner's today.
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert learner_client.get(roadmap_url, HTTP_IF_NONE_MATCH=today).status_code == 200
        assert learner_client.get(milestone_url, HTTP_IF_NONE_MATCH=milestone_etag).status_code == 304
    assert learner_client.patch("/api/v1/me/", {"time_zone": "Asia/Tokyo"}, format="json").status_code == 200
    assert learner_client.get(roadmap_url, HTTP_IF_NONE_MATCH=today).status_code == 200


def test_a_note_changes_the_milestone_etag_only_by_moving_its_updated_at(learner_client, roadmap):
    milestone_url = f"/api/v1/milestones/{_milestone_id(roadmap)}/"
    note_url = f"{milestone_url}note/"
    assert learner_client.put(note_url, {"note": "Start with the tutorial."}, format="json").status_code == 200
    milestone_before = learner_client.get(milestone_url)
    note_etag = _etag(learner_client, note_url)

    same_note = learner_client.put(note_url, {"note": "Start with the tutorial."}, format="json")
    unchanged = learner_client.get(milestone_url, HTTP_IF_NONE_MATCH=milestone_before["ETag"])
    new_note = learner_client.put(note_url, {"note": "Skip the tutorial."}, format="json")
    changed = learner_client.get(milestone_url, HTTP_IF_NONE_MATCH=milestone_before["ETag"])

    # The note is not part of the milestone's representation; its updated_at is, and a new note moves it.
    assert "note" not in milestone_before.json()
    assert same_note["ETag"] == note_etag
    assert unchanged.status_code == 304
    assert new_note["ETag"] != note_etag
    assert changed.status_code == 200
    assert changed.json()["updated_at"] != milestone_before.json()["updated_at"]


def test_the_review_and_mentorship_etags_change_with_a_comment_and_an_ended_link(learner_client, urls):
    review_etag, mentorship_etag = _etag(learner_client, urls["review"]), _etag(learner_client, urls["mentorship"])

    learner_client.post(f"{urls['review']}comments/", {"body": "Added the CI badge."}, format="json")
    learner_client.post(f"{urls['mentorship']}end/")

    assert learner_client.get(urls["review"], HTTP_IF_NONE_MATCH=review_etag).json()["comments"][0]["body"] == (
        "Added the CI badge."
    )
    assert learner_client.get(urls["mentorship"], HTTP_IF_NONE_MATCH=mentorship_etag).json()["state"] == "ended"


# If-Match -------------------------------------------------------------------------------


def _stale_and_current(client, url: str, change: dict, method: str = "patch") -> tuple[str, str]:
    """(an ETag read before someone else's change, the ETag after it)."""
    stale = _etag(client, url)
    response = getattr(client, method)(url, change, format="json")
    assert response.status_code == 200, response.content
    return stale, response["ETag"]


def test_a_stale_if_match_is_refused_with_412_and_nothing_is_written(learner, learner_client, roadmap):
    url = f"/api/v1/roadmaps/{roadmap['id']}/"
    stale, _ = _stale_and_current(learner_client, url, {"status": "paused"})

    response = learner_client.patch(url, {"status": "archived"}, format="json", HTTP_IF_MATCH=stale)

    assert response.status_code == 412
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Precondition Failed",
        "status": 412,
        "code": "precondition_failed",
        "detail": "It changed since you read it (If-Match); nothing was written. Read it again, then retry.",
    }
    assert Roadmap.objects.get(pk=roadmap["id"]).status == "paused"


def test_the_current_if_match_writes_and_answers_the_new_etag(learner_client, roadmap):
    url = f"/api/v1/roadmaps/{roadmap['id']}/"
    etag = _etag(learner_client, url)

    response = learner_client.patch(url, {"status": "paused"}, format="json", HTTP_IF_MATCH=etag)
    second = learner_client.patch(url, {"status": "active"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 200
    assert response.json()["status"] == "paused"
    assert response["ETag"] not in (etag, None)
    assert response["ETag"] == _etag(learner_client, url)
    assert second.status_code == 412  # the ETag the first write made stale


@pytest.mark.parametrize(
    ("kind", "method", "first", "second"),
    [
        ("milestone", "patch", {"target_date": "2099-01-31"}, {"target_date": None}),
        ("note", "put", {"note": "Start with the tutorial."}, {"note": "Skip the tutorial."}),
        ("me", "patch", {"display_name": "Ada L."}, {"display_name": "Ada Lovelace"}),
    ],
)
def test_if_match_on_each_writable_detail(learner_client, roadmap, kind, method, first, second):
    milestone = _milestone_id(roadmap)
    url = {
        "milestone": f"/api/v1/milestones/{milestone}/",
        "note": f"/api/v1/milestones/{milestone}/note/",
        "me": "/api/v1/me/",
    }[kind]
    write = getattr(learner_client, method)
    stale, current = _stale_and_current(learner_client, url, first, method)

    refused = write(url, second, format="json", HTTP_IF_MATCH=stale)
    after_refusal = learner_client.get(url).json()
    weak = write(url, second, format="json", HTTP_IF_MATCH=f"W/{current}")
    accepted = write(url, second, format="json", HTTP_IF_MATCH=current)

    assert (refused.status_code, refused.json()["code"]) == (412, "precondition_failed")
    assert after_refusal.items() >= first.items()
    assert weak.status_code == 412  # If-Match compares strongly
    assert accepted.status_code == 200
    assert accepted.json().items() >= second.items()
    assert accepted["ETag"] == _etag(learner_client, url) != current


def test_if_match_star_only_asks_that_the_object_exists(learner_client, roadmap):
    url = f"/api/v1/roadmaps/{roadmap['id']}/"

    response = learner_client.patch(url, {"status": "paused"}, format="json", HTTP_IF_MATCH="*")
    missing = learner_client.patch("/api/v1/roadmaps/999999/", {"status": "paused"}, format="json", HTTP_IF_MATCH="*")

    assert response.status_code == 200
    assert missing.status_code == 404


def test_invalid_input_answers_400_whatever_if_match_says(learner_client, roadmap):
    url = f"/api/v1/roadmaps/{roadmap['id']}/"

    response = learner_client.patch(url, {"status": "asleep"}, format="json", HTTP_IF_MATCH='"stale"')

    assert (response.status_code, response.json()["code"]) == (400, "validation_error")


def test_a_blank_if_match_asks_nothing_and_an_unquoted_one_never_matches(learner_client, roadmap):
    url = f"/api/v1/roadmaps/{roadmap['id']}/"

    blank = learner_client.patch(url, {"status": "paused"}, format="json", HTTP_IF_MATCH=" ")
    unquoted = learner_client.patch(url, {"status": "active"}, format="json", HTTP_IF_MATCH=blank["ETag"].strip('"'))

    assert blank.status_code == 200
    assert unquoted.status_code == 412


def test_the_access_check_comes_before_the_precondition(learner, other_client, urls):
    mentor_client = logged_in(learner.mentor_links.get(state="active").mentor)

    for url, change in [(urls["milestone"], {"target_date": None}), (urls["roadmap"], {"status": "paused"})]:
        stranger = other_client.patch(url, change, format="json", HTTP_IF_MATCH='"stale"')
        # An active mentor reads the learner's objects but may not write them: 403, not 412.
        mentor = mentor_client.patch(url, change, format="json", HTTP_IF_MATCH='"stale"')

        assert (url, stranger.status_code, mentor.status_code) == (url, 404, 403)


def _wait_until_a_query_waits_for_a_lock() -> None:
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # a transaction sees one snapshot otherwise
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
    pytest.fail("The second write never waited for the first one's lock.")


@pytest.mark.django_db(transaction=True)
def test_two_writes_with_the_same_etag_at_once_one_wins_the_other_gets_412(learner):
    # Given: the learner read the roadmap on two devices
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path())
    url = f"/api/v1/roadmaps/{roadmap.pk}/"
    first_device, second_device = logged_in(learner), logged_in(learner)
    etag = _etag(first_device, url)
    results = {}

    def send_from_the_second_device():
        try:
            results["second"] = second_device.patch(url, {"status": "archived"}, format="json", HTTP_IF_MATCH=etag)
        finally:
            connection.close()

    # When: the second device writes while the first one's write is not yet committed
    with transaction.atomic():
        first = first_device.patch(url, {"status": "paused"}, format="json", HTTP_IF_MATCH=etag)
        thread = threading.Thread(target=send_from_the_second_device)
        thread.start()
        _wait_until_a_query_waits_for_a_lock()
    thread.join(timeout=30)

    # Then: the second one waited, saw the first one's change, and wrote nothing
    assert first.status_code == 200
    assert results["second"].status_code == 412
    assert Roadmap.objects.get(pk=roadmap.pk).status == "paused"
