"""Every page of the web app, opened by the actor it is for in the demo world of `make run`: axe-core
finds no serious or critical violation, nothing is wider than a 360 px phone, and no page breaks
the Content-Security-Policy (the fixture fails the test on any violation)."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from roadmaps.models import Milestone, ReviewSubmission, Roadmap
from tests.browser.conftest import PHONE, assert_accessible, screenshot
from tests.browser.test_learner_flows import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "careerhub-demo"


def _pages() -> dict[str | None, list[str]]:
    learner = User.objects.get(email="learner@example.com")
    roadmap = Roadmap.objects.get(learner=learner)
    milestone = Milestone.objects.filter(roadmap=roadmap, kind="certification").first()
    review = ReviewSubmission.objects.filter(state=ReviewSubmission.State.PENDING).first()
    return {
        None: ["/", "/quiz/", f"/paths/{roadmap.path.slug}/", "/login/", "/signup/", "/reset-password", "/nowhere"],
        "learner": [
            "/roadmaps/",
            f"/roadmaps/{roadmap.pk}/",
            f"/roadmaps/{roadmap.pk}/skills",
            f"/roadmaps/{roadmap.pk}/plan",
            f"/milestones/{milestone.pk}/",
            "/mentorships/",
            "/inbox/",
            "/settings/",
        ],
        "mentor": ["/mentor/", "/mentor/reviews/", f"/reviews/{review.pk}/", f"/mentor/mentees/{learner.pk}/"],
        "staff": ["/staff/cohort/", "/staff/reviews/"],
    }


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_every_page_is_accessible_and_fits_a_phone(new_context, viewport):
    call_command("load_catalog", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    for actor, urls in _pages().items():
        page = (new_context(viewport=viewport) if viewport else new_context()).new_page()
        if actor:
            log_in(page, f"{actor}@example.com", DEMO_PASSWORD)
        for url in urls:
            page.goto(url)
            assert_accessible(page)
            name = re.sub(r"\d+", "id", url.strip("/").replace("/", "-")) or "home"
            screenshot(page, f"pages/{actor or 'anonymous'}-{name}-{'phone' if viewport else 'desktop'}")
            if viewport:
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= PHONE["width"], f"{url} is {width} px wide"
