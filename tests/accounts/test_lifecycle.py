"""Account lifecycle: email verification, password reset and change, sessions (devices)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuditEvent, User
from tests.accounts.helpers import PASSWORD, bearer, link_token, log_in, refresh
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
NEW_PASSWORD = "a completely new passphrase"
INVALID_TOKEN = {
    "type": "about:blank",
    "title": "Bad Request",
    "status": 400,
    "code": "invalid_token",
    "detail": "This link is invalid, used or expired.",
}
RESET_ANSWER = {"detail": "If an account has this address, a link to choose a new password is on its way."}


@pytest.fixture
def run_tasks(eager_tasks, django_capture_on_commit_callbacks):
    """Run what the request sends to the worker, as the worker would once the request commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _register(client: APIClient, run_tasks, email: str = "ada@example.com"):
    with run_tasks():
        return client.post("/api/v1/auth/register/", {"email": email, "password": PASSWORD}, format="json")


# Email verification --------------------------------------------------------------------------


def test_the_link_of_the_verification_mail_confirms_the_address(api_client, run_tasks, mailoutbox):
    # Given: a new account, not verified, and the mail with its link
    with time_machine.travel(NOON, tick=False):
        _register(api_client, run_tasks)
    token = link_token(mailoutbox[0].body)
    assert User.objects.get().email_verified_at is None

    # When: the link is followed, twice
    with time_machine.travel(NOON + timedelta(hours=1), tick=False):
        first = api_client.post("/api/v1/auth/email/verify/", {"token": token}, format="json")
        again = api_client.post("/api/v1/auth/email/verify/", {"token": token}, format="json")

    # Then: verified at the first use; the second changes nothing
    user = User.objects.get()
    assert (first.status_code, again.status_code) == (204, 204)
    assert user.email_verified_at == NOON + timedelta(hours=1)
    assert bearer(log_in(user.email)["access"]).get("/api/v1/me/").json()["email_verified_at"] == "2026-03-02T13:00:00Z"
    assert list(AuditEvent.objects.filter(action="email_verified").values_list("actor", flat=True)) == [user.pk]
    assert mailoutbox[0].alternatives[0][0].count(token) == 1  # the HTML part has the same link


