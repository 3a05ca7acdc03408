"""The staff's cohort: every learner with their paths, completion, activity and status, filtered by
path and status, the same as CSV; and every review waiting. Nobody else sees these pages."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from roadmaps.services.learning import roadmap_enroll
from tests.factories import UserFactory, small_path
from tests.web.pages import browser_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    mlops, data = small_path(), small_path(slug="data-scientist")
    ada, sam = (
        UserFactory(display_name="Ada", email="ada@example.com"),
        UserFactory(display_name="Sam", email="sam@example.com"),
    )
    roadmap_enroll(learner=ada, path=mlops)
    late, _ = roadmap_enroll(learner=sam, path=data)
    late.milestones.filter(slug="python-basics").update(target_date=timezone.localdate() - timedelta(days=5))
    return {"ada": ada, "sam": sam}


def test_the_cohort_lists_learners_with_their_status_and_filters(world):
    staff = browser_for(UserFactory(is_staff=True))

    everyone = staff.get("/staff/cohort/").content.decode()
    behind = staff.get("/staff/cohort/?status=behind").content.decode()
    on_data = staff.get("/staff/cohort/?path=data-scientist").content.decode()

    assert "ada@example.com" in everyone
    assert "sam@example.com" in everyone
    assert "sam@example.com" in behind
    assert "ada@example.com" not in behind
    assert "sam@example.com" in on_data
    assert "ada@example.com" not in on_data
    assert staff.get("/staff/cohort/?path=no-such-path").status_code == 400


def test_the_cohort_downloads_as_csv_with_the_same_filter(world):
    staff = browser_for(UserFactory(is_staff=True))

    response = staff.get("/staff/cohort.csv?status=behind")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="careerhub-cohort-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(row["email"], row["status"], row["paths"]) for row in rows] == [
        ("sam@example.com", "behind", "Data Scientist")
    ]
    assert rows[0]["reasons"].startswith("1 milestone(s) past their target date")


@pytest.mark.parametrize("url", ["/staff/cohort/", "/staff/cohort.csv", "/staff/reviews/"])
def test_staff_pages_do_not_exist_for_anyone_else(world, url):
    assert browser_for(world["ada"]).get(url).status_code == 404
    assert browser_for(UserFactory(is_mentor=True)).get(url).status_code == 404
    assert browser_for().get(url)["Location"].startswith("/login/")
