"""When each kind of reminder is due, in the learner's own time, and that it comes once."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.utils import timezone

from accounts.services import user_update
from notifications.models import Notification, Reminder
from notifications.services.reminders import preferences_update
from roadmaps.models import Milestone, ReviewSubmission
from roadmaps.services.learning import milestone_update
from tests.factories import UserFactory
from tests.notifications.conftest import enrolled, log, tick, ticks, with_target

pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def inbox(user, kind=None) -> list[Notification]:
    notes = Notification.objects.filter(user=user).order_by("created_at", "id")
    return list(notes.filter(kind=kind) if kind else notes)


def test_target_soon_comes_three_days_before_at_the_preferred_local_hour_once(learner, outbox):
    # Given: a target date on Friday 12 June, a learner in Berlin (summer time, UTC+2)
    with time_machine.travel(at(2026, 6, 1, 12), tick=False):
        milestone = with_target(enrolled(learner).milestones.first(), date(2026, 6, 12))

    # When: beat ticks through Tuesday 9 June, 05:00 to 08:00 UTC
    ticks(at(2026, 6, 9, 5), at(2026, 6, 9, 8))

    # Then: one reminder, at 09:00 Berlin time, in the inbox and by email
    [note] = inbox(learner, "target_soon")
    assert note.created_at == at(2026, 6, 9, 7, 0)
    assert note.title == f"{milestone.title} is due in 3 days (Fri 12 Jun)"
    assert note.data == {"roadmap": milestone.roadmap_id, "milestone": milestone.pk}
    assert [m.subject for m in outbox] == [note.title]


def test_a_target_set_for_tomorrow_is_announced_today(learner):
    with time_machine.travel(at(2026, 6, 9, 12), tick=False):
        milestone = with_target(enrolled(learner).milestones.first(), date(2026, 6, 10))
        tick(timezone.now())

    [note] = inbox(learner, "target_soon")
    assert note.title == f"{milestone.title} is due tomorrow"


def test_overdue_comes_the_day_after_the_target_date(learner):
    with time_machine.travel(at(2026, 6, 1, 12), tick=False):
        milestone = with_target(enrolled(learner).milestones.first(), date(2026, 6, 10))

    ticks(at(2026, 6, 10, 6), at(2026, 6, 11, 8), every_minutes=30)

    [note] = inbox(learner, "overdue")
    assert note.created_at == at(2026, 6, 11, 7)  # 09:00 in Berlin on the 11th
    assert note.title == f"{milestone.title} is past its target date"


def test_finished_skipped_or_deleted_work_is_not_reminded_and_the_skip_is_recorded(learner):
    # Given: three milestones with reminders written for Tuesday 09:00 Berlin
    with time_machine.travel(at(2026, 6, 9, 6), tick=False):
        roadmap = enrolled(learner)
        done, skipped, deleted = (with_target(m, date(2026, 6, 12)) for m in roadmap.milestones.all()[:3])
        tick(timezone.now())
    assert Reminder.objects.filter(kind="target_soon").count() == 3

    # When: one is done, one skipped, one deleted before the reminders are due
    with time_machine.travel(at(2026, 6, 9, 6, 30), tick=False):
        log(learner, done, minutes=30, at=timezone.now(), state="in_progress")
        log(learner, Milestone.objects.get(pk=done.pk), minutes=30, at=timezone.now(), state="done")
        Milestone.objects.filter(pk=skipped.pk).update(state="skipped", skip_reason="Not for me")
        Milestone.objects.filter(pk=deleted.pk).delete()
    ticks(at(2026, 6, 9, 7), at(2026, 6, 9, 7, 10))

    # Then: nothing was sent, and each reason is in the ledger
    assert inbox(learner, "target_soon") == []
    reasons = dict(Reminder.objects.filter(kind="target_soon").values_list("subject_id", "reason"))
    assert reasons == {done.pk: "milestone_done", skipped.pk: "milestone_skipped", deleted.pk: "milestone_deleted"}
    assert set(Reminder.objects.filter(kind="target_soon").values_list("state", flat=True)) == {"skipped"}


def test_a_moved_target_date_gets_its_own_reminder_and_the_old_one_is_skipped(learner):
    with time_machine.travel(at(2026, 6, 9, 6), tick=False):
        milestone = with_target(enrolled(learner).milestones.first(), date(2026, 6, 12))
        tick(timezone.now())
        milestone_update(milestone=milestone, learner_today=date(2026, 6, 9), target_date=date(2026, 6, 20))

    ticks(at(2026, 6, 9, 7), at(2026, 6, 9, 7, 5))
    ticks(at(2026, 6, 17, 7), at(2026, 6, 17, 7, 5))

    [note] = inbox(learner, "target_soon")
    assert note.created_at == at(2026, 6, 17, 7)
    assert Reminder.objects.get(period="2026-06-12").reason == "target_date_changed"


# Inactivity: only when behind pace, at most once a week --------------------------------


def _quiet_learner(*, hours_logged_long_ago: int):
    """Enrolled 30 days before 15 June; nothing logged in the last 10 days."""
    learner = UserFactory(verified=True, time_zone="Europe/Berlin", weekly_hours_goal=5)
    with time_machine.travel(at(2026, 5, 16, 12), tick=False):
        roadmap = enrolled(learner)
    first = roadmap.milestones.first()
    log(learner, first, minutes=hours_logged_long_ago * 60 // 2, at=at(2026, 6, 3, 18), state="in_progress")
    log(learner, first, minutes=hours_logged_long_ago * 60 // 2, at=at(2026, 6, 4, 18))
    return learner


def test_an_inactive_learner_behind_pace_is_nudged_once_a_week():
    learner = _quiet_learner(hours_logged_long_ago=2)  # 2 h in four weeks, goal 5 h a week

    ticks(at(2026, 6, 15, 6), at(2026, 6, 15, 8), every_minutes=30)
    ticks(at(2026, 6, 16, 6), at(2026, 6, 16, 8), every_minutes=30)

    [note] = inbox(learner, "inactivity")
    assert note.created_at == at(2026, 6, 15, 7)
    assert "pace below the goal of 5 h a week" in note.body
    assert note.data["milestone"]


def test_an_inactive_learner_on_pace_is_not_nudged():
    learner = _quiet_learner(hours_logged_long_ago=24)  # 24 h in four weeks: 6 h a week

    ticks(at(2026, 6, 15, 6), at(2026, 6, 15, 8), every_minutes=30)

    assert inbox(learner, "inactivity") == []
    assert Reminder.objects.get(kind="inactivity").reason == "on_pace"


# Weekly digests ---------------------------------------------------------------------------


def test_the_learner_digest_comes_on_the_digest_weekday_with_the_week_the_next_steps_and_the_streak(learner):
    # Given: enrolled a while ago; on Thursday to Saturday (Berlin days) an hour a day, one milestone done
    with time_machine.travel(at(2026, 5, 1, 12), tick=False):
        roadmap = enrolled(learner)
    first, second = roadmap.milestones.all()[:2]
    log(learner, first, minutes=60, at=at(2026, 6, 11, 18), state="in_progress")
    log(learner, first, minutes=60, at=at(2026, 6, 12, 18))
    with time_machine.travel(at(2026, 6, 13, 18), tick=False):
        log(learner, first, minutes=60, at=timezone.now(), state="done")
    log(learner, second, minutes=30, at=at(2026, 6, 14, 21, 30), state="in_progress")  # Monday 15th, 23:30 Berlin

    # When: Sunday and Monday pass (Monday 15 June is the default digest day)
    ticks(at(2026, 6, 14, 6), at(2026, 6, 14, 8), every_minutes=30)
    assert inbox(learner, "learner_digest") == []
    ticks(at(2026, 6, 15, 6), at(2026, 6, 15, 8), every_minutes=30)

    # Then
    [note] = inbox(learner, "learner_digest")
    assert note.created_at == at(2026, 6, 15, 7)
    content = Reminder.objects.get(kind="learner_digest", state="sent").content
    assert content["lines"][0] == "Logged this week: 3.5 h"
    assert f"Done: {first.title}" in content["lines"]
    assert f"Next: {second.title} (Mlops Engineer)" in content["lines"]
    assert content["lines"][-1] == "Streak: 4 days"  # Thursday to Sunday in Berlin


def test_the_mentor_digest_lists_each_mentee_and_the_reviews_waiting():
    from accounts.services import mentorship_create_active

    mentor = UserFactory(verified=True, is_mentor=True, time_zone="America/New_York")
    ada, bob = UserFactory(verified=True, display_name="Ada"), UserFactory(verified=True, display_name="Bob")
    with time_machine.travel(at(2026, 6, 1, 12), tick=False):
        for mentee in (ada, bob):
            mentorship_create_active(mentor=mentor, learner=mentee, by=mentor)
        roadmap = enrolled(ada)
        project = roadmap.milestones.get(slug="pipeline-project")
    with time_machine.travel(at(2026, 6, 10, 12), tick=False):
        log(ada, project, minutes=90, at=timezone.now(), state="in_progress")
        ReviewSubmission.objects.create(milestone=project, learner=ada, evidence_url="https://github.com/ada/p")

    ticks(at(2026, 6, 15, 12), at(2026, 6, 15, 14), every_minutes=30)  # 09:00 in New York is 13:00 UTC

    [note] = inbox(mentor, "mentor_digest")
    assert note.created_at == at(2026, 6, 15, 13)
    assert note.body == "2 mentee(s); 1 review(s) waiting for you."
    lines = Reminder.objects.get(kind="mentor_digest", state="sent").content["lines"]
    assert lines[0].startswith("Ada: 1.5 h logged, 0 done, ")
    assert lines[0].endswith("1 review(s) waiting")
    assert lines[1].startswith("Bob: 0.0 h logged, 0 done")


# Time: preferred hour, DST, time-zone changes --------------------------------------------


def _digest_learner(time_zone: str, **preferences):
    learner = UserFactory(verified=True, time_zone=time_zone)
    with time_machine.travel(at(2026, 1, 5, 12), tick=False):
        enrolled(learner)
    if preferences:
        preferences_update(user=learner, **preferences)
    return learner


def test_an_hour_that_does_not_exist_on_the_dst_change_still_sends_exactly_once():
    # Sunday 29 March 2026: in Berlin 02:00 jumps to 03:00. The digest is set for Sunday at 02:00.
    learner = _digest_learner("Europe/Berlin", digest_weekday=6, preferred_hour=2)

    ticks(at(2026, 3, 28, 22), at(2026, 3, 29, 4), every_minutes=15)

    [note] = inbox(learner, "learner_digest")
    assert note.created_at == at(2026, 3, 29, 1)  # 03:00 summer time, the first instant after the gap


def test_a_repeated_hour_on_the_dst_change_still_sends_exactly_once():
    # Sunday 25 October 2026: in Berlin 03:00 goes back to 02:00, so 02:00-03:00 happens twice.
    learner = _digest_learner("Europe/Berlin", digest_weekday=6, preferred_hour=2)

    ticks(at(2026, 10, 24, 22), at(2026, 10, 25, 3), every_minutes=15)

    [note] = inbox(learner, "learner_digest")
    assert note.created_at == at(2026, 10, 25, 0)  # the first 02:00 (summer time)


def test_a_learner_who_changes_time_zone_gets_no_second_digest_that_day():
    # Given: in Tokyo, the Monday digest arrives at 09:00 JST (00:00 UTC)
    learner = _digest_learner("Asia/Tokyo")
    ticks(at(2026, 6, 14, 23, 30), at(2026, 6, 15, 0, 30), every_minutes=15)
    assert len(inbox(learner, "learner_digest")) == 1

    # When: they fly to Los Angeles, where it is still Sunday, and Monday 09:00 comes again there
    with time_machine.travel(at(2026, 6, 15, 1), tick=False):
        user_update(user=learner, time_zone="America/Los_Angeles")
    ticks(at(2026, 6, 15, 1), at(2026, 6, 15, 17), every_minutes=60)

    # Then: no second one; the next is the Monday after, 09:00 in Los Angeles
    assert len(inbox(learner, "learner_digest")) == 1
    upcoming = Reminder.objects.get(kind="learner_digest", state="pending")
    assert upcoming.due_at == at(2026, 6, 22, 16)


def test_changing_the_preferred_hour_moves_what_is_waiting():
    learner = _digest_learner("UTC")
    with time_machine.travel(at(2026, 6, 14, 12), tick=False):
        tick(timezone.now())
        assert Reminder.objects.get(kind="learner_digest").due_at == at(2026, 6, 15, 9)
        preferences_update(user=learner, preferred_hour=7)
        tick(timezone.now())

    assert Reminder.objects.get(kind="learner_digest").due_at == at(2026, 6, 15, 7)


# Exactly once -------------------------------------------------------------------------------


def test_running_the_scan_twice_writes_nothing_new(learner):
    with time_machine.travel(at(2026, 6, 9, 6), tick=False):
        with_target(enrolled(learner).milestones.first(), date(2026, 6, 12))
        from notifications.scan import reminders_schedule

        reminders_schedule(now=timezone.now())
        rows = list(Reminder.objects.order_by("id").values())
        reminders_schedule(now=timezone.now())

    assert list(Reminder.objects.order_by("id").values()) == rows
    assert {row["kind"] for row in rows} == {"target_soon", "learner_digest"}


def test_reminders_about_reviews_and_escalation_to_staff(api_client):
    from accounts.services import mentorship_create_active
    from roadmaps.services.reviews import review_submit

    mentor, learner = (
        UserFactory(verified=True, is_mentor=True, time_zone="UTC"),
        UserFactory(verified=True, time_zone="UTC"),
    )
    staff = UserFactory(verified=True, is_staff=True)
    with time_machine.travel(at(2026, 6, 1, 10), tick=False):
        mentorship_create_active(mentor=mentor, learner=learner, by=mentor)
        project = enrolled(learner).milestones.get(slug="pipeline-project")
        Milestone.objects.filter(pk=project.pk).update(state="in_progress")
        submission = review_submit(learner=learner, milestone=project, evidence_url="https://github.com/l/p")

    # The request reaches the mentor at their next 09:00; the waiting reminder three days later.
    ticks(at(2026, 6, 1, 10), at(2026, 6, 5, 10), every_minutes=60)
    requested, waiting = inbox(mentor, "review_requested"), inbox(mentor, "review_waiting")
    assert [n.created_at for n in requested] == [at(2026, 6, 2, 9)]
    assert [n.created_at for n in waiting] == [at(2026, 6, 5, 9)]
    assert waiting[0].title == f"{learner.display_name}'s {project.title} has waited 3 days"

    # Staff see it once it has waited five days.
    api_client.force_authenticate(staff)
    with time_machine.travel(at(2026, 6, 6, 9, 59), tick=False):
        assert api_client.get("/api/v1/staff/reviews/waiting/").json()["results"] == []
    with time_machine.travel(at(2026, 6, 6, 10, 1), tick=False):
        [item] = api_client.get("/api/v1/staff/reviews/waiting/").json()["results"]
    assert (item["id"], item["mentors"], item["waiting_seconds"]) == (submission.pk, [mentor.pk], 5 * 86400 + 60)


@pytest.mark.django_db(transaction=True)
def test_two_beats_scanning_at_the_same_moment_write_each_reminder_once():
    import threading

    from django.db import connection

    from notifications.scan import reminders_schedule

    learners = [UserFactory(verified=True, time_zone=zone) for zone in ("UTC", "Asia/Tokyo", "America/New_York")]
    with time_machine.travel(at(2026, 6, 1, 12), tick=False):
        for learner in learners:
            with_target(enrolled(learner).milestones.first(), date(2026, 6, 11))
    barrier = threading.Barrier(2)

    def beat():
        barrier.wait()
        try:
            reminders_schedule(now=at(2026, 6, 9, 12))
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    kinds = sorted(Reminder.objects.values_list("kind", flat=True))
    assert kinds == ["inactivity"] * 3 + ["learner_digest"] * 3 + ["target_soon"] * 3