@pytest.mark.parametrize("token", ["not-a-token", ""])
def test_a_forged_verification_token_answers_400_invalid_token(api_client, token):
    response = api_client.post("/api/v1/auth/email/verify/", {"token": token}, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    if token:
        assert response.json() == INVALID_TOKEN


def test_a_verification_link_expires_after_seven_days(api_client, run_tasks, mailoutbox):
    # Given
    with time_machine.travel(NOON, tick=False):
        _register(api_client, run_tasks)

    # When
    with time_machine.travel(NOON + timedelta(days=7, seconds=1), tick=False):
        response = api_client.post(
            "/api/v1/auth/email/verify/", {"token": link_token(mailoutbox[0].body)}, format="json"
        )

    # Then
    assert (response.status_code, response.json()) == (400, INVALID_TOKEN)
    assert User.objects.get().email_verified_at is None


def test_a_new_link_is_sent_on_request_only_while_the_address_is_unconfirmed(run_tasks, mailoutbox):
    # Given
    unverified = UserFactory(email="new@example.com")
    verified = UserFactory(email="old@example.com", email_verified_at=NOON)

    # When
    with run_tasks():
        answers = [
            bearer(log_in(user.email)["access"]).post("/api/v1/auth/email/verify/resend/")
            for user in (unverified, verified)
        ]

    # Then
    assert [answer.status_code for answer in answers] == [202, 202]
    assert [mail.to for mail in mailoutbox] == [["new@example.com"]]


# Password reset -------------------------------------------------------------------------------


def test_a_reset_request_answers_the_same_for_any_address_and_mails_only_an_owner(api_client, run_tasks, mailoutbox):
    # Given
    UserFactory(email="ada@example.com")

    # When
    with run_tasks():
        known = api_client.post("/api/v1/auth/password/reset/", {"email": "Ada@Example.com"}, format="json")
    with run_tasks():
        unknown = api_client.post("/api/v1/auth/password/reset/", {"email": "nobody@example.com"}, format="json")

    # Then
    assert (known.status_code, known.json()) == (202, RESET_ANSWER)
    assert (unknown.status_code, unknown.json(), unknown.content) == (202, RESET_ANSWER, known.content)
    assert [(mail.to, mail.subject) for mail in mailoutbox] == [(["ada@example.com"], "Reset your CareerHub password")]
    assert "http://127.0.0.1:8000/reset-password?token=" in mailoutbox[0].body


def test_a_reset_request_does_not_look_the_address_up_in_the_request(
    api_client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    # Given: an owner, and an address without an account
    UserFactory(email="ada@example.com")

    # When / Then: no query at all either way (the worker looks the address up), so no timing tells them apart
    for email in ("ada@example.com", "nobody@example.com"):
        with django_assert_num_queries(0), django_capture_on_commit_callbacks() as callbacks:
            api_client.post("/api/v1/auth/password/reset/", {"email": email}, format="json")
        assert len(callbacks) == 1


def test_a_reset_token_works_once_and_logs_out_every_device(api_client, run_tasks, mailoutbox):
    # Given: a user logged in on a device, who asks for a reset
    user = UserFactory(email="ada@example.com")
    device = log_in(user.email)
    with run_tasks():
        api_client.post("/api/v1/auth/password/reset/", {"email": user.email}, format="json")
    token = link_token(mailoutbox[0].body)

    # When: the token is used, then used again
    first = api_client.post(
        "/api/v1/auth/password/reset/confirm/", {"token": token, "new_password": NEW_PASSWORD}, format="json"
    )
    second = api_client.post(
        "/api/v1/auth/password/reset/confirm/",
        {"token": token, "new_password": "yet another passphrase"},
        format="json",
    )

    # Then: the new password works, the device's refresh token does not, and the second use changed nothing
    user.refresh_from_db()
    assert first.status_code == 204
    assert (second.status_code, second.json()) == (400, INVALID_TOKEN)
    assert user.check_password(NEW_PASSWORD)
    assert refresh(device["refresh"]).status_code == 401
    assert log_in(user.email, NEW_PASSWORD)["access"]
    assert user.email_verified_at is not None  # the link reached the inbox
    assert AuditEvent.objects.filter(action="password_reset", actor=user).count() == 1


def test_a_reset_token_expires_after_an_hour(api_client, run_tasks, mailoutbox):
    # Given
    user = UserFactory(email="ada@example.com")
    with time_machine.travel(NOON, tick=False), run_tasks():
        api_client.post("/api/v1/auth/password/reset/", {"email": user.email}, format="json")

    # When
    with time_machine.travel(NOON + timedelta(hours=1, seconds=1), tick=False):
        response = api_client.post(
            "/api/v1/auth/password/reset/confirm/",
            {"token": link_token(mailoutbox[0].body), "new_password": NEW_PASSWORD},
            format="json",
        )

    # Then
    assert (response.status_code, response.json()) == (400, INVALID_TOKEN)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("token", ["garbage", "Mg.nope", "!!.x", "MTIzNDU2Nzg5MDEyMzQ1Njc4OTA.abc"])
def test_a_forged_reset_token_answers_400_invalid_token(api_client, token):
    UserFactory()

    response = api_client.post(
        "/api/v1/auth/password/reset/confirm/", {"token": token, "new_password": NEW_PASSWORD}, format="json"
    )

    assert (response.status_code, response.json()) == (400, INVALID_TOKEN)


def test_a_weak_new_password_is_refused_and_the_reset_link_still_works(api_client, run_tasks, mailoutbox):
    # Given
    user = UserFactory(email="ada@example.com")
    with run_tasks():
        api_client.post("/api/v1/auth/password/reset/", {"email": user.email}, format="json")
    token = link_token(mailoutbox[0].body)

    # When
    weak = api_client.post(
        "/api/v1/auth/password/reset/confirm/", {"token": token, "new_password": "password"}, format="json"
    )
    strong = api_client.post(
        "/api/v1/auth/password/reset/confirm/", {"token": token, "new_password": NEW_PASSWORD}, format="json"
    )

    # Then
    assert weak.status_code == 400
    assert [(e["field"], e["code"]) for e in weak.json()["errors"]] == [("password", "password_too_common")]
    assert strong.status_code == 204


def test_reset_mails_to_one_address_are_sent_at_most_once_a_minute(api_client, run_tasks, mailoutbox):
    # Given
    UserFactory(email="ada@example.com")

    # When: three requests in a minute, and one more after it
    with time_machine.travel(NOON, tick=False) as clock:
        for _ in range(3):
            with run_tasks():
                api_client.post("/api/v1/auth/password/reset/", {"email": "ada@example.com"}, format="json")
        clock.shift(timedelta(seconds=61))
        with run_tasks():
            api_client.post("/api/v1/auth/password/reset/", {"email": "ada@example.com"}, format="json")

    # Then
    assert len(mailoutbox) == 2


# Password change ------------------------------------------------------------------------------


def test_a_password_change_revokes_every_refresh_token_and_answers_new_tokens():
    # Given: the user on a phone and a laptop
    user = UserFactory(email="ada@example.com")
    phone, laptop = log_in(user.email, agent="Phone"), log_in(user.email, agent="Laptop")

    # When: the password is changed from the phone
    response = bearer(phone["access"]).post(
        "/api/v1/auth/password/change/",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )

    # Then: both old refresh tokens are dead; the answered pair works; the new password logs in
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    assert [refresh(tokens["refresh"]).status_code for tokens in (phone, laptop)] == [401, 401]
    assert refresh(response.json()["refresh"]).status_code == 200
    assert log_in(user.email, NEW_PASSWORD)
    old_access = bearer(laptop["access"]).get("/api/v1/me/")
    assert (old_access.status_code, old_access.json()["code"]) == (401, "password_changed")
    assert bearer(response.json()["access"]).get("/api/v1/me/").status_code == 200
    assert AuditEvent.objects.filter(action="password_changed", actor=user).count() == 1


def test_a_password_change_with_a_wrong_current_password_changes_nothing():
    # Given
    user = UserFactory(email="ada@example.com")
    tokens = log_in(user.email)

    # When
    response = bearer(tokens["access"]).post(
        "/api/v1/auth/password/change/",
        {"current_password": "not my password", "new_password": NEW_PASSWORD},
        format="json",
    )

    # Then
    user.refresh_from_db()
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "current_password", "code": "wrong_password", "detail": "The password is wrong."}
    ]
    assert user.check_password(PASSWORD)
    assert refresh(tokens["refresh"]).status_code == 200


