"""A learner's first week, through the API as the mobile app drives it.

Ada lives in Berlin. She signs up on Monday 23 March 2026, logs work late in the evening and
after midnight, and the clocks go forward (CET to CEST) in the night to Sunday 29 March.
"""

import math
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from roadmaps.models import ProgressEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_catalog")]

BERLIN = ZoneInfo("Europe/Berlin")
CERT = "certified-kubernetes-administrator"


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def test_a_learners_first_week():
    client = APIClient()

    # Monday morning: sign up, log in, take the quiz, enrol.
    with time_machine.travel(berlin(2026, 3, 23, 9, 0), tick=False):
        signed_up = client.post(
            "/api/v1/auth/register/",
            {"email": "Ada@Example.com", "password": "rust-and-roses-42", "time_zone": "Europe/Berlin"},
            format="json",
        )
        assert signed_up.status_code == 202

        tokens = client.post(
            "/api/v1/auth/token/", {"email": "ada@example.com", "password": "rust-and-roses-42"}, format="json"
        ).json()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

        questions = client.get("/api/v1/quiz/").json()
        assert len(questions) >= 4
        ranking = client.post(
            "/api/v1/quiz/",
            {
                "answers": {
                    "enjoy-most": "running-platforms",
                    "judged-on": "zero-downtime",
                    "learn-next": "kubernetes",
                    "code-distance": "under-it",
                    "background": "operations",
                }
            },
            format="json",
        ).json()
        assert ranking[0]["path"]["slug"] == "mlops-engineer"
        assert ranking[0]["reasons"]

        enrolled = client.post("/api/v1/roadmaps/", {"path": "mlops-engineer"}, format="json")
        assert enrolled.status_code == 201
        roadmap = enrolled.json()
        again = client.post("/api/v1/roadmaps/", {"path": "mlops-engineer"}, format="json")
        assert (again.status_code, again.json()["id"]) == (200, roadmap["id"])

        # Plan: her own milestone first, a target date, a skip.
        milestones = {m["slug"]: m for m in roadmap["milestones"]}
        own = client.post(
            f"/api/v1/roadmaps/{roadmap['id']}/milestones/",
            {"title": "Rebuild the team's deploy script", "estimated_hours": 6, "target_date": "2026-04-30"},
            format="json",
        ).json()
        order = [own["id"], *(m["id"] for m in roadmap["milestones"])]
        assert (
            client.put(
                f"/api/v1/roadmaps/{roadmap['id']}/milestones/order/", {"milestones": order}, format="json"
            ).status_code
            == 204
        )
        assert (
            client.patch(
                f"/api/v1/milestones/{milestones[CERT]['id']}/", {"target_date": "2026-06-30"}, format="json"
            ).status_code
            == 200
        )
        skip = client.post(
            f"/api/v1/milestones/{milestones['linux-shell-and-git-essentials']['id']}/skip/",
            {"reason": "Ten years as a sysadmin"},
            format="json",
        )
        assert skip.json()["state"] == "skipped"
        refresh = tokens["refresh"]

    python = milestones["python-for-ml-platform-work"]["id"]
    # (local time of the work, minutes): late evenings and after midnight, across the DST change.
    sessions = [
        (berlin(2026, 3, 23, 21, 0), 60),
        (berlin(2026, 3, 24, 23, 30), 30),
        (berlin(2026, 3, 26, 0, 15), 45),  # Thursday locally; still Wednesday in UTC
        (berlin(2026, 3, 27, 20, 0), 30),
        (berlin(2026, 3, 28, 23, 59), 30),
        (berlin(2026, 3, 29, 1, 30), 30),  # CET, an hour before the clocks go forward
        (berlin(2026, 3, 29, 23, 30), 30),  # CEST
        (berlin(2026, 3, 30, 0, 30), 60),  # Monday locally; still Sunday in UTC
    ]
    entry_ids = []
    for index, (when, minutes) in enumerate(sessions):
        with time_machine.travel(when + timedelta(minutes=minutes), tick=False):
            # A new day, a new access token from the rotating refresh token.
            pair = client.post("/api/v1/auth/token/refresh/", {"refresh": refresh}, format="json").json()
            refresh = pair["refresh"]
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
            entry = {
                "id": str(uuid.uuid4()),
                "minutes": minutes,
                "note": f"Session {index + 1}",
                "logged_at": when.isoformat(),
                **({"state": "in_progress"} if index == 0 else {}),
            }
            first = client.post(f"/api/v1/milestones/{python}/entries/", entry, format="json")
            # The phone lost the answer and sends the same entry again.
            retry = client.post(f"/api/v1/milestones/{python}/entries/", entry, format="json")
            assert first.status_code == retry.status_code == 201
            assert first.json() == retry.json()
            entry_ids.append(entry["id"])
    assert ProgressEntry.objects.filter(milestone_id=python).count() == len(sessions)

    # Monday evening: she passed the CKA; completing it needs the credential.
    now = berlin(2026, 3, 30, 20, 0)
    with time_machine.travel(now, tick=False):
        pair = client.post("/api/v1/auth/token/refresh/", {"refresh": refresh}, format="json").json()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
        cert = milestones[CERT]["id"]
        started = client.post(
            f"/api/v1/milestones/{cert}/entries/", {"id": str(uuid.uuid4()), "state": "in_progress"}, format="json"
        )
        refused = client.post(
            f"/api/v1/milestones/{cert}/entries/", {"id": str(uuid.uuid4()), "state": "done"}, format="json"
        )
        evidence = client.patch(
            f"/api/v1/milestones/{cert}/",
            {"credential_id": "LF-CKA-2026-0042", "credential_date": "2026-03-30"},
            format="json",
        )
        done = client.post(
            f"/api/v1/milestones/{cert}/entries/", {"id": str(uuid.uuid4()), "state": "done"}, format="json"
        )
        assert started.status_code == 201
        assert (refused.status_code, refused.json()["code"]) == (409, "evidence_required")
        assert evidence.status_code == 200
        assert done.status_code == 201

        detail = client.get(f"/api/v1/roadmaps/{roadmap['id']}/").json()
        overall = client.get("/api/v1/stats/").json()

    # The numbers, by hand.
    plan = [m for m in detail["milestones"] if m["state"] != "skipped"]
    assert len(plan) == len(roadmap["milestones"]) + 1 - 1  # own milestone added, one skipped
    stats = detail["stats"]
    assert stats["milestones_total"] == len(plan)
    assert stats["milestones_done"] == 1
    assert stats["milestones_skipped"] == 1
    assert stats["completion_percent"] == round(100 / len(plan), 1)

    minutes = sum(minutes for _, minutes in sessions)
    assert minutes == 315
    assert stats["hours_logged"] == 5.25
    assert stats["hours_estimated"] == sum(m["estimated_hours"] for m in plan)

    # Local days with work: Mon 23, Tue 24, Thu 26, Fri 27, Sat 28, Sun 29, Mon 30.
    # (Grouped by UTC days it would be 23, 24, 25, 27, 28, 29 instead.)
    assert stats["current_streak_days"] == 5
    assert stats["longest_streak_days"] == 5
    weeks = {week["week_start"]: week["hours"] for week in stats["weekly_hours"]}
    assert len(weeks) == 12
    assert weeks["2026-03-23"] == 4.25  # 255 minutes from Monday 23 to Sunday 29
    assert weeks["2026-03-30"] == 1.0
    assert sum(weeks.values()) == 5.25

    # Pace: 5.25 h over the 8 days since enrolment; projection from the work that remains.
    pace = 5.25 / (8 / 7)
    assert stats["pace_hours_per_week"] == round(pace, 2)
    python_estimate = next(m["estimated_hours"] for m in plan if m["id"] == python)
    remaining = sum(m["estimated_hours"] for m in plan if m["state"] != "done" and m["id"] != python)
    remaining += max(0, python_estimate - 5.25)
    assert stats["hours_remaining"] == round(remaining, 2)
    projected = date(2026, 3, 30) + timedelta(days=math.ceil(remaining / pace * 7))
    assert stats["projected_finish_date"] == projected.isoformat()
    assert stats["next_target_date"] == "2026-04-30"
    # Her own milestone is due on 30 April, far before the projection: at risk, not yet behind.
    assert stats["status"] == "at_risk"
    assert stats["reasons"] == ["at the current pace the last target date will be missed"]

    # Across all roadmaps the weekly goal (5 h) counts too, and the certification's skill.
    assert overall["hours_logged"] == 5.25
    assert overall["weekly_hours_goal"] == 5
    assert overall["skills_built"] == 1  # the CKA builds Kubernetes
    assert overall["status"] == "at_risk"
    assert "pace below the goal of 5 h a week" in overall["reasons"]
