"""The benchmark's parts: the data generator, the reference endpoint and the harness's verdicts.

The generator is run small (20 learners on the real catalog) and its data is then read through
the API: what it writes must be data the services could have written.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client

from accounts.models import Mentorship, User
from bench.harness import Result, lua_script, summarize_reference, table
from bench.scenarios import ENDPOINTS, HOST, Endpoint, Request, draw_samples
from bench.seed import BENCH_DOMAIN, seeded_learners
from careerhub.pagination import Window
from roadmaps.apis.learning import MilestoneSerializer, ProgressEntrySerializer, StatsSerializer
from roadmaps.apis.representation import entry_data, milestone_data, stats_data
from roadmaps.apis.reviews import DashboardRowSerializer
from roadmaps.models import Milestone, ProgressEntry, ReviewSubmission, Roadmap
from roadmaps.selectors.learning import MILESTONE_VALUES, milestone_page_rows, milestone_queryset, milestone_skills
from roadmaps.selectors.reviews import mentor_dashboard
from roadmaps.selectors.stats import roadmap_stats
from tests.clients import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    out = StringIO()
    call_command("bench_seed", learners=20, stdout=out)
    return out.getvalue()


def test_the_generator_writes_the_learners_asked_for_and_says_how_fast(seeded):
    learners = User.objects.filter(email__endswith=f"@{BENCH_DOMAIN}", is_mentor=False)

    assert learners.count() == seeded_learners() == 20
    assert "Seeded 20 learners" in seeded
    assert "rows/s" in seeded
    assert all(1 <= Roadmap.objects.filter(learner=learner).count() <= 3 for learner in learners)
    assert Mentorship.objects.filter(state="active").count() == 10  # half the learners have a mentor


def test_a_second_run_with_the_same_number_writes_nothing(seeded):
    out = StringIO()
    call_command("bench_seed", learners=20, stdout=out)

    assert "already holds 20" in out.getvalue()
    assert seeded_learners() == 20


def test_the_generated_data_keeps_the_rules_of_the_services(seeded):
    # Each milestone's minute counter is the sum of its log.
    sums = dict(
        ProgressEntry.objects.values("milestone").annotate(total=Sum("minutes")).values_list("milestone", "total")
    )
    assert all(m.logged_minutes == sums.get(m.pk, 0) for m in Milestone.objects.all())
    # Done projects carry their repository; with a mentor they went through an approved review.
    for project in Milestone.objects.filter(kind="project", state="done").select_related("roadmap"):
        assert project.evidence_url
        mentored = Mentorship.objects.filter(learner_id=project.roadmap.learner_id, state="active").exists()
        assert project.self_attested is not mentored
        if mentored:
            assert ReviewSubmission.objects.filter(milestone=project, state="approved").exists()
    # Every milestone in review waits in a pending submission.
    in_review = set(Milestone.objects.filter(state="in_review").values_list("pk", flat=True))
    assert in_review == set(ReviewSubmission.objects.filter(state="pending").values_list("milestone", flat=True))
    assert all(
        m.credential_id and m.credential_date for m in Milestone.objects.filter(kind="certification", state="done")
    )


def test_the_api_serves_the_generated_data(seeded):
    roadmap = Roadmap.objects.filter(status="active").select_related("learner").first()
    client = logged_in(roadmap.learner)

    detail = client.get(f"/api/v1/roadmaps/{roadmap.pk}/")
    entry = next(m for m in detail.json()["milestones"] if m["state"] in ("not_started", "in_progress"))
    posted = client.post(
        f"/api/v1/milestones/{entry['id']}/entries/",
        {"id": "0b7e6f6e-4a0e-4c55-9a57-2f1c1d1e1f10", "minutes": 25},
        format="json",
    )

    assert detail.status_code == 200
    assert len(detail.json()["milestones"]) == roadmap.milestones.count()
    assert posted.status_code == 201


def test_the_lean_representations_equal_the_serializers_on_generated_data(seeded):
    roadmaps = list(Roadmap.objects.select_related("learner"))
    rows = milestone_skills(list(Milestone.objects.order_by("id").values(*MILESTONE_VALUES)))
    milestones = milestone_queryset().order_by("id")

    assert [milestone_data(row) for row in rows] == MilestoneSerializer(milestones, many=True).data
    entries = ProgressEntry.objects.order_by("pk")
    assert [entry_data(entry) for entry in entries] == ProgressEntrySerializer(entries, many=True).data
    for roadmap in roadmaps:
        page = milestone_page_rows(user=roadmap.learner, roadmap_id=roadmap.pk, window=Window(limit=1000))
        in_order = milestones.filter(roadmap=roadmap).order_by("position", "id")
        assert [milestone_data(row) for row in page] == MilestoneSerializer(in_order, many=True).data
    for roadmap in roadmaps:
        stats = roadmap_stats(roadmap=roadmap)
        assert stats_data(stats) == StatsSerializer(stats).data


def test_a_mentors_dashboard_says_what_each_mentees_own_stats_say(seeded):
    mentor = User.objects.filter(is_mentor=True, email__endswith=f"@{BENCH_DOMAIN}").first()

    rows = logged_in(mentor).get("/api/v1/mentor/dashboard/").json()

    assert len(rows) == 10
    assert rows == DashboardRowSerializer(mentor_dashboard(mentor=mentor), many=True).data
    for row in rows:
        own = logged_in(User.objects.get(pk=row["learner"]["id"])).get("/api/v1/stats/").json()
        assert (row["status"], row["reasons"], row["completion_percent"], row["overdue_milestones"]) == (
            own["status"],
            own["reasons"],
            own["completion_percent"],
            own["overdue_milestones"],
        )


def test_ping_answers_who_is_logged_in_and_refuses_strangers(learner, learner_client, api_client):
    assert learner_client.get("/api/v1/ping/").json() == {"user": learner.pk}
    assert api_client.get("/api/v1/ping/").status_code == 401


def test_each_progress_post_gets_a_new_entry_id_and_other_requests_are_sent_as_they_are():
    script = lua_script(
        [
            Request("POST", "/api/v1/milestones/1/entries/", "t1", body='{"id": "{{id}}", "minutes": 5}'),
            Request("GET", "/api/v1/ping/", "t2", headers={"If-None-Match": '"abc"'}),
        ],
        status=201,
    )

    assert "local expected = 201" in script
    assert '["Authorization"] = "Bearer t1"' in script
    assert '["If-None-Match"] = "\\"abc\\""' in script
    assert "fresh = true" in script
    assert "fresh = false" in script
    assert "{{id}}" in script  # replaced by wrk on every request, with the run's prefix and a counter


def test_the_table_states_ratios_to_the_reference_and_flags_what_misses():
    reference = Endpoint("reference", lambda s: [], reference=True)
    fast = Endpoint("fast", lambda s: [], target=0.5)
    slow = Endpoint("slow", lambda s: [], target=0.5)
    references = [
        Result(reference, requests_per_second=rate, p50_ms=10, p99_ms=20, queries=1) for rate in (900, 1100, 800)
    ]
    results = [
        summarize_reference(references),
        # Each against the reference runs either side of it: (900 + 1100) / 2, then (1100 + 800) / 2.
        Result(fast, requests_per_second=600, p50_ms=10, p99_ms=30, queries=3, reference_rate=1000),
        Result(slow, requests_per_second=380, p50_ms=10, p99_ms=50, queries=3, errors=2, reference_rate=950),
    ]

    text, all_met = table(results, [])

    assert not all_met
    assert "| reference | 933 | 10.0 | 20.0 | 2.0 | 1 | 0 | 1 (0.86-1.18) |  | yes |" in text
    assert "| fast | 600 | 10.0 | 30.0 | 3.0 | 3 | 0 | 0.60 | ≥ 0.5 | yes |" in text
    assert (
        "| slow | 380 | 10.0 | 50.0 | 5.0 | 3 | 2 | 0.40 | ≥ 0.5 | ratio below 0.5; p99 over 4x p50; errors |" in text
    )


def test_the_bench_measures_the_phone_s_hot_endpoints_against_one_reference():
    names = [endpoint.name for endpoint in ENDPOINTS]

    assert [endpoint.name for endpoint in ENDPOINTS if endpoint.reference] == ["reference: unread count"]
    assert {"roadmap detail", "roadmap detail 304", "milestone list", "progress entry POST", "mentor dashboard"} <= set(
        names
    )


def test_the_web_pages_of_the_bench_are_served_to_the_session_cookie_they_carry(seeded):

    samples = draw_samples()
    pages = [endpoint for endpoint in ENDPOINTS if endpoint.name.startswith("web: ")]

    answers = {
        endpoint.name: [
            Client(HTTP_HOST=HOST).get(request.path, HTTP_COOKIE=request.headers["Cookie"]).status_code
            for request in endpoint.requests(samples)[:3]
        ]
        for endpoint in pages
    }

    assert answers == {
        "web: roadmap page": [200, 200, 200],
        "web: mentor dashboard page": [200] * len(samples.mentors[:3]),
    }
    assert samples.mentors