# Sessions (devices) ----------------------------------------------------------------------------


def test_the_session_list_names_each_device_and_marks_the_current_one():
    # Given
    user = UserFactory(email="ada@example.com")
    with time_machine.travel(NOON, tick=False):
        phone = log_in(user.email, agent="CareerHub/2.1 (iPhone)", ip="203.0.113.5")
    with time_machine.travel(NOON + timedelta(minutes=5), tick=False):
        laptop = log_in(user.email, agent="Firefox/140", ip="203.0.113.9")

    # When
    with time_machine.travel(NOON + timedelta(minutes=10), tick=False):
        response = bearer(phone["access"]).get("/api/v1/auth/sessions/")

    # Then: newest first
    assert response.status_code == 200
    rows = [
        {key: row[key] for key in ("user_agent", "ip", "created_at", "current")} for row in response.json()["results"]
    ]
    assert rows == [
        {"user_agent": "Firefox/140", "ip": "203.0.113.9", "created_at": "2026-03-02T12:05:00Z", "current": False},
        {
            "user_agent": "CareerHub/2.1 (iPhone)",
            "ip": "203.0.113.5",
            "created_at": "2026-03-02T12:00:00Z",
            "current": True,
        },
    ]
    assert laptop


def test_revoking_a_session_stops_its_refresh_token_and_no_other():
    # Given
    user = UserFactory(email="ada@example.com")
    phone, laptop = log_in(user.email, agent="Phone"), log_in(user.email, agent="Laptop")
    sessions = bearer(phone["access"]).get("/api/v1/auth/sessions/").json()["results"]
    laptop_session = next(row["id"] for row in sessions if row["user_agent"] == "Laptop")

    # When
    response = bearer(phone["access"]).delete(f"/api/v1/auth/sessions/{laptop_session}/")

    # Then
    assert response.status_code == 204
    assert refresh(laptop["refresh"]).status_code == 401
    assert refresh(phone["refresh"]).status_code == 200
    remaining = bearer(phone["access"]).get("/api/v1/auth/sessions/").json()["results"]
    assert [row["user_agent"] for row in remaining] == ["Phone"]


def test_a_refreshed_token_stays_in_its_session():
    # Given: a token refreshed twice
    user = UserFactory(email="ada@example.com")
    tokens = log_in(user.email, agent="Phone")
    for _ in range(2):
        tokens = refresh(tokens["refresh"]).json()

    # When
    sessions = bearer(tokens["access"]).get("/api/v1/auth/sessions/").json()["results"]

    # Then: still one session, the current one
    assert [(row["user_agent"], row["current"]) for row in sessions] == [("Phone", True)]


