"""A learner's flows through real pages in Chromium: sign up and confirm, the quiz and enrolment,
logging time on a phone, a certification completed with its credential, a password reset and an
unsubscribe by their emailed links, and a calendar event's link. Each page is checked with axe-core."""

import re
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from notifications.calendar import milestone_link
from notifications.models import Kind
from notifications.services.reminders import preference_get_or_create, unsubscribe_token
from roadmaps.models import Milestone, ProgressEntry
from roadmaps.services.learning import roadmap_enroll
from tests.browser.conftest import PHONE, assert_accessible, axe_violations, screenshot
from tests.factories import UserFactory, entries_bulk_create, small_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"  # the factory's


def _link_in(body: str, live_server) -> str:
    """The first CareerHub link of a mail, pointed at the live server."""
    link = re.search(re.escape(settings.PUBLIC_BASE_URL) + r"(/[^\s\"<>]+)", body).group(1)
    return live_server.url + link


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My roadmaps")


def test_sign_up_then_confirm_the_address_by_the_emailed_link(new_context, live_server, mailoutbox, eager_tasks):
    page = new_context(timezone_id="Asia/Tokyo").new_page()
    page.goto("/")
    assert_accessible(page)
    page.get_by_role("link", name="Sign up").click()
    assert_accessible(page)
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")

    user = User.objects.get(email="ada@example.com")
    assert user.time_zone == "Asia/Tokyo"  # filled in by the browser
    assert user.email_verified_at is None
    [mail] = mailoutbox
    page.goto(_link_in(mail.body, live_server))
    assert_accessible(page)
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your address is confirmed")

    user.refresh_from_db()
    assert user.email_verified_at is not None
    log_in(page, "ada@example.com")


def test_the_quiz_then_enrolment_in_the_best_fit(page):
    path = small_path()  # the MLOps engineer's slug
    UserFactory(email="ada@example.com")
    log_in(page, "ada@example.com")

    page.get_by_role("link", name="Take the path quiz").click()
    assert_accessible(page)
    page.get_by_label("Making training and deployment automatic, repeatable and safe").check()
    page.get_by_role("button", name="Rank the paths").click()
    best = page.locator(".fits li").first
    expect(best).to_contain_text("you like infrastructure and automation that keep ML reliable")
    assert_accessible(page)
    best.get_by_role("link", name=path.title).click()
    assert_accessible(page)
    page.get_by_role("button", name="Start this path").click()

    expect(page.get_by_role("status")).to_contain_text(f"You are on the {path.title} path.")
    expect(page.locator(".milestones > li")).to_have_count(4)
    assert_accessible(page)


def _learner_with_a_history() -> tuple[User, Milestone]:
    """A learner a few weeks in: a streak, and hours spread over the last weeks."""
    learner = UserFactory(email="ada@example.com", time_zone="Europe/Berlin")
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path())
    course = roadmap.milestones.get(slug="docker-course")
    course.state = Milestone.State.IN_PROGRESS
    course.save(update_fields=["state"])
    roadmap.milestones.filter(slug="cloud-cert").update(target_date=timezone.localdate() + timedelta(days=40))
    now = timezone.now()
    entries_bulk_create(
        ProgressEntry(
            id=uuid.uuid4(),
            milestone=course,
            learner=learner,
            minutes=25 + (day * 17) % 70,
            logged_at=now - timedelta(days=day),
        )
        for day in [0, 1, 2, 3, 5, 6, 9, 12, 13, 16, 20, 23, 27, 30, 34, 41, 44, 51, 58, 62]
    )
    return learner, roadmap.milestones.get(slug="python-basics")


def test_log_time_on_a_phone(new_context):
    learner, milestone = _learner_with_a_history()
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    log_in(page, learner.email)

    page.get_by_role("link", name=re.compile("Mlops Engineer")).first.click()
    assert_accessible(page)
    screenshot(page, "learner-roadmap-phone")
    page.get_by_role("link", name=milestone.title).click()
    page.evaluate("window.stayed = true")  # gone if the page reloads
    page.get_by_label("Minutes").fill("45")
    page.get_by_label("Move the milestone").select_option("in_progress")
    page.get_by_label("What did you do? (optional)").fill("Loops and comprehensions")
    page.get_by_role("button", name="Log it").click()

    expect(page.get_by_role("status")).to_have_text("Logged 45 minutes.")
    expect(page.locator(".log li").first).to_contain_text("Loops and comprehensions")
    assert page.evaluate("window.stayed") is True  # htmx replaced the milestone's part, in place
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing wider than the phone
    assert_accessible(page)
    screenshot(page, "learner-milestone-phone")
    milestone.refresh_from_db()
    assert (milestone.state, milestone.logged_minutes) == (Milestone.State.IN_PROGRESS, 45)


