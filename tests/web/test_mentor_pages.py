"""The mentor's pages through the test client: the dashboard at risk first, the queue oldest first,
a decision, a second mentor told who decided first, and invitations by email and by code."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Mentorship
from accounts.services import mentorship_create_active
from roadmaps.models import Milestone, ReviewSubmission
from roadmaps.services.learning import roadmap_enroll
from roadmaps.services.reviews import review_submit
from tests.factories import UserFactory, small_path
from tests.web.pages import browser_for, post_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def path():
    return small_path()


def _mentee(mentor, path, name: str, *, overdue: bool = False):
    learner = UserFactory(display_name=name)
    mentorship_create_active(mentor=mentor, learner=learner, by=mentor)
    roadmap, _ = roadmap_enroll(learner=learner, path=path)
    if overdue:
        roadmap.milestones.filter(slug="python-basics").update(target_date=timezone.localdate() - timedelta(days=3))
    return learner, roadmap


def _submitted(learner, roadmap) -> ReviewSubmission:
    project = roadmap.milestones.get(slug="pipeline-project")
    Milestone.objects.filter(pk=project.pk).update(
        state=Milestone.State.IN_PROGRESS, evidence_url="https://github.com/x/y"
    )
    project.refresh_from_db()
    return review_submit(learner=learner, milestone=project, message="Please look")


def test_the_dashboard_puts_the_mentee_who_is_behind_first(path):
    mentor = UserFactory(is_mentor=True)
    _mentee(mentor, path, "Alan")
    _mentee(mentor, path, "Zoe", overdue=True)

    page = browser_for(mentor).get("/mentor/")
    by_name = browser_for(mentor).get("/mentor/?sort=name")

    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("Zoe") < html.index("Alan")
    assert "1 milestone(s) past their target date" in html
    assert by_name.content.decode().index("Alan") < by_name.content.decode().index("Zoe")


def test_mentor_pages_do_not_exist_for_a_learner(learner):
    browser = browser_for(learner)

    assert [browser.get(url).status_code for url in ("/mentor/", "/mentor/reviews/")] == [404, 404]


def test_the_queue_is_oldest_first_with_the_time_waited(path):
    mentor = UserFactory(is_mentor=True)
    first, second = _mentee(mentor, path, "First"), _mentee(mentor, path, "Second")
    with time_machine.travel(timezone.now() - timedelta(days=2)):
        _submitted(*first)
    _submitted(*second)

    html = browser_for(mentor).get("/mentor/reviews/").content.decode()

    assert html.index("First") < html.index("Second")
    assert "2\xa0days" in html


def test_requesting_changes_needs_a_comment_and_approving_completes_the_milestone(path):
    mentor = UserFactory(is_mentor=True)
    learner, roadmap = _mentee(mentor, path, "Ada")
    submission = _submitted(learner, roadmap)
    browser = browser_for(mentor)
    url = f"/reviews/{submission.pk}/"

    bare = post_form(browser, url, action=f"{url}decide", decision="changes", comment="")
    changes = post_form(browser, url, action=f"{url}decide", decision="changes", comment="Add the rollback test")
    learner_view = browser_for(learner).get(url)

    assert bare.status_code == 400
    assert "Say what should change." in bare.content.decode()
    assert changes.status_code == 302
    assert Milestone.objects.get(pk=submission.milestone_id).state == Milestone.State.CHANGES_REQUESTED
    assert "Add the rollback test" in learner_view.content.decode()
    assert 'action="/reviews/' not in learner_view.content.decode()  # a learner does not decide


def test_a_second_mentor_deciding_late_is_told_who_decided(path):
    mentor, other = UserFactory(is_mentor=True, display_name="Grace"), UserFactory(is_mentor=True)
    learner, roadmap = _mentee(mentor, path, "Ada")
    mentorship_create_active(mentor=other, learner=learner, by=other)
    submission = _submitted(learner, roadmap)
    url = f"/reviews/{submission.pk}/"
    late = browser_for(other)
    html = late.get(url).content.decode()  # the page as it was before the first decision
    csrf = late.cookies["csrftoken"].value

    post_form(browser_for(mentor), url, action=f"{url}decide", decision="approve", comment="")
    response = late.post(f"{url}decide", {"csrfmiddlewaretoken": csrf, "decision": "approve"})

    assert "Your decision" in html
    assert response.status_code == 409
    assert "Grace decided this already: approved." in response.content.decode()


def test_invitations_by_email_and_by_code(path):
    mentor, learner = UserFactory(is_mentor=True), UserFactory(email="ada@example.com")
    mentor_browser, learner_browser = browser_for(mentor), browser_for(learner)

    post_form(mentor_browser, "/mentorships/", action="/mentorships/new", role="mentor", email="ada@example.com")
    invitation = Mentorship.objects.get(invitee_email="ada@example.com")
    accepted = post_form(learner_browser, "/mentorships/", action=f"/mentorships/{invitation.pk}/accept")
    post_form(learner_browser, "/mentorships/", action="/mentorships/new", role="learner", email="")
    code = Mentorship.objects.get(learner=learner, state=Mentorship.State.INVITED).code
    code_page = learner_browser.get("/mentorships/").content.decode()
    other_mentor = browser_for(UserFactory(is_mentor=True))
    wrong = post_form(other_mentor, "/mentorships/", action="/mentorships/redeem", code="NOPE1234")
    redeemed = post_form(other_mentor, "/mentorships/", action="/mentorships/redeem", code=code.lower())

    assert accepted.status_code == 302
    assert Mentorship.objects.get(pk=invitation.pk).state == Mentorship.State.ACTIVE
    assert code in code_page
    assert wrong.status_code == 404
    assert redeemed.status_code == 302
    assert Mentorship.objects.filter(learner=learner, state=Mentorship.State.ACTIVE).count() == 2
    ended = post_form(learner_browser, "/mentorships/", action=f"/mentorships/{invitation.pk}/end")
    assert ended.status_code == 302
    assert Mentorship.objects.get(pk=invitation.pk).state == Mentorship.State.ENDED


def test_a_mentee_page_lists_their_roadmaps_and_another_learner_is_404(path):
    mentor = UserFactory(is_mentor=True)
    learner, roadmap = _mentee(mentor, path, "Ada")
    stranger = UserFactory()

    page = browser_for(mentor).get(f"/mentor/mentees/{learner.pk}/")

    assert f'href="/roadmaps/{roadmap.pk}/"' in page.content.decode()
    assert browser_for(mentor).get(f"/mentor/mentees/{stranger.pk}/").status_code == 404
