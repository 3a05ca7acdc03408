import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Mentorship
from tests.clients import logged_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_mentor_invites_a_learner_by_email_and_the_learner_accepts():
    mentor, learner = UserFactory(is_mentor=True), UserFactory()

    invite = logged_in(mentor).post("/api/v1/mentorships/", {"role": "mentor", "email": learner.email}, format="json")
    inbox = logged_in(learner).get("/api/v1/mentorships/").json()["results"]
    accepted = logged_in(learner).post(f"/api/v1/mentorships/{invite.json()['id']}/accept/")

    assert invite.status_code == 201
    assert invite.json()["state"] == "invited"
    assert invite.json()["learner"] is None
    assert [m["id"] for m in inbox] == [invite.json()["id"]]
    assert accepted.status_code == 200
    body = accepted.json()
    assert (body["state"], body["mentor"]["id"], body["learner"]["id"]) == ("active", mentor.pk, learner.pk)
    assert body["responded_at"] is not None


def test_a_learner_invites_a_mentor_with_a_code_the_mentor_redeems():
    mentor, learner = UserFactory(is_mentor=True), UserFactory()

    invite = logged_in(learner).post("/api/v1/mentorships/", {"role": "learner"}, format="json").json()
    stranger = logged_in(UserFactory()).post("/api/v1/mentorships/redeem/", {"code": invite["code"]}, format="json")
    redeemed = logged_in(mentor).post("/api/v1/mentorships/redeem/", {"code": invite["code"].lower()}, format="json")
    reused = logged_in(UserFactory(is_mentor=True)).post(
        "/api/v1/mentorships/redeem/", {"code": invite["code"]}, format="json"
    )

    assert len(invite["code"]) == 8
    assert (stranger.status_code, stranger.json()["code"]) == (403, "not_a_mentor")
    assert redeemed.json()["state"] == "active"
    assert redeemed.json()["code"] is None
    assert reused.status_code == 404


def test_invitations_are_declined_and_cannot_be_answered_twice():
    mentor, learner = UserFactory(is_mentor=True), UserFactory()
    invite = logged_in(mentor).post("/api/v1/mentorships/", {"role": "mentor", "email": learner.email}, format="json")
    url = f"/api/v1/mentorships/{invite.json()['id']}/"

    declined = logged_in(learner).post(f"{url}decline/")
    late = logged_in(learner).post(f"{url}accept/")

    assert declined.json()["state"] == "declined"
    assert (late.status_code, late.json()["code"]) == (409, "invitation_closed")


@pytest.mark.parametrize(
    ("inviter_is_mentor", "body", "status", "code"),
    [
        (False, {"role": "mentor", "email": "x@example.com"}, 403, "not_a_mentor"),
        (True, {"role": "mentor", "email": "SELF"}, 400, "self_invite"),
        (True, {"role": "teacher"}, 400, "validation_error"),
    ],
)
def test_bad_invitations_are_refused(inviter_is_mentor, body, status, code):
    inviter = UserFactory(is_mentor=inviter_is_mentor)
    if body.get("email") == "SELF":
        body = {**body, "email": inviter.email}

    response = logged_in(inviter).post("/api/v1/mentorships/", body, format="json")

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not Mentorship.objects.exists()


def test_only_the_addressed_user_may_answer_an_invitation():
    mentor, learner, other = UserFactory(is_mentor=True), UserFactory(), UserFactory()
    invite = logged_in(mentor).post("/api/v1/mentorships/", {"role": "mentor", "email": learner.email}, format="json")

    response = logged_in(other).post(f"/api/v1/mentorships/{invite.json()['id']}/accept/")

    assert response.status_code == 404
    assert Mentorship.objects.get().state == "invited"


def test_either_side_ends_it_and_the_pair_can_link_again():
    mentor, learner = UserFactory(is_mentor=True), UserFactory()
    link = Mentorship.objects.create(mentor=mentor, learner=learner, state="active")

    ended = logged_in(learner).post(f"/api/v1/mentorships/{link.pk}/end/")
    again = logged_in(mentor).post(f"/api/v1/mentorships/{link.pk}/end/")
    relink = logged_in(mentor).post("/api/v1/mentorships/", {"role": "mentor", "email": learner.email}, format="json")
    accepted = logged_in(learner).post(f"/api/v1/mentorships/{relink.json()['id']}/accept/")

    assert ended.json()["state"] == "ended"
    assert ended.json()["ended_at"] is not None
    assert (again.status_code, again.json()["code"]) == (409, "mentorship_closed")
    assert accepted.json()["state"] == "active"


