"""The learner's pages through the test client: each form posts to the same service as the API,
refusals are shown on the page, and another's objects answer 404."""

import re

import pytest
from django.core import mail

from accounts.models import User
from accounts.services import mentorship_create_active
from roadmaps.models import Milestone, ProgressEntry, Roadmap
from roadmaps.services.learning import roadmap_enroll
from tests.factories import UserFactory, small_path
from tests.web.pages import browser_for, post_form

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # the factory's
State = Milestone.State


def _milestone(roadmap: Roadmap, slug: str) -> Milestone:
    return roadmap.milestones.get(slug=slug)


@pytest.fixture
def path():
    return small_path()


@pytest.fixture
def roadmap(learner, path) -> Roadmap:
    return roadmap_enroll(learner=learner, path=path)[0]


def test_signing_up_creates_the_account_and_mails_the_link_whoever_asks(
    eager_tasks, django_capture_on_commit_callbacks
):
    UserFactory(email="taken@example.com")
    browser = browser_for()

    with django_capture_on_commit_callbacks(execute=True):
        new = post_form(browser, "/signup/", email="ada@example.com", password=PASSWORD, time_zone="Europe/Berlin")
        taken = post_form(browser, "/signup/", email="taken@example.com", password=PASSWORD, time_zone="UTC")

    assert new.status_code == taken.status_code == 200
    assert new.content.decode().replace("ada@example.com", "X") == taken.content.decode().replace(
        "taken@example.com", "X"
    )
    assert User.objects.get(email="ada@example.com").time_zone == "Europe/Berlin"
    assert sorted(message.to[0] for message in mail.outbox) == ["ada@example.com", "taken@example.com"]
    assert re.search(
        r"/verify-email\?token=",
        mail.outbox[0].body if mail.outbox[0].to == ["ada@example.com"] else mail.outbox[1].body,
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "not an address", "password": PASSWORD, "time_zone": "UTC"}, "email"),
        ({"email": "ada@example.com", "password": "12345678", "time_zone": "UTC"}, "password"),
        ({"email": "ada@example.com", "password": PASSWORD, "time_zone": "Mars/Olympus"}, "time_zone"),
    ],
)
def test_a_sign_up_with_bad_input_says_what_is_wrong_and_creates_nothing(fields, field):
    page = post_form(browser_for(), "/signup/", **fields)

    assert page.status_code == 400
    assert f'id="id_{field}-error"' in page.content.decode()
    assert not User.objects.filter(email="ada@example.com").exists()


def test_logging_in_and_out_with_a_session():
    user = UserFactory(email="ada@example.com")
    browser = browser_for()

    wrong = post_form(browser, "/login/", username="ada@example.com", password="not the password")
    right = post_form(browser, "/login/?next=/roadmaps/", username="ADA@example.com", password=PASSWORD)
    mine = browser.get("/roadmaps/")
    out = post_form(browser, "/roadmaps/", action="/logout/")

    assert wrong.status_code == 400
    assert "That email and password do not match an account." in wrong.content.decode()
    assert (right.status_code, right["Location"]) == (302, "/roadmaps/")
    assert mine.status_code == 200
    assert out.status_code == 302
    assert browser.get("/roadmaps/")["Location"] == "/login/?next=/roadmaps/"
    assert user.pk


def test_the_web_log_in_shares_the_apis_lockout(settings, api_client):
    settings.LOGIN_LOCKOUT_ACCOUNT_FAILURES = 3
    UserFactory(email="ada@example.com")
    browser = browser_for()
    api_client.post("/api/v1/auth/token/", {"email": "ada@example.com", "password": "wrong"}, format="json")
    api_client.post("/api/v1/auth/token/", {"email": "ada@example.com", "password": "wrong"}, format="json")
    post_form(browser, "/login/", username="ada@example.com", password="wrong")

    locked = post_form(browser, "/login/", username="ada@example.com", password=PASSWORD)
    api = api_client.post("/api/v1/auth/token/", {"email": "ada@example.com", "password": PASSWORD}, format="json")

    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0
    assert "Too many failed log-ins" in locked.content.decode()
    assert api.status_code == 429


def test_the_web_log_in_counts_in_the_apis_login_rate_limit(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login": "2/min"},
    }
    browser = browser_for()

    answers = [post_form(browser, "/login/", username=f"n{n}@example.com", password="x").status_code for n in range(3)]

    assert answers == [400, 400, 429]