def test_every_form_works_without_javascript(new_context):
    learner, milestone = _learner_with_a_history()
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, learner.email)
    page.goto(f"/milestones/{milestone.pk}/")

    page.get_by_label("Minutes").fill("20")
    page.get_by_label("Move the milestone").select_option("in_progress")
    page.get_by_role("button", name="Log it").click()
    expect(page.get_by_role("status")).to_have_text("Logged 20 minutes.")
    page.get_by_label("Why skip it?").fill("Covered at work")
    page.get_by_role("button", name="Skip it").click()

    expect(page.get_by_role("status")).to_contain_text("Skipped.")
    milestone.refresh_from_db()
    assert (milestone.state, milestone.logged_minutes) == (Milestone.State.SKIPPED, 20)


def test_the_roadmap_with_its_charts_at_desktop_width(page):
    learner, _ = _learner_with_a_history()
    log_in(page, learner.email)

    page.get_by_role("link", name=re.compile("Mlops Engineer")).first.click()

    expect(page.get_by_text("Hours per week, last 12 weeks")).to_be_visible()
    expect(page.locator(".chart .bar")).to_have_count(12)
    expect(page.locator(".chart circle.mark")).to_have_count(
        20
    )  # one dot per day with work, all 20 within the 12 weeks
    assert_accessible(page)
    screenshot(page, "learner-roadmap-desktop")


def test_complete_a_certification_with_its_credential(page):
    learner = UserFactory(email="ada@example.com")
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path())
    cert = roadmap.milestones.get(slug="cloud-cert")
    log_in(page, learner.email)
    page.goto(f"/milestones/{cert.pk}/")

    page.get_by_label("Minutes").fill("120")
    page.get_by_label("Move the milestone").select_option("in_progress")
    page.get_by_role("button", name="Log it").click()
    expect(page.get_by_role("status")).to_have_text("Logged 120 minutes.")
    page.get_by_label("Move the milestone").select_option("done")
    page.get_by_role("button", name="Log it").click()
    expect(page.get_by_role("status")).to_contain_text("needs evidence before it is done")
    page.get_by_label("Credential ID").fill("CKA-2026-0042")
    page.get_by_label("Date on the credential").fill("2026-11-30")
    page.get_by_role("button", name="Save the evidence").click()
    expect(page.get_by_role("status")).to_have_text("Evidence saved.")
    page.get_by_label("Move the milestone").select_option("done")
    page.get_by_role("button", name="Log it").click()

    expect(page.locator(".badge")).to_have_text("Done")
    assert_accessible(page)
    cert.refresh_from_db()
    assert (cert.state, cert.credential_id, str(cert.credential_date)) == ("done", "CKA-2026-0042", "2026-11-30")


def test_a_password_reset_by_the_emailed_link(page, live_server, mailoutbox, eager_tasks):
    UserFactory(email="ada@example.com")
    page.goto("/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Your email address").fill("ada@example.com")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")

    [mail] = mailoutbox
    page.goto(_link_in(mail.body, live_server))
    assert_accessible(page)
    page.get_by_label("New password").fill("a completely new passphrase")
    page.get_by_label("The same again").fill("a completely new passphrase")
    page.get_by_role("button", name="Change my password").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your password is changed")
    log_in(page, "ada@example.com", "a completely new passphrase")


def test_unsubscribe_by_an_emails_link(page, live_server):
    user = UserFactory()
    preference_get_or_create(user=user)
    page.goto(f"/unsubscribe/{unsubscribe_token(user=user, kind=Kind.TARGET_SOON)}/")
    assert_accessible(page)

    page.get_by_role("button", name="Stop these emails").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Unsubscribed")
    assert preference_get_or_create(user=user).channels[Kind.TARGET_SOON]["email"] is False


def test_a_calendar_events_link_opens_the_milestone_page(page, live_server):
    learner = UserFactory(email="ada@example.com")
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path())
    milestone = roadmap.milestones.get(slug="cloud-cert")
    link = milestone_link(milestone.pk).replace(settings.PUBLIC_BASE_URL, live_server.url)

    page.goto(link)  # from a calendar app: not logged in yet
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(milestone.title)
    assert page.url == link


def test_the_accessibility_check_finds_what_it_should(page):
    """The checker itself: an unlabelled field and low contrast are serious findings."""
    page.goto("/")
    page.evaluate(
        """() => {
            document.body.append(document.createElement("input"));
            const faint = document.createElement("p");
            faint.textContent = "faint";
            faint.style.color = "#ccc";
            document.body.append(faint);
        }"""
    )

    found = {violation["id"] for violation in axe_violations(page)}

    assert {"label", "color-contrast"} <= found
