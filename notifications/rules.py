"""The reminder rules: default channels per kind, users' preferences with their defaults, and
local times (preferred hour, digest weekday, quiet hours) turned into instants."""

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings

from notifications.models import Channel, Kind, Preference

_ALL = {Channel.INBOX: True, Channel.EMAIL: True, Channel.PUSH: True}

# What each kind sends where unless the user says otherwise.
DEFAULT_CHANNELS: dict[str, dict[str, bool]] = {
    Kind.TARGET_SOON: _ALL,
    Kind.OVERDUE: _ALL,
    Kind.INACTIVITY: {Channel.INBOX: True, Channel.EMAIL: False, Channel.PUSH: True},
    Kind.LEARNER_DIGEST: {Channel.INBOX: True, Channel.EMAIL: True, Channel.PUSH: False},
    Kind.MENTOR_DIGEST: {Channel.INBOX: True, Channel.EMAIL: True, Channel.PUSH: False},
    Kind.REVIEW_REQUESTED: _ALL,
    Kind.REVIEW_DECIDED: _ALL,
    Kind.MENTORSHIP_INVITATION: _ALL,
    Kind.REVIEW_WAITING: _ALL,
}

# Sent as soon as they happen, outside the preferred hour (never inside quiet hours).
URGENT_KINDS = frozenset({Kind.REVIEW_DECIDED})


def config(name: str):
    return settings.NOTIFICATIONS[name]


@dataclass(frozen=True)
class Prefs:
    """A user's preferences, defaults filled in."""

    time_zone: zoneinfo.ZoneInfo
    preferred_hour: int
    digest_weekday: int
    quiet_start: int | None
    quiet_end: int | None
    daily_cap: int
    channels: dict

    def channel_on(self, kind: str, channel: str) -> bool:
        return bool(self.channels.get(kind, {}).get(channel, DEFAULT_CHANNELS[kind][channel]))

    def enabled_channels(self, kind: str) -> list[str]:
        return [channel for channel in Channel.values if self.channel_on(kind, channel)]

    def local(self, instant: datetime) -> datetime:
        return instant.astimezone(self.time_zone)

    def at(self, day: date, hour: int) -> datetime:
        return local_at(day, hour, self.time_zone)

    def next_preferred(self, now: datetime) -> datetime:
        """The first preferred hour at or after ``now``."""
        today = self.local(now).date()
        slot = self.at(today, self.preferred_hour)
        return slot if slot >= now else self.at(today + timedelta(days=1), self.preferred_hour)

    def in_quiet_hours(self, instant: datetime) -> bool:
        if self.quiet_start is None or self.quiet_start == self.quiet_end:
            return False
        hour = self.local(instant).hour
        if self.quiet_start < self.quiet_end:
            return self.quiet_start <= hour < self.quiet_end
        return hour >= self.quiet_start or hour < self.quiet_end

    def quiet_hours_end(self, instant: datetime) -> datetime:
        """The end of the quiet hours ``instant`` falls in."""
        day = self.local(instant).date()
        end = self.at(day, self.quiet_end)
        return end if end > instant else self.at(day + timedelta(days=1), self.quiet_end)


def preference_defaults() -> dict[str, int]:
    """What a user without a preference row has, to store in a new row."""
    return {
        "preferred_hour": config("PREFERRED_HOUR"),
        "digest_weekday": config("DIGEST_WEEKDAY"),
        "daily_cap": config("DAILY_CAP"),
    }


def prefs_of(time_zone: str, preference: Preference | None = None) -> Prefs:
    """A user's preferences from their time zone and their row (``None``: the defaults)."""
    return Prefs(
        time_zone=zoneinfo.ZoneInfo(time_zone),
        preferred_hour=preference.preferred_hour if preference else config("PREFERRED_HOUR"),
        digest_weekday=preference.digest_weekday if preference else config("DIGEST_WEEKDAY"),
        quiet_start=preference.quiet_start if preference else None,
        quiet_end=preference.quiet_end if preference else None,
        daily_cap=preference.daily_cap if preference else config("DAILY_CAP"),
        channels=preference.channels if preference else {},
    )


def loaded_prefs(user) -> Prefs:
    """For a user fetched with ``select_related("notification_preference")``."""
    try:
        preference = user.notification_preference
    except Preference.DoesNotExist:
        preference = None
    return prefs_of(user.time_zone, preference)


def local_at(day: date, hour: int, tz: zoneinfo.ZoneInfo) -> datetime:
    """The instant (UTC) of ``hour`` o'clock on a local ``day``.

    A repeated hour (clocks going back) is its first occurrence; an hour that does not exist
    (clocks going forward) is read with the offset before the change, landing just after the
    gap (02:30 becomes 03:30 summer time). Either way one local day has one such instant.
    """
    return datetime.combine(day, time(hour), tzinfo=tz).astimezone(UTC)


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