def test_a_rotated_refresh_token_used_again_revokes_its_session_and_no_other():
    # Given: a phone's token rotated a minute ago (so a copy of the old one is abroad), and a laptop
    user = UserFactory(email="ada@example.com")
    with time_machine.travel(timezone.now() - timedelta(minutes=1)):
        stolen = log_in(user.email, agent="Phone")
        phone = refresh(stolen["refresh"]).json()
    laptop = log_in(user.email, agent="Laptop")

    # When: the old token is sent again
    reused = refresh(stolen["refresh"])

    # Then: refused, and the phone's session ends with it: its current token no longer refreshes
    assert (reused.status_code, reused.json()["code"]) == (401, "token_not_valid")
    assert refresh(phone["refresh"]).status_code == 401
    assert refresh(laptop["refresh"]).status_code == 200
    event = AuditEvent.objects.get(action="session_revoked")
    assert (event.target_user_id, event.changes) == (user.pk, {"reason": "refresh_token_reused"})


def test_a_refresh_retried_at_once_is_refused_without_ending_the_session():
    # Given: the app sent its refresh twice at once; the first rotated the token
    user = UserFactory(email="ada@example.com")
    tokens = log_in(user.email, agent="Phone")
    rotated = refresh(tokens["refresh"]).json()

    # When: the second arrives within the grace
    retry = refresh(tokens["refresh"])

    # Then: it is refused, and the session goes on
    assert retry.status_code == 401
    assert refresh(rotated["refresh"]).status_code == 200
    assert not AuditEvent.objects.filter(action="session_revoked").exists()


def test_log_out_everywhere_revokes_every_refresh_token():
    # Given
    user = UserFactory(email="ada@example.com")
    phone, laptop = log_in(user.email), log_in(user.email)

    # When
    response = bearer(phone["access"]).post("/api/v1/auth/logout/everywhere/")

    # Then
    assert response.status_code == 204
    assert [refresh(tokens["refresh"]).status_code for tokens in (phone, laptop)] == [401, 401]
    assert refresh(phone["refresh"]).json()["code"] == "token_not_valid"
    assert bearer(phone["access"]).get("/api/v1/auth/sessions/").json()["results"] == []
    assert AuditEvent.objects.filter(action="logout_everywhere", actor=user).count() == 1


def test_log_out_ends_the_session_of_the_token():
    # Given
    user = UserFactory(email="ada@example.com")
    phone, laptop = log_in(user.email, agent="Phone"), log_in(user.email, agent="Laptop")

    # When
    response = APIClient().post("/api/v1/auth/logout/", {"refresh": laptop["refresh"]}, format="json")

    # Then
    assert response.status_code == 204
    sessions = bearer(phone["access"]).get("/api/v1/auth/sessions/").json()["results"]
    assert [row["user_agent"] for row in sessions] == ["Phone"]


def test_the_session_list_costs_the_same_queries_for_1_and_50_sessions(django_assert_num_queries):
    # Given
    user = UserFactory(email="ada@example.com")
    tokens = log_in(user.email)
    client = bearer(tokens["access"])

    # When / Then
    with django_assert_num_queries(2):  # the user, the page
        client.get("/api/v1/auth/sessions/")
    for _ in range(49):
        log_in(user.email)
    with django_assert_num_queries(2):
        response = client.get("/api/v1/auth/sessions/?page_size=100")
    assert len(response.json()["results"]) == 50


# Enumeration ----------------------------------------------------------------------------------


def test_an_invitation_by_email_answers_alike_for_an_address_with_and_without_an_account():
    # Given
    mentor = UserFactory(is_mentor=True)
    UserFactory(email="learner@example.com")
    client = APIClient()
    client.force_authenticate(mentor)

    # When
    answers = [
        client.post("/api/v1/mentorships/", {"role": "mentor", "email": email}, format="json")
        for email in ("learner@example.com", "nobody@example.com")
    ]

    # Then: the same answer but for the id and the address itself
    def shape(response):
        return {
            key: value for key, value in response.json().items() if key not in ("id", "invitee_email", "created_at")
        }

    assert [answer.status_code for answer in answers] == [201, 201]
    assert shape(answers[0]) == shape(answers[1])


