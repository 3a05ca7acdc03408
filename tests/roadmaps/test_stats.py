import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from roadmaps.models import Milestone
from roadmaps.selectors.stats import WeekHours, learner_stats, roadmap_stats
from roadmaps.services.learning import progress_entry_log, roadmap_enroll
from tests.factories import UserFactory, small_path

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")


def _log(learner, milestone, when: datetime, minutes: int = 30):
    progress_entry_log(
        learner=learner, milestone_id=milestone.pk, entry_id=uuid.uuid4(), minutes=minutes, logged_at=when
    )


def _enrolled(learner, *, at: datetime, slug: str = "mlops-engineer"):
    with time_machine.travel(at, tick=False):
        roadmap, _ = roadmap_enroll(learner=learner, path=small_path(slug=slug))
    return roadmap


def test_a_repeated_local_hour_at_the_end_of_dst_is_still_one_day():
    # Given: New York falls back on Sunday 1 November 2026; 01:30 happens twice that night.
    learner = UserFactory(time_zone="America/New_York")
    roadmap = _enrolled(learner, at=datetime(2026, 10, 30, 9, tzinfo=NEW_YORK))
    milestone = roadmap.milestones.first()
    first_0130 = datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=0)  # EDT
    second_0130 = datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK, fold=1)  # EST, an hour later
    with time_machine.travel(datetime(2026, 11, 1, 12, tzinfo=NEW_YORK), tick=False):
        _log(learner, milestone, datetime(2026, 10, 31, 23, 30, tzinfo=NEW_YORK))
        _log(learner, milestone, first_0130)
        _log(learner, milestone, second_0130)

        # When
        stats = roadmap_stats(roadmap=roadmap)

    # Then: Saturday and Sunday, two local days, 90 minutes.
    assert (stats.current_streak_days, stats.longest_streak_days) == (2, 2)
    assert stats.hours_logged == 1.5
    assert stats.weekly_hours[-1] == WeekHours(week_start=date(2026, 10, 26), hours=1.5)


def test_days_follow_the_learners_current_time_zone():
    learner = UserFactory(time_zone="UTC")
    roadmap = _enrolled(learner, at=datetime(2026, 5, 1, 8, tzinfo=ZoneInfo("UTC")))
    milestone = roadmap.milestones.first()
    utc = ZoneInfo("UTC")
    with time_machine.travel(datetime(2026, 5, 3, 12, tzinfo=utc), tick=False):
        _log(learner, milestone, datetime(2026, 5, 1, 23, 30, tzinfo=utc))
        _log(learner, milestone, datetime(2026, 5, 2, 0, 30, tzinfo=utc))
        in_utc = roadmap_stats(roadmap=roadmap)
        learner.time_zone = "Asia/Tokyo"  # +9: both entries fall on Saturday 2 May
        in_tokyo = roadmap_stats(roadmap=roadmap)

    assert in_utc.longest_streak_days == 2
    assert in_tokyo.longest_streak_days == 1


def test_a_streak_survives_until_the_day_ends_and_breaks_after_a_missed_day():
    learner = UserFactory(time_zone="Europe/Berlin")
    berlin = ZoneInfo("Europe/Berlin")
    roadmap = _enrolled(learner, at=datetime(2026, 6, 1, 8, tzinfo=berlin))
    milestone = roadmap.milestones.first()
    with time_machine.travel(datetime(2026, 6, 4, 7, tzinfo=berlin), tick=False):
        for day in (1, 2, 3):
            _log(learner, milestone, datetime(2026, 6, day, 20, tzinfo=berlin))
        morning = roadmap_stats(roadmap=roadmap)  # nothing yet today: the streak holds
    with time_machine.travel(datetime(2026, 6, 5, 7, tzinfo=berlin), tick=False):
        next_day = roadmap_stats(roadmap=roadmap)  # all of 4 June passed without work

    assert (morning.current_streak_days, morning.longest_streak_days) == (3, 3)
    assert (next_day.current_streak_days, next_day.longest_streak_days) == (0, 3)


def test_an_overdue_milestone_puts_the_roadmap_behind():
    learner = UserFactory(time_zone="UTC")
    utc = ZoneInfo("UTC")
    roadmap = _enrolled(learner, at=datetime(2026, 6, 1, 8, tzinfo=utc))
    Milestone.objects.filter(pk=roadmap.milestones.first().pk).update(target_date=date(2026, 6, 10))

    with time_machine.travel(datetime(2026, 6, 11, 8, tzinfo=utc), tick=False):
        stats = roadmap_stats(roadmap=roadmap)

    assert stats.status == "behind"
    assert stats.overdue_milestones == 1
    assert stats.reasons[0] == "1 milestone(s) past their target date"


def test_without_any_pace_there_is_no_projection_and_a_new_plan_is_not_judged_yet():
    learner = UserFactory(time_zone="UTC")
    utc = ZoneInfo("UTC")
    _enrolled(learner, at=datetime(2026, 6, 1, 8, tzinfo=utc))

    with time_machine.travel(datetime(2026, 6, 3, 8, tzinfo=utc), tick=False):
        young = learner_stats(learner=learner)
    with time_machine.travel(datetime(2026, 6, 20, 8, tzinfo=utc), tick=False):
        idle = learner_stats(learner=learner)

    assert young.projected_finish_date is None
    assert young.status == "on_track"
    assert idle.status == "at_risk"
    assert idle.reasons == ["pace below the goal of 5 h a week"]


def test_steady_work_at_the_goal_is_on_track_with_a_projection():
    learner = UserFactory(time_zone="UTC", weekly_hours_goal=5)
    utc = ZoneInfo("UTC")
    roadmap = _enrolled(learner, at=datetime(2026, 6, 1, 8, tzinfo=utc))
    milestone = roadmap.milestones.first()  # 10 estimated hours
    with time_machine.travel(datetime(2026, 6, 28, 22, tzinfo=utc), tick=False):
        for day in range(1, 29):  # 28 days x 45 min = 21 h in four weeks: 5.25 h a week
            _log(learner, milestone, datetime(2026, 6, day, 20, tzinfo=utc), minutes=45)
        stats = learner_stats(learner=learner)

    assert stats.pace_hours_per_week == 5.25
    assert stats.status == "on_track"
    # 90 estimated hours left on the other milestones (the first has more logged than estimated).
    assert stats.hours_remaining == 90.0
    assert stats.projected_finish_date == date(2026, 6, 28) + timedelta(days=120)  # ceil(90 / 5.25 * 7)


def test_a_skill_built_in_two_roadmaps_counts_once():
    learner = UserFactory()
    utc = ZoneInfo("UTC")
    first = _enrolled(learner, at=datetime(2026, 6, 1, 8, tzinfo=utc), slug="mlops-engineer")
    second = _enrolled(learner, at=datetime(2026, 6, 1, 8, tzinfo=utc), slug="data-scientist")
    now = datetime(2026, 6, 2, 8, tzinfo=utc)
    Milestone.objects.filter(roadmap__in=[first, second], slug="python-basics").update(state="done", completed_at=now)

    per_roadmap = [roadmap_stats(roadmap=first).skills_built, roadmap_stats(roadmap=second).skills_built]
    overall = learner_stats(learner=learner)

    assert per_roadmap == [1, 1]
    assert overall.skills_built == 1
    assert overall.milestones_done == 2
