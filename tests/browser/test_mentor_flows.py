"""A review loop between a learner and a mentor, each in a browser of their own, and the mentor's
dashboard and review page at desktop and phone widths."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.services import mentorship_create_active
from roadmaps.models import Milestone
from roadmaps.services.learning import roadmap_enroll
from tests.browser.conftest import PHONE, assert_accessible, screenshot
from tests.browser.test_learner_flows import log_in
from tests.factories import UserFactory, small_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_review_loop_between_a_learner_and_a_mentor(new_context):
    learner = UserFactory(email="ada@example.com", display_name="Ada")
    mentor = UserFactory(email="grace@example.com", display_name="Grace", is_mentor=True)
    mentorship_create_active(mentor=mentor, learner=learner, by=mentor)
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path())
    project = roadmap.milestones.get(slug="pipeline-project")
    ada, grace = new_context().new_page(), new_context().new_page()
    log_in(ada, learner.email)
    log_in(grace, mentor.email)

    # The learner starts the project, records the repository and submits it.
    ada.goto(f"/milestones/{project.pk}/")
    ada.get_by_label("Minutes").fill("90")
    ada.get_by_label("Move the milestone").select_option("in_progress")
    ada.get_by_role("button", name="Log it").click()
    expect(ada.get_by_role("status")).to_have_text("Logged 90 minutes.")
    ada.get_by_label("Repository URL").fill("https://github.com/ada/retrain-pipeline")
    ada.get_by_role("button", name="Save the evidence").click()
    expect(ada.get_by_role("status")).to_have_text("Evidence saved.")
    ada.get_by_label("A word for your mentor (optional)").fill("The rollback is in the second job.")
    ada.get_by_role("button", name="Submit for review").click()
    expect(ada.get_by_role("status")).to_have_text("Sent to your mentor for review.")

    # The mentor sees it on the dashboard and in the queue, and asks for a change.
    grace.get_by_role("link", name="Mentees").click()
    expect(grace.locator("table.dashboard tbody tr")).to_have_count(1)
    expect(grace.get_by_role("link", name="1 waiting")).to_be_visible()
    assert_accessible(grace)
    screenshot(grace, "mentor-dashboard-desktop")
    grace.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    grace.get_by_role("link", name=project.title).click()
    expect(grace.get_by_text("The rollback is in the second job.")).to_be_visible()
    assert_accessible(grace)
    screenshot(grace, "mentor-review-desktop")
    grace.get_by_label("Comment (needed to request changes)").fill("Show the rollback running in the README.")
    grace.get_by_role("button", name="Request changes").click()
    expect(grace.get_by_role("status")).to_have_text("Changes requested; the learner is told.")

    # The learner reads the comment, works on it and submits again; the mentor approves.
    ada.reload()
    expect(ada.get_by_text("Show the rollback running in the README.")).to_be_visible()
    ada.get_by_label("Move the milestone").select_option("in_progress")
    ada.get_by_role("button", name="Log it").click()
    expect(ada.get_by_role("status")).to_have_text("Logged 30 minutes.")
    ada.get_by_role("button", name="Submit for review").click()
    expect(ada.get_by_role("status")).to_have_text("Sent to your mentor for review.")
    grace.goto("/mentor/reviews/")
    grace.get_by_role("link", name=project.title).click()
    grace.get_by_role("button", name="Approve").click()
    expect(grace.get_by_role("status")).to_have_text("Approved: the milestone is done.")

    ada.reload()
    expect(ada.locator(".badge").first).to_have_text("Done")
    assert Milestone.objects.get(pk=project.pk).state == Milestone.State.DONE


def test_the_mentor_pages_on_a_phone(new_context):
    mentor = UserFactory(email="grace@example.com", display_name="Grace", is_mentor=True)
    path = small_path()
    for name in ("Ada", "Alan", "Barbara"):
        learner = UserFactory(display_name=name)
        mentorship_create_active(mentor=mentor, learner=learner, by=mentor)
        roadmap_enroll(learner=learner, path=path)
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    log_in(page, mentor.email)

    page.goto("/mentor/")

    expect(page.locator("table.dashboard tbody tr")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)
    screenshot(page, "mentor-dashboard-phone")


def test_the_staff_cohort_view_and_its_csv(page):
    path = small_path()
    for name, late in (("Ada", False), ("Sam", True)):
        roadmap, _ = roadmap_enroll(learner=UserFactory(display_name=name), path=path)
        if late:
            roadmap.milestones.filter(slug="python-basics").update(target_date=timezone.localdate() - timedelta(days=3))
    UserFactory(email="staff@example.com", is_staff=True)
    log_in(page, "staff@example.com")

    page.get_by_role("link", name="Cohort").click()
    expect(page.locator("table.dashboard tbody tr")).to_have_count(2)
    page.get_by_label("Status").select_option("behind")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.dashboard tbody tr")).to_have_count(1)
    expect(page.locator("table.dashboard tbody")).to_contain_text("Sam")
    assert_accessible(page)
    screenshot(page, "staff-cohort-desktop")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()

    lines = download.value.path().read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("email,name,paths,status")
    assert len(lines) == 2
    assert ",Sam," in lines[1]
    assert ",behind," in lines[1]
