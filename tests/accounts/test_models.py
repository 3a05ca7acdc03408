import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_email_is_the_login_and_is_case_insensitive():
    user = User.objects.create_user("  Ada@Example.COM ", "a-long-password-1")

    assert user.email == "ada@example.com"
    assert authenticate(username="ADA@example.com", password="a-long-password-1") == user


def test_the_same_email_in_another_case_cannot_register_twice():
    User.objects.create_user("ada@example.com", "a-long-password-1")

    with pytest.raises(ValidationError) as error:
        User.objects.create_user("ADA@example.com", "another-password-2")

    assert "email" in error.value.message_dict


def test_the_database_refuses_an_email_that_is_not_lower_case():
    user = UserFactory()

    with pytest.raises(IntegrityError):
        User.objects.filter(pk=user.pk).update(email="Mixed@Example.com")


def test_time_zone_must_be_an_iana_name():
    with pytest.raises(ValidationError) as error:
        User.objects.create_user("tz@example.com", "a-long-password-1", time_zone="Mars/Olympus_Mons")

    assert error.value.error_dict["time_zone"][0].code == "invalid_time_zone"
    assert User.objects.create_user("ok@example.com", "x", time_zone="Asia/Kolkata").time_zone == "Asia/Kolkata"


def test_roles_everyone_learns_some_mentor_staff_administer():
    learner = UserFactory()
    mentor = UserFactory(is_mentor=True)
    staff = User.objects.create_superuser("boss@example.com", "a-long-password-1")

    assert (learner.is_mentor, learner.is_staff) == (False, False)
    assert (mentor.is_mentor, mentor.is_staff) == (True, False)
    assert (staff.is_staff, staff.is_superuser) == (True, True)
    assert learner.time_zone == "UTC"