def test_a_second_active_link_for_the_same_pair_is_refused():
    mentor, learner = UserFactory(is_mentor=True), UserFactory()
    Mentorship.objects.create(mentor=mentor, learner=learner, state="active")
    invite = logged_in(mentor).post("/api/v1/mentorships/", {"role": "mentor", "email": learner.email}, format="json")

    response = logged_in(learner).post(f"/api/v1/mentorships/{invite.json()['id']}/accept/")

    assert (response.status_code, response.json()["code"]) == (409, "already_linked")


def test_staff_link_and_end_mentorships_through_the_api():
    staff, mentor, learner = UserFactory(is_staff=True), UserFactory(is_mentor=True), UserFactory()

    created = logged_in(staff).post(
        "/api/v1/staff/mentorships/", {"mentor": mentor.pk, "learner": learner.pk}, format="json"
    )
    not_staff = logged_in(mentor).post(
        "/api/v1/staff/mentorships/", {"mentor": mentor.pk, "learner": learner.pk}, format="json"
    )
    not_a_mentor = logged_in(staff).post(
        "/api/v1/staff/mentorships/", {"mentor": learner.pk, "learner": mentor.pk}, format="json"
    )
    ended = logged_in(staff).post(f"/api/v1/mentorships/{created.json()['id']}/end/")

    assert created.status_code == 201
    assert created.json()["state"] == "active"
    assert not_staff.status_code == 403
    assert (not_a_mentor.status_code, not_a_mentor.json()["code"]) == (400, "not_a_mentor")
    assert ended.json()["state"] == "ended"


def test_only_the_inviter_is_shown_an_invitations_code_staff_reading_it_by_id_included():
    learner, staff = UserFactory(), UserFactory(is_staff=True)
    invite = logged_in(learner).post("/api/v1/mentorships/", {"role": "learner"}, format="json").json()
    url = f"/api/v1/mentorships/{invite['id']}/"

    own = logged_in(learner).get(url).json()
    listed = logged_in(learner).get("/api/v1/mentorships/").json()["results"]
    synced = logged_in(learner).get("/api/v1/sync/").json()["mentorships"]["upserted"]
    by_staff = logged_in(staff).get(url)

    created = Mentorship.objects.get(pk=invite["id"]).created_at
    expires = (created + timedelta(days=14)).isoformat().replace("+00:00", "Z")
    assert invite["code"] == own["code"] == listed[0]["code"] == synced[0]["code"] is not None
    assert invite["code_expires_at"] == own["code_expires_at"] == expires
    assert by_staff.status_code == 200
    assert (by_staff.json()["code"], by_staff.json()["code_expires_at"]) == (None, None)
    assert by_staff.json()["learner"]["id"] == learner.pk


def test_a_code_is_redeemed_within_its_days_and_not_after():
    learner = UserFactory()
    with time_machine.travel(timezone.now() - timedelta(days=14, seconds=1)):
        stale = logged_in(learner).post("/api/v1/mentorships/", {"role": "learner"}, format="json").json()
    with time_machine.travel(timezone.now() - timedelta(days=13, hours=23)):
        fresh = logged_in(learner).post("/api/v1/mentorships/", {"role": "learner"}, format="json").json()
    mentor = logged_in(UserFactory(is_mentor=True))

    expired = mentor.post("/api/v1/mentorships/redeem/", {"code": stale["code"]}, format="json")
    redeemed = mentor.post("/api/v1/mentorships/redeem/", {"code": fresh["code"]}, format="json")

    assert (expired.status_code, expired.json()["code"]) == (404, "not_found")
    assert Mentorship.objects.get(pk=stale["id"]).state == "invited"
    assert (redeemed.status_code, redeemed.json()["state"]) == (200, "active")


def test_redeeming_codes_is_limited_per_user(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "redeem": "3/hour"},
    }
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"redeem-{uuid.uuid4().hex}"}}
    guesser, other = logged_in(UserFactory(is_mentor=True)), logged_in(UserFactory(is_mentor=True))
    guesses = [f"{n:08X}" for n in range(4)]

    answers = [guesser.post("/api/v1/mentorships/redeem/", {"code": code}, format="json") for code in guesses]
    someone_else = other.post("/api/v1/mentorships/redeem/", {"code": guesses[0]}, format="json")

    assert [answer.status_code for answer in answers] == [404, 404, 404, 429]
    assert answers[-1].json()["code"] == "throttled"
    assert someone_else.status_code == 404