def test_the_quiz_ranks_the_paths_with_reasons(path):
    page = post_form(browser_for(), "/quiz/", **{"enjoy-most": "running-platforms"})

    html = page.content.decode()
    assert page.status_code == 200
    assert "Your paths, best fit first" in html
    assert "you like infrastructure and automation that keep ML reliable" in html
    assert post_form(browser_for(), "/quiz/").status_code == 400  # nothing answered


def test_enrolling_from_the_path_page_opens_the_new_roadmap(learner, path):
    browser = browser_for(learner)

    page = browser.get(f"/paths/{path.slug}/")
    enrolled = post_form(browser, f"/paths/{path.slug}/", action=f"/paths/{path.slug}/enrol")

    roadmap = Roadmap.objects.get(learner=learner, path=path)
    assert "It rolls back." in page.content.decode()  # acceptance criteria are on the path page
    assert enrolled["Location"] == f"/roadmaps/{roadmap.pk}/"
    opened = browser.get(enrolled["Location"])
    assert opened.status_code == 200
    assert "You are on the Mlops Engineer path." in opened.content.decode()
    assert "Open your roadmap" in browser.get(f"/paths/{path.slug}/").content.decode()


def test_the_roadmap_page_shows_each_milestone_with_its_state_and_next_step(learner, roadmap):
    page = browser_for(learner).get(f"/roadmaps/{roadmap.pk}/")

    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('class="card state-not_started"') == 4
    assert "Start it: log your first session." in html
    assert "Hours per week, last 12 weeks" in html
    assert "Completion per stage" in html


def test_logging_time_with_a_note_and_a_state_change_in_one_form(learner, roadmap):
    milestone = _milestone(roadmap, "python-basics")
    browser = browser_for(learner)
    url = f"/milestones/{milestone.pk}/"

    logged = post_form(
        browser, url, action=f"{url}log", minutes="45", note="Loops and comprehensions", state="in_progress"
    )
    page = browser.get(url)

    milestone.refresh_from_db()
    assert logged["Location"] == url
    assert (milestone.state, milestone.logged_minutes) == (State.IN_PROGRESS, 45)
    assert "Logged 45 minutes." in page.content.decode()
    assert "Loops and comprehensions" in page.content.decode()


def test_the_same_form_sent_twice_is_logged_once(learner, roadmap):
    milestone = _milestone(roadmap, "python-basics")
    browser = browser_for(learner)
    url = f"/milestones/{milestone.pk}/"
    html = browser.get(url).content.decode()
    fields = {
        "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1),
        "id": re.search(r'name="id" value="([^"]+)"', html).group(1),
        "minutes": "30",
    }

    first = browser.post(f"{url}log", fields)
    second = browser.post(f"{url}log", fields)

    assert first.status_code == second.status_code == 302
    assert ProgressEntry.objects.filter(milestone=milestone).count() == 1


def test_a_certification_is_done_only_with_its_credential(learner, roadmap):
    milestone = _milestone(roadmap, "cloud-cert")
    browser = browser_for(learner)
    url = f"/milestones/{milestone.pk}/"
    post_form(browser, url, action=f"{url}log", minutes="60", state="in_progress")

    refused = post_form(browser, url, action=f"{url}log", minutes="0", state="done")
    saved = post_form(browser, url, action=f"{url}evidence", credential_id="CKA-1234", credential_date="2026-11-30")
    done = post_form(browser, url, action=f"{url}log", minutes="0", state="done")

    milestone.refresh_from_db()
    assert refused.status_code == 409
    assert "needs evidence before it is done" in refused.content.decode()
    assert saved.status_code == done.status_code == 302
    assert (milestone.state, milestone.credential_id) == (State.DONE, "CKA-1234")


def test_skipping_needs_a_reason_and_un_skipping_puts_it_back(learner, roadmap):
    milestone = _milestone(roadmap, "docker-course")
    browser = browser_for(learner)
    url = f"/milestones/{milestone.pk}/"

    no_reason = post_form(browser, url, action=f"{url}skip", reason="")
    skipped = post_form(browser, url, action=f"{url}skip", reason="I took this course at work")
    state_skipped = Milestone.objects.get(pk=milestone.pk).state
    back = post_form(browser, url, action=f"{url}unskip")

    assert no_reason.status_code == 400
    assert skipped.status_code == back.status_code == 302
    assert state_skipped == State.SKIPPED
    assert Milestone.objects.get(pk=milestone.pk).state == State.NOT_STARTED


