"""The inbox and the settings through the test client, each form through the API's service."""

from datetime import UTC, datetime

import pytest

from accounts.models import DataExport, LoginSession, User
from accounts.services import user_login
from notifications.models import Device, Notification, Preference, Reminder
from notifications.selectors import preferences_data
from tests.factories import UserFactory
from tests.web.pages import browser_for, post_form

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # the factory's


def _notification(user, n: int, data: dict) -> Notification:
    at = datetime(2026, 11, 1, n, tzinfo=UTC)
    reminder = Reminder.objects.create(
        user=user, kind="target_soon", subject_id=n, period="once", due_at=at, state="sent"
    )
    return Notification.objects.create(
        user=user, reminder=reminder, kind="target_soon", title=f"Note {n}", data=data, created_at=at
    )


def test_the_inbox_shows_unread_counts_links_and_marks_read(learner):
    first = _notification(learner, 1, {"milestone": 7, "roadmap": 3})
    _notification(learner, 2, {"review": 5, "milestone": 7, "roadmap": 3})
    _notification(UserFactory(), 3, {})
    browser = browser_for(learner)

    page = browser.get("/inbox/").content.decode()
    post_form(browser, "/inbox/", action=f"/inbox/{first.pk}/read")
    after_one = browser.get("/inbox/").content.decode()
    post_form(browser, "/inbox/", action="/inbox/read-all")

    assert 'href="/milestones/7/"' in page
    assert 'href="/reviews/5/"' in page
    assert "Note 3" not in page
    assert '<span class="count">2<' in page
    assert '<span class="count">1<' in after_one
    assert not Notification.objects.filter(user=learner, read_at=None).exists()
    other = Notification.objects.exclude(user=learner).get()
    assert post_form(browser, "/inbox/", action=f"/inbox/{other.pk}/read").status_code == 404


def test_the_profile_and_the_time_zone_are_saved_and_checked(learner):
    browser = browser_for(learner)

    bad = post_form(
        browser,
        "/settings/",
        action="/settings/profile",
        display_name="Ada",
        time_zone="Moon/Base",
        weekly_hours_goal="6",
    )
    good = post_form(
        browser,
        "/settings/",
        action="/settings/profile",
        display_name="Ada",
        time_zone="Asia/Tokyo",
        weekly_hours_goal="6",
    )

    learner.refresh_from_db()
    assert bad.status_code == 400
    assert good.status_code == 302
    assert (learner.display_name, learner.time_zone, learner.weekly_hours_goal) == ("Ada", "Asia/Tokyo", 6)


def test_reminder_preferences_and_channels_are_saved(learner):
    browser = browser_for(learner)

    incomplete = post_form(
        browser,
        "/settings/",
        action="/settings/reminders",
        preferred_hour="8",
        digest_weekday="0",
        daily_cap="3",
        quiet_start="22",
    )
    saved = post_form(
        browser,
        "/settings/",
        action="/settings/reminders",
        preferred_hour="7",
        digest_weekday="4",
        daily_cap="2",
        quiet_start="22",
        quiet_end="6",
        target_soon__inbox="on",
        target_soon__push="on",
    )

    data = preferences_data(user=User.objects.get(pk=learner.pk))
    assert incomplete.status_code == 400
    assert "Give both ends of the quiet hours, or neither." in incomplete.content.decode()
    assert saved.status_code == 302
    assert (data["preferred_hour"], data["digest_weekday"], data["daily_cap"]) == (7, 4, 2)
    assert data["quiet_hours"] == {"start": 22, "end": 6}
    assert data["channels"]["target_soon"] == {"inbox": True, "email": False, "push": True}


def test_a_new_calendar_address_replaces_the_old(learner):
    browser = browser_for(learner)
    browser.get("/settings/")
    old = Preference.objects.get(user=learner).calendar_token

    post_form(browser, "/settings/", action="/settings/calendar")

    new = Preference.objects.get(user=learner).calendar_token
    assert new != old
    assert new in browser.get("/settings/").content.decode()
    assert browser.get(f"/api/v1/calendar/{old}.ics").status_code == 404


def test_devices_and_sessions_are_listed_and_revoked(learner):
    device = Device.objects.create(user=learner, token="t" * 40, platform="android", name="Pixel")
    user_login(user=learner, user_agent="CareerHub Android 2.1")
    session = LoginSession.objects.get(user=learner)
    browser = browser_for(learner)

    page = browser.get("/settings/").content.decode()
    post_form(browser, "/settings/", action=f"/settings/devices/{device.pk}/forget")
    post_form(browser, "/settings/", action=f"/settings/sessions/{session.pk}/revoke")

    assert "Pixel" in page
    assert "CareerHub Android 2.1" in page
    assert not Device.objects.filter(pk=device.pk).exists()
    assert LoginSession.objects.get(pk=session.pk).revoked_at is not None


def test_the_data_export_is_prepared_and_downloaded(
    learner, eager_tasks, django_capture_on_commit_callbacks, media_root
):
    browser = browser_for(learner)

    with django_capture_on_commit_callbacks(execute=True):
        post_form(browser, "/settings/", action="/settings/export")
    page = browser.get("/settings/").content.decode()
    export = DataExport.objects.get(user=learner)
    link = f"/settings/export/{export.pk}/download?token="
    token = page.split(link)[1].split('"')[0]
    download = browser.get(link + token)

    assert export.state == DataExport.State.READY
    assert download["Content-Disposition"] == f'attachment; filename="careerhub-export-{export.pk}.json"'
    assert b'"profile"' in b"".join(download.streaming_content)
    assert browser.get(link + "forged").status_code == 404
    assert browser_for(UserFactory()).get(link + token).status_code == 404


def test_deleting_the_account_needs_the_password(learner):
    browser = browser_for(learner)

    wrong = post_form(browser, "/settings/", action="/settings/delete", password="not it")
    deleted = post_form(browser, "/settings/", action="/settings/delete", password=PASSWORD)

    assert wrong.status_code == 400
    assert "The password is wrong." in wrong.content.decode()
    assert deleted["Location"] == "/"
    assert not User.objects.filter(pk=learner.pk).exists()
