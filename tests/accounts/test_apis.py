import importlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/me/"
PASSWORD = "correct horse battery staple"
NOON = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def _log_in(api_client: APIClient, email: str = "ada@example.com", password: str = PASSWORD) -> dict[str, str]:
    response = api_client.post(TOKEN, {"email": email, "password": password}, format="json")
    assert response.status_code == 200
    return response.json()


def _problem(status: int, title: str, code: str, detail: str) -> dict:
    return {"type": "about:blank", "title": title, "status": status, "code": code, "detail": detail}


def _invalid(*errors: dict) -> dict:
    return {
        **_problem(400, "Bad Request", "validation_error", "The request has invalid fields."),
        "errors": list(errors),
    }


# Registration ---------------------------------------------------------------------------


REGISTERED = {
    "detail": (
        "If the address can be used, the account is ready: log in with it. We have sent a message to the address "
        "(a link to confirm it, or a note if it already has an account)."
    )
}


def test_register_creates_an_account_that_can_log_in_and_mails_a_verification_link(
    api_client, eager_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    # Given
    body = {
        "email": "  Ada.Lovelace@Example.COM ",
        "password": PASSWORD,
        "display_name": "Ada",
        "time_zone": "Europe/London",
    }

    # When
    with time_machine.travel(NOON, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            response = api_client.post(REGISTER, body, format="json")
        tokens = _log_in(api_client, "ada.lovelace@example.com")
        me = _bearer(tokens["access"]).get(ME)
        refreshed = api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")

    # Then
    user = User.objects.get()
    assert (response.status_code, response.json()) == (202, REGISTERED)
    assert me.json() == {
        "id": user.pk,
        "email": "ada.lovelace@example.com",
        "display_name": "Ada",
        "time_zone": "Europe/London",
        "weekly_hours_goal": 5,
        "is_mentor": False,
        "date_joined": "2025-03-01T12:00:00Z",
        "email_verified_at": None,
    }
    assert refreshed.status_code == 200
    assert user.check_password(PASSWORD)
    assert user.email_verified_at is None
    assert [(mail.to, mail.subject) for mail in mailoutbox] == [
        (["ada.lovelace@example.com"], "Confirm your email address for CareerHub")
    ]
    assert "http://127.0.0.1:8000/verify-email?token=" in mailoutbox[0].body
    assert mailoutbox[0].alternatives[0][1] == "text/html"


def test_register_defaults_the_display_name_and_time_zone(api_client):
    # When
    response = api_client.post(REGISTER, {"email": "ada@example.com", "password": PASSWORD}, format="json")

    # Then
    assert response.status_code == 202
    assert User.objects.values_list("display_name", "time_zone").get() == ("", "UTC")


@pytest.mark.parametrize("email", ["ada@example.com", "ADA@example.com", "Ada@Example.Com"])
def test_register_with_a_taken_email_answers_the_same_and_mails_the_owner_instead(
    api_client, email, eager_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    # Given
    owner = UserFactory(email="ada@example.com")

    # When
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(REGISTER, {"email": email, "password": PASSWORD}, format="json")

    # Then: the answer of a new account; the owner hears of it, their account is unchanged
    assert (response.status_code, response.json()) == (202, REGISTERED)
    assert list(User.objects.values_list("pk", flat=True)) == [owner.pk]
    assert [(mail.to, mail.subject) for mail in mailoutbox] == [
        (["ada@example.com"], "Someone tried to sign up to CareerHub with your address")
    ]


@pytest.mark.parametrize(
    ("password", "codes"),
    [
        ("password", ["password_too_common"]),
        ("12345678", ["password_too_common", "password_entirely_numeric"]),
        ("short1!", ["password_too_short"]),
        ("hopper1906", ["password_too_similar"]),
    ],
)
def test_register_refuses_a_weak_password_and_creates_no_user(api_client, password, codes):
    # When
    response = api_client.post(REGISTER, {"email": "grace.hopper@example.com", "password": password}, format="json")

    # Then
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert [(error["field"], error["code"]) for error in response.json()["errors"]] == [
        ("password", code) for code in codes
    ]
    assert not User.objects.exists()


def test_register_refuses_an_unknown_time_zone(api_client):
    # When
    response = api_client.post(
        REGISTER, {"email": "ada@example.com", "password": PASSWORD, "time_zone": "Mars/Base"}, format="json"
    )

    # Then
    assert response.status_code == 400
    assert response.json() == _invalid(
        {
            "field": "time_zone",
            "code": "invalid_time_zone",
            "detail": "Mars/Base is not an IANA time zone name, such as Europe/Berlin.",
        }
    )
    assert not User.objects.exists()


def test_register_refuses_a_missing_password_and_a_malformed_email(api_client):
    # When
    response = api_client.post(REGISTER, {"email": "not-an-email"}, format="json")

    # Then
    assert response.status_code == 400
    assert response.json() == _invalid(
        {"field": "email", "code": "invalid", "detail": "Enter a valid email address."},
        {"field": "password", "code": "required", "detail": "This field is required."},
    )


def test_production_settings_hash_passwords_with_argon2():
    production = importlib.import_module("careerhub.settings")

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_register_stores_an_argon2_hash_with_the_production_hashers(api_client, settings):
    # Given: the production hashers (the test settings swap in a fast one)
    settings.PASSWORD_HASHERS = importlib.import_module("careerhub.settings").PASSWORD_HASHERS

    # When
    response = api_client.post(REGISTER, {"email": "ada@example.com", "password": PASSWORD}, format="json")

    # Then
    user = User.objects.get()
    assert response.status_code == 202
    assert user.password.startswith("argon2$argon2id$")
    assert PASSWORD not in user.password
    assert user.check_password(PASSWORD)


# Logging in -----------------------------------------------------------------------------


def test_log_in_answers_an_access_and_a_refresh_token(api_client):
    # Given
    user = UserFactory(email="ada@example.com", password=PASSWORD)

    # When
    response = api_client.post(TOKEN, {"email": "ada@example.com", "password": PASSWORD}, format="json")

    # Then
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    me = _bearer(response.json()["access"]).get(ME)
    assert me.status_code == 200
    assert me.json()["id"] == user.pk


def test_log_in_ignores_the_case_of_the_email(api_client):
    # Given
    user = UserFactory(email="ada@example.com", password=PASSWORD)

    # When
    response = api_client.post(TOKEN, {"email": "ADA@Example.com", "password": PASSWORD}, format="json")

    # Then
    assert response.status_code == 200
    assert _bearer(response.json()["access"]).get(ME).json()["id"] == user.pk


@pytest.mark.parametrize(
    ("email", "password"),
    [("ada@example.com", "not the password"), ("nobody@example.com", PASSWORD)],
    ids=["wrong password", "unknown email"],
)
def test_log_in_with_wrong_credentials_answers_401(api_client, email, password):
    # Given
    UserFactory(email="ada@example.com", password=PASSWORD)

    # When
    response = api_client.post(TOKEN, {"email": email, "password": password}, format="json")

    # Then
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == _problem(
        401, "Unauthorized", "no_active_account", "No active account found with the given credentials"
    )


def test_a_deactivated_user_cannot_log_in(api_client):
    # Given
    UserFactory(email="ada@example.com", password=PASSWORD, is_active=False)

    # When
    response = api_client.post(TOKEN, {"email": "ada@example.com", "password": PASSWORD}, format="json")

    # Then
    assert response.status_code == 401
    assert response.json()["code"] == "no_active_account"


# Refreshing and logging out -------------------------------------------------------------


def test_refresh_answers_a_new_access_and_a_new_refresh_token(api_client):
    # Given
    UserFactory(email="ada@example.com", password=PASSWORD)
    tokens = _log_in(api_client)

    # When
    response = api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")

    # Then
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    assert response.json()["refresh"] != tokens["refresh"]
    assert response.json()["access"] != tokens["access"]
    assert _bearer(response.json()["access"]).get(ME).status_code == 200
    assert api_client.post(REFRESH, {"refresh": response.json()["refresh"]}, format="json").status_code == 200


def test_a_rotated_refresh_token_cannot_be_used_again(api_client):
    # Given
    UserFactory(email="ada@example.com", password=PASSWORD)
    old = _log_in(api_client)["refresh"]
    api_client.post(REFRESH, {"refresh": old}, format="json")

    # When
    response = api_client.post(REFRESH, {"refresh": old}, format="json")

    # Then
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == _problem(401, "Unauthorized", "token_not_valid", "Token is blacklisted")


def test_refresh_refuses_a_token_that_is_not_a_token(api_client):
    # When
    response = api_client.post(REFRESH, {"refresh": "not-a-token"}, format="json")

    # Then
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_log_out_revokes_the_refresh_token(api_client):
    # Given
    UserFactory(email="ada@example.com", password=PASSWORD)
    tokens = _log_in(api_client)

    # When
    response = api_client.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json")

    # Then
    assert response.status_code == 204
    assert response.content == b""
    refreshed = api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    assert refreshed.status_code == 401
    assert refreshed.json()["code"] == "token_not_valid"


def test_log_out_without_a_refresh_token_answers_400(api_client):
    # When
    response = api_client.post(LOGOUT, {}, format="json")

    # Then
    assert response.status_code == 400
    assert response.json() == _invalid({"field": "refresh", "code": "required", "detail": "This field is required."})


@pytest.mark.parametrize("token", ["not-a-token", "revoked", "access"])
def test_log_out_with_an_unusable_token_answers_401_not_a_server_error(api_client, token):
    # Given: garbage, a refresh token already logged out (an app retrying), or an access token
    UserFactory(email="ada@example.com", password=PASSWORD)
    tokens = _log_in(api_client)
    api_client.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json")
    sent = {"not-a-token": "not-a-token", "revoked": tokens["refresh"], "access": tokens["access"]}[token]
    api_client.raise_request_exception = False

    # When
    response = api_client.post(LOGOUT, {"refresh": sent}, format="json")

    # Then
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "token_not_valid"


# Access token lifetime ------------------------------------------------------------------


def test_an_access_token_works_for_15_minutes(api_client):
    # Given
    UserFactory(email="ada@example.com", password=PASSWORD)
    with time_machine.travel(NOON, tick=False):
        access = _log_in(api_client)["access"]

    # When
    with time_machine.travel(NOON + timedelta(minutes=14), tick=False):
        still_valid = _bearer(access).get(ME)
    with time_machine.travel(NOON + timedelta(minutes=16), tick=False):
        expired = _bearer(access).get(ME)

    # Then
    assert still_valid.status_code == 200
    assert expired.status_code == 401
    assert expired["Content-Type"] == "application/problem+json"
    assert expired.json() == _problem(
        401, "Unauthorized", "token_not_valid", "Given token not valid for any token type"
    )


def test_a_refresh_token_is_not_accepted_as_an_access_token(api_client):
    # Given
    UserFactory(email="ada@example.com", password=PASSWORD)
    refresh = _log_in(api_client)["refresh"]

    # When
    response = _bearer(refresh).get(ME)

    # Then
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_a_refresh_token_lasts_30_days(api_client):
    # Given
    UserFactory(email="ada@example.com", password=PASSWORD)
    with time_machine.travel(NOON, tick=False):
        first, second = _log_in(api_client)["refresh"], _log_in(api_client)["refresh"]

    # When
    with time_machine.travel(NOON + timedelta(days=29), tick=False):
        within = api_client.post(REFRESH, {"refresh": first}, format="json")
    with time_machine.travel(NOON + timedelta(days=31), tick=False):
        after = api_client.post(REFRESH, {"refresh": second}, format="json")

    # Then
    assert within.status_code == 200
    assert after.status_code == 401
    assert after.json()["code"] == "token_not_valid"


# The logged-in user ---------------------------------------------------------------------


def test_me_answers_the_whole_user():
    # Given
    user = UserFactory(
        email="ada@example.com",
        display_name="Ada",
        time_zone="Europe/Berlin",
        weekly_hours_goal=8,
        is_mentor=True,
        date_joined=NOON,
    )
    client = APIClient()
    client.force_authenticate(user)

    # When
    response = client.get(ME)

    # Then
    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "email": "ada@example.com",
        "display_name": "Ada",
        "time_zone": "Europe/Berlin",
        "weekly_hours_goal": 8,
        "is_mentor": True,
        "date_joined": "2025-03-01T12:00:00Z",
        "email_verified_at": None,
    }


def test_me_anonymous_answers_401(api_client):
    # When
    response = api_client.get(ME)

    # Then
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == _problem(
        401, "Unauthorized", "not_authenticated", "Authentication credentials were not provided."
    )


def test_patch_me_changes_name_time_zone_and_weekly_goal(learner, learner_client):
    # When
    response = learner_client.patch(
        ME, {"display_name": "Grace", "time_zone": "America/New_York", "weekly_hours_goal": 80}, format="json"
    )

    # Then
    expected = {
        "id": learner.pk,
        "email": learner.email,
        "display_name": "Grace",
        "time_zone": "America/New_York",
        "weekly_hours_goal": 80,
        "is_mentor": False,
        "date_joined": learner.date_joined.isoformat().replace("+00:00", "Z"),
        "email_verified_at": None,
    }
    assert response.status_code == 200
    assert response.json() == expected
    assert learner_client.get(ME).json() == expected


def test_patch_me_changes_only_the_fields_sent(learner, learner_client):
    # When
    response = learner_client.patch(ME, {"weekly_hours_goal": 1}, format="json")

    # Then
    learner.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["weekly_hours_goal"] == 1
    assert response.json()["time_zone"] == "Europe/Berlin"
    assert (learner.weekly_hours_goal, learner.time_zone) == (1, "Europe/Berlin")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            {"time_zone": "Mars/Base"},
            {
                "field": "time_zone",
                "code": "invalid_time_zone",
                "detail": "Mars/Base is not an IANA time zone name, such as Europe/Berlin.",
            },
        ),
        (
            {"weekly_hours_goal": 0},
            {
                "field": "weekly_hours_goal",
                "code": "min_value",
                "detail": "Ensure this value is greater than or equal to 1.",
            },
        ),
        (
            {"weekly_hours_goal": 81},
            {
                "field": "weekly_hours_goal",
                "code": "max_value",
                "detail": "Ensure this value is less than or equal to 80.",
            },
        ),
    ],
)
def test_patch_me_refuses_invalid_values_and_changes_nothing(learner, learner_client, body, error):
    # When
    response = learner_client.patch(ME, {"display_name": "Changed", **body}, format="json")

    # Then
    learner.refresh_from_db()
    assert response.status_code == 400
    assert response.json() == _invalid(error)
    assert learner.display_name != "Changed"
    assert (learner.time_zone, learner.weekly_hours_goal) == ("Europe/Berlin", 5)