def test_sessions_ended_over_30_days_ago_are_purged():
    # Given: a session logged out 31 days ago, one logged out yesterday, one in use
    from accounts.models import LoginSession
    from accounts.tasks import purge_login_sessions

    user = UserFactory(email="ada@example.com")
    with time_machine.travel(NOON, tick=False):
        old = log_in(user.email, agent="Old")
        APIClient().post("/api/v1/auth/logout/", {"refresh": old["refresh"]}, format="json")
    with time_machine.travel(NOON + timedelta(days=30), tick=False):
        recent = log_in(user.email, agent="Recent")
        APIClient().post("/api/v1/auth/logout/", {"refresh": recent["refresh"]}, format="json")
        log_in(user.email, agent="In use")

    # When
    with time_machine.travel(NOON + timedelta(days=31), tick=False):
        purged = purge_login_sessions()

    # Then
    assert purged == 1
    assert sorted(LoginSession.objects.values_list("user_agent", flat=True)) == ["In use", "Recent"]


# Email change ---------------------------------------------------------------------------------

EMAIL_CHANGE_ANSWER = {
    "detail": "A link to confirm the new address is on its way to it; your address changes when it is opened."
}


def test_an_email_change_takes_effect_when_the_link_sent_to_the_new_address_is_opened(run_tasks, mailoutbox):
    # Given
    user = UserFactory(email="ada@example.com")
    client = bearer(log_in(user.email)["access"])

    # When: asked for, then the link in the new inbox opened
    with run_tasks():
        asked = client.post("/api/v1/me/email/", {"email": "Ada@New.example", "password": PASSWORD}, format="json")
    unchanged = User.objects.get(pk=user.pk).email
    with run_tasks():
        confirmed = APIClient().post(
            "/api/v1/auth/email/change/confirm/", {"token": link_token(mailoutbox[0].body)}, format="json"
        )

    # Then: the account moved and is verified; the old address was told; the new one logs in
    user.refresh_from_db()
    assert (asked.status_code, asked.json()) == (202, EMAIL_CHANGE_ANSWER)
    assert unchanged == "ada@example.com"
    assert confirmed.status_code == 204
    assert (user.email, user.email_verified_at is not None) == ("ada@new.example", True)
    assert [(mail.to, mail.subject) for mail in mailoutbox] == [
        (["ada@new.example"], "Confirm your new email address for CareerHub"),
        (["ada@example.com"], "The email address of your CareerHub account was changed"),
    ]
    assert log_in("ada@new.example")
    assert _events_of(user) == [("email_changed", {"fields": ["email"]})]


def _events_of(user) -> list:
    return list(AuditEvent.objects.filter(action="email_changed", actor=user).values_list("action", "changes"))


def test_an_email_change_to_a_taken_address_answers_the_same_and_changes_nothing(run_tasks, mailoutbox):
    # Given
    user = UserFactory(email="ada@example.com")
    UserFactory(email="grace@example.com")

    # When
    with run_tasks():
        response = bearer(log_in(user.email)["access"]).post(
            "/api/v1/me/email/", {"email": "grace@example.com", "password": PASSWORD}, format="json"
        )

    # Then: the owner of the address hears of it; no link is sent
    assert (response.status_code, response.json()) == (202, EMAIL_CHANGE_ANSWER)
    assert [(mail.to, mail.subject) for mail in mailoutbox] == [
        (["grace@example.com"], "Someone tried to move a CareerHub account to your address")
    ]
    assert "token=" not in mailoutbox[0].body
    assert User.objects.get(pk=user.pk).email == "ada@example.com"


def test_an_email_change_needs_the_password():
    user = UserFactory(email="ada@example.com")

    response = bearer(log_in(user.email)["access"]).post(
        "/api/v1/me/email/", {"email": "ada@new.example", "password": "not mine"}, format="json"
    )

    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("password", "wrong_password")]


def test_an_email_change_link_stops_working_once_the_address_changed(run_tasks, mailoutbox):
    # Given: two links asked for; the first is used
    user = UserFactory(email="ada@example.com")
    client = bearer(log_in(user.email)["access"])
    for email in ("one@example.com", "two@example.com"):
        with run_tasks():
            client.post("/api/v1/me/email/", {"email": email, "password": PASSWORD}, format="json")
    first, second = (link_token(mail.body) for mail in mailoutbox)
    APIClient().post("/api/v1/auth/email/change/confirm/", {"token": first}, format="json")

    # When
    response = APIClient().post("/api/v1/auth/email/change/confirm/", {"token": second}, format="json")

    # Then
    assert (response.status_code, response.json()) == (400, INVALID_TOKEN)
    assert User.objects.get(pk=user.pk).email == "one@example.com"