def test_a_target_date_in_the_past_is_refused_on_the_page(learner, roadmap):
    milestone = _milestone(roadmap, "docker-course")
    url = f"/milestones/{milestone.pk}/"

    page = post_form(browser_for(learner), url, action=f"{url}target", target_date="2001-01-01")

    assert page.status_code == 400
    assert "A target date cannot be in the past." in page.content.decode()
    assert Milestone.objects.get(pk=milestone.pk).target_date is None


def test_a_project_goes_to_the_mentor_for_review_from_its_page(learner, roadmap):
    mentor = UserFactory(is_mentor=True)
    mentorship_create_active(mentor=mentor, learner=learner, by=mentor)
    milestone = _milestone(roadmap, "pipeline-project")
    browser = browser_for(learner)
    url = f"/milestones/{milestone.pk}/"
    post_form(browser, url, action=f"{url}log", minutes="90", state="in_progress")
    post_form(browser, url, action=f"{url}evidence", evidence_url="https://github.com/ada/pipeline")

    submitted = post_form(browser, url, action=f"{url}submit", message="Ready for a look")
    mentor_view = browser_for(mentor).get(url)

    assert submitted.status_code == 302
    assert Milestone.objects.get(pk=milestone.pk).state == State.IN_REVIEW
    assert mentor_view.status_code == 200
    assert "Ready for a look" in mentor_view.content.decode()
    assert 'action="/milestones/' not in mentor_view.content.decode()  # the mentor reads, and writes nothing here


def test_another_learners_roadmap_and_milestone_answer_404(roadmap):
    stranger = browser_for(UserFactory())
    milestone = roadmap.milestones.first()

    assert stranger.get(f"/roadmaps/{roadmap.pk}/").status_code == 404
    assert stranger.get(f"/milestones/{milestone.pk}/").status_code == 404
    assert post_form(stranger, "/roadmaps/", action=f"/milestones/{milestone.pk}/log").status_code == 404


def test_the_skill_gap_page_lists_what_is_built_and_what_is_missing(learner, roadmap):
    page = browser_for(learner).get(f"/roadmaps/{roadmap.pk}/skills")

    assert page.status_code == 200
    assert "Still to build" in page.content.decode()


def test_the_plan_reorders_and_takes_milestones_of_ones_own(learner, roadmap):
    browser = browser_for(learner)
    url = f"/roadmaps/{roadmap.pk}/plan"
    first, second = roadmap.milestones.order_by("position")[:2]

    moved = post_form(browser, url, action=f"{url}/move", milestone=str(first.pk), direction="down")
    cannot = post_form(browser, url, action=f"{url}/move", milestone=str(first.pk), direction="nowhere")
    past = post_form(
        browser, url, action=f"{url}/add", title="Read", kind="practice", estimated_hours="2", target_date="2001-01-01"
    )
    added = post_form(
        browser, url, action=f"{url}/add", title="Read the MLOps paper", kind="practice", estimated_hours="2"
    )

    order = list(roadmap.milestones.order_by("position").values_list("title", flat=True))
    assert moved.status_code == 302
    assert order[:2] == [second.title, first.title]
    assert cannot.status_code == 400
    assert past.status_code == 400
    assert "A target date cannot be in the past." in past.content.decode()
    assert added.status_code == 302
    assert order[-1] == "Read the MLOps paper"


def test_an_own_milestone_can_be_edited_and_a_catalog_one_cannot(learner, roadmap):
    browser = browser_for(learner)
    url = f"/roadmaps/{roadmap.pk}/plan"
    post_form(browser, url, action=f"{url}/add", title="Read the paper", kind="practice", estimated_hours="2")
    own = roadmap.milestones.get(is_custom=True)
    catalog = roadmap.milestones.filter(is_custom=False).first()

    edited = post_form(
        browser,
        f"/milestones/{own.pk}/",
        action=f"/milestones/{own.pk}/edit",
        title="Read two papers",
        estimated_hours="4",
    )
    refused = post_form(
        browser,
        f"/milestones/{catalog.pk}/",
        action=f"/milestones/{catalog.pk}/edit",
        title="Mine",
        estimated_hours="4",
    )

    own.refresh_from_db()
    assert edited.status_code == 302
    assert (own.title, own.estimated_hours) == ("Read two papers", 4)
    assert refused.status_code == 400
    assert "only your own milestones can be edited" in refused.content.decode()