def test_patch_me_cannot_change_the_email_or_the_roles(learner, learner_client):
    # Given
    email = learner.email

    # When
    response = learner_client.patch(
        ME,
        {"email": "mallory@example.com", "is_mentor": True, "is_staff": True, "is_superuser": True, "id": 999},
        format="json",
    )

    # Then
    learner.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["email"] == email
    assert response.json()["is_mentor"] is False
    assert response.json()["id"] == learner.pk
    assert (learner.email, learner.is_mentor, learner.is_staff, learner.is_superuser) == (email, False, False, False)
    assert not User.objects.filter(email="mallory@example.com").exists()


def test_a_deactivated_user_cannot_refresh(api_client):
    # Given
    user = UserFactory(email="ada@example.com", password=PASSWORD)
    refresh = _log_in(api_client)["refresh"]
    User.objects.filter(pk=user.pk).update(is_active=False)

    # When
    response = api_client.post(REFRESH, {"refresh": refresh}, format="json")

    # Then
    assert response.status_code == 401
    assert response.json()["code"] == "no_active_account"


def test_a_deleted_user_cannot_refresh(api_client):
    # Given
    user = UserFactory(email="ada@example.com", password=PASSWORD)
    refresh = _log_in(api_client)["refresh"]
    user.delete()
    api_client.raise_request_exception = False

    # When
    response = api_client.post(REFRESH, {"refresh": refresh}, format="json")

    # Then: like a deactivated account, not a server error
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "no_active_account"
