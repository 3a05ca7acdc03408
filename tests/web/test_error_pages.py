"""Errors a person's browser meets are pages of the web app; any other client still gets
problem+json, at the same address. Every page carries the Content-Security-Policy."""

import pytest
from django.test import Client

from tests.factories import UserFactory
from tests.web.pages import browser_for

pytestmark = pytest.mark.django_db

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_at_an_unknown_address_a_browser_gets_a_designed_404_page_and_an_app_problem_json():
    page = Client().get("/nowhere", headers={"Accept": BROWSER_ACCEPT})
    app = Client().get("/nowhere", headers={"Accept": "application/json"})

    assert (page.status_code, page["Content-Type"]) == (404, "text/html; charset=utf-8")
    assert "There is nothing here" in page.content.decode()
    assert (app.status_code, app["Content-Type"]) == (404, "application/problem+json")


@pytest.mark.parametrize("url", ["/roadmaps/9223372036854775808/", "/paths/no-such-path/", "/milestones/1/"])
def test_a_missing_object_of_a_web_page_is_the_designed_404_page(url):
    page = browser_for(UserFactory()).get(url, headers={"Accept": BROWSER_ACCEPT})

    assert (page.status_code, page["Content-Type"]) == (404, "text/html; charset=utf-8")
    assert "There is nothing here" in page.content.decode()


def test_the_api_answers_problem_json_even_to_a_browser():
    response = Client().get("/api/v1/nowhere/", headers={"Accept": BROWSER_ACCEPT})

    assert (response.status_code, response["Content-Type"]) == (404, "application/problem+json")


def test_a_form_sent_without_its_csrf_token_explains_itself():
    response = Client(enforce_csrf_checks=True).post("/login/", {"username": "a@example.com", "password": "x"})

    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


def test_a_mentor_writing_to_a_mentees_milestone_gets_the_read_only_page():
    from accounts.services import mentorship_create_active
    from roadmaps.services.learning import roadmap_enroll
    from tests.factories import small_path

    learner, mentor = UserFactory(), UserFactory(is_mentor=True)
    mentorship_create_active(mentor=mentor, learner=learner, by=mentor)
    milestone = roadmap_enroll(learner=learner, path=small_path())[0].milestones.first()
    browser = browser_for(mentor)
    csrf = browser.get(f"/milestones/{milestone.pk}/").cookies["csrftoken"].value

    response = browser.post(f"/milestones/{milestone.pk}/log", {"csrfmiddlewaretoken": csrf, "minutes": "5"})

    assert response.status_code == 403
    assert "This is not yours to change" in response.content.decode()


@pytest.mark.parametrize("url", ["/", "/login/", "/quiz/", "/nowhere"])
def test_every_page_carries_a_policy_without_inline_script(url):
    response = Client().get(url, headers={"Accept": BROWSER_ACCEPT})

    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "<script>" not in response.content.decode()
