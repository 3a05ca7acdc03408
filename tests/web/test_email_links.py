"""Every link CareerHub emails opens a page of the web app, which asks for one click before it
changes anything: a mail scanner that fetches the link changes nothing."""

import re

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from accounts.services import email_change_token, email_verification_token, password_reset_token
from notifications.models import Kind
from notifications.services.reminders import preference_get_or_create, unsubscribe_token
from roadmaps.services.catalog import catalog_load
from tests.factories import UserFactory
from tests.web.pages import post_form

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # the factory's
NEW_PASSWORD = "a completely new passphrase"


@pytest.fixture
def browser() -> Client:
    return Client(enforce_csrf_checks=True)


def test_the_home_page_says_what_careerhub_is_and_shows_the_four_paths(browser):
    catalog_load(directory=settings.CATALOG_DIR)

    page = browser.get("/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Plan your move into AI, one milestone at a time</h1>" in html
    titles = re.findall(r"<h3><a href=\"/paths/[a-z-]+/\">([^<]+)</a></h3>", html)
    assert len(titles) == 4, titles


def test_the_verification_link_asks_first_then_confirms_the_address(browser):
    user = UserFactory(email_verified_at=None)
    url = f"/verify-email?token={email_verification_token(user=user)}"

    opened = browser.get(url)
    user.refresh_from_db()
    assert (opened.status_code, user.email_verified_at) == (200, None)  # a scanner's fetch changes nothing
    assert "Confirm my address" in opened.content.decode()

    done = post_form(browser, url)

    user.refresh_from_db()
    assert done.status_code == 200
    assert "Your address is confirmed" in done.content.decode()
    assert user.email_verified_at is not None


@pytest.mark.parametrize(
    "url", ["/verify-email?token=forged", "/confirm-email?token=forged", "/reset-password?token=x.y", "/verify-email"]
)
def test_a_forged_or_missing_token_is_explained_at_once_not_after_the_button(browser, url):
    page = browser.get(url)

    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")
    assert "This link no longer works" in page.content.decode()


def test_the_email_change_link_moves_the_account_to_the_new_address(browser):
    user = UserFactory(email="ada@example.com")
    url = f"/confirm-email?token={email_change_token(user=user, email='ada@new.example.com')}"

    assert browser.get(url).status_code == 200
    assert User.objects.get(pk=user.pk).email == "ada@example.com"
    done = post_form(browser, url)

    assert (done.status_code, User.objects.get(pk=user.pk).email) == (200, "ada@new.example.com")
    assert "Log in with it from now on." in done.content.decode()


def test_a_password_reset_by_the_emailed_link_works_once(browser):
    user = UserFactory()
    url = f"/reset-password?token={password_reset_token(user=user)}"

    different = post_form(browser, url, password=NEW_PASSWORD, password_again="something else entirely")
    weak = post_form(browser, url, password="password", password_again="password")
    done = post_form(browser, url, password=NEW_PASSWORD, password_again=NEW_PASSWORD)
    again = browser.get(url)

    assert (different.status_code, "The two passwords differ." in different.content.decode()) == (400, True)
    assert weak.status_code == 400
    assert 'class="error"' in weak.content.decode()
    assert (done.status_code, "Your password is changed" in done.content.decode()) == (200, True)
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)
    assert (again.status_code, "This link no longer works" in again.content.decode()) == (400, True)


def test_asking_for_a_reset_link_answers_the_same_for_any_address(browser):
    owner = UserFactory(email="ada@example.com")

    known = post_form(browser, "/reset-password", email=owner.email)
    unknown = post_form(browser, "/reset-password", email="nobody@example.com")
    invalid = post_form(browser, "/reset-password", email="not an address")

    assert known.status_code == unknown.status_code == 200
    assert "Check your inbox" in known.content.decode()
    assert invalid.status_code == 400


def test_unsubscribing_from_an_emails_link_takes_one_click_on_the_page(browser):
    user = UserFactory()
    preference_get_or_create(user=user)
    url = f"/unsubscribe/{unsubscribe_token(user=user, kind=Kind.TARGET_SOON)}/"

    opened = browser.get(url)
    assert opened.status_code == 200
    assert f"Stop {Kind.TARGET_SOON.label.lower()} emails?" in opened.content.decode()
    assert preference_get_or_create(user=user).channels.get(Kind.TARGET_SOON, {}).get("email") is not False

    done = post_form(browser, url)

    assert done.status_code == 200
    assert "Unsubscribed" in done.content.decode()
    channels = preference_get_or_create(user=user).channels
    assert channels[Kind.TARGET_SOON]["email"] is False


def test_a_bad_unsubscribe_link_is_a_page_saying_so(browser):
    page = browser.get("/unsubscribe/not-a-token/")

    assert (page.status_code, page["Content-Type"].split(";")[0]) == (404, "text/html")
    assert "There is nothing here" in page.content.decode()


@pytest.mark.parametrize("url", ["/verify-email", "/confirm-email"])
def test_a_token_that_stopped_working_after_the_page_opened_is_explained_too(browser, url):
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', browser.get("/reset-password").content.decode())

    done = browser.post(url, {"csrfmiddlewaretoken": csrf.group(1), "token": "forged"})

    assert done.status_code == 400
    assert "This link no longer works" in done.content.decode()
