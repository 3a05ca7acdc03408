"""Reads of a learner's own roadmaps. Access is decided here: another user's object is a 404."""

import functools
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import Mentorship, User
from accounts.selectors import active_mentorship_of, mentees_of
from careerhub.converters import BIGINT_MAX
from careerhub.pagination import Window
from careerhub.sql import Columns, prepared_cursor
from roadmaps.models import CareerPath, Milestone, MilestoneTemplate, PathSkill, ProgressEntry, Roadmap, Skill
from roadmaps.selectors.stats import EntryLog, Stats, counted_logged_at_sql, learner_today, stats_from

State = Milestone.State


def roadmap_list(*, user: User) -> QuerySet[Roadmap]:
    return (
        Roadmap.objects.filter(learner=user)
        .select_related("path")
        .annotate(
            milestones_total=Count("milestones", filter=~Q(milestones__state=State.SKIPPED)),
            milestones_done=Count("milestones", filter=Q(milestones__state=State.DONE)),
        )
    )


def visible_to(user: User, learner_field: str) -> Q:
    """The learner's own rows, and those of learners the user actively mentors."""
    mentoring = active_mentorship_of(mentor=user, learner_ref=OuterRef(learner_field))
    return Q(**{learner_field: user}) | Q(Exists(mentoring))


def _ensure_may_change(owner_id: int, user: User) -> None:
    if owner_id != user.pk:  # a mentor: reads, never writes
        raise PermissionDenied("Mentors can read their mentees' roadmaps; only the learner can change them.")


def roadmap_visible_list(*, user: User) -> QuerySet[Roadmap]:
    """The user's roadmaps and those of learners they actively mentor."""
    return (
        Roadmap.objects.filter(visible_to(user, "learner"))
        .select_related("path", "learner")
        .annotate(
            milestones_total=Count("milestones", filter=~Q(milestones__state=State.SKIPPED)),
            milestones_done=Count("milestones", filter=Q(milestones__state=State.DONE)),
        )
    )


def _get_visible(
    queryset: QuerySet, *, user: User, pk: int, learner_field: str, related: tuple[str, ...] = ()
) -> tuple[Any, bool]:
    """(row, own): the row ``pk`` of ``queryset`` if ``user`` may see it, else 404.

    Most reads are of one's own data, and one plain query finds those; only when it finds nothing
    does the query with the mentoring check run (a mentor reading a mentee's, or a 404).
    """
    own = list(queryset.filter(pk=pk, **{learner_field: user})[:1])
    if own:
        return own[0], True
    visible = queryset.filter(visible_to(user, learner_field)).select_related(*related)
    return get_object_or_404(visible, pk=pk), False


# The roadmap row with what its representation and ETag need of the path and the learner, if the user
# may see it: their own, or an actively mentored learner's. One statement of plain SQL: every request
# on a roadmap starts here, and the ORM would spend longer building it than PostgreSQL running it.
_ROADMAP = Columns(
    Roadmap, ("id", "learner_id", "path_id", "catalog_version", "status", "created_at", "updated_at"), "r"
)
_PATH = Columns(CareerPath, ("id", "slug", "title", "version"), "p")
_MENTEE = Columns(User, ("id", "time_zone"), "u")
_ROADMAP_SQL = """
    SELECT {roadmap}, {path}, {learner}{extra}
    FROM {roadmap_table} r
    JOIN {path_table} p ON p.id = r.path_id
    JOIN {user_table} u ON u.id = r.learner_id
    WHERE r.id = %(roadmap)s AND (
        r.learner_id = %(user)s
        OR EXISTS (
            SELECT 1 FROM {mentorship_table} ms
            WHERE ms.mentor_id = %(user)s AND ms.learner_id = r.learner_id AND ms.state = %(active)s
        )
    )
"""
# What the ETag follows besides the roadmap's own row: its milestones (how many, and the latest
# ``updated_at``: every write of a milestone sets it, a reorder too) and its entries (how many, and the
# latest written: they are only ever added).
_VERSION_COLUMNS = """
    (SELECT COUNT(*) FROM {milestone_table} WHERE roadmap_id = r.id),
    (SELECT MAX(updated_at) FROM {milestone_table} WHERE roadmap_id = r.id),
    (SELECT COUNT(*) FROM {entry_table} e JOIN {milestone_table} m ON m.id = e.milestone_id WHERE m.roadmap_id = r.id),
    (SELECT MAX(e.created_at) FROM {entry_table} e JOIN {milestone_table} m ON m.id = e.milestone_id
        WHERE m.roadmap_id = r.id)
"""
# A roadmap's log by the learner's local day: minutes, entries and the latest written, a row a day.
_LOG_DAYS_SQL = """
    SELECT {day} AS day, SUM(e.minutes) AS minutes, COUNT(*) AS n, MAX(e.created_at) AS last
    FROM {entry_table} e JOIN {milestone_table} m ON m.id = e.milestone_id
    WHERE m.roadmap_id = {roadmap}
    GROUP BY 1
"""
# The log as JSON in the roadmap's statement: the roadmap detail then costs one query less. PostgreSQL
# only, for the day is taken in the time zone the statement reads.
_LOG_JSON_COLUMN = "(SELECT json_agg(json_build_array(d.day, d.minutes, d.n, d.last)) FROM ({days}) d)"


@functools.cache
def _tables() -> dict[str, str]:
    return {
        "roadmap_table": Roadmap._meta.db_table,
        "path_table": CareerPath._meta.db_table,
        "user_table": User._meta.db_table,
        "mentorship_table": Mentorship._meta.db_table,
        "milestone_table": Milestone._meta.db_table,
        "link_table": Milestone.skills.through._meta.db_table,
        "skill_table": Skill._meta.db_table,
        "entry_table": ProgressEntry._meta.db_table,
    }


RoadmapVersion = tuple[int, datetime | None, int, datetime | None]


@functools.cache
def _roadmap_sql(*, extra: str) -> str:
    tables = _tables()
    columns = {
        "": "",
        "version": _VERSION_COLUMNS.format(**tables),
        "log": _LOG_JSON_COLUMN.format(
            days=_LOG_DAYS_SQL.format(
                day=f"({counted_logged_at_sql('e.logged_at')} AT TIME ZONE u.time_zone)::date",
                roadmap="r.id",
                **tables,
            )
        ),
    }[extra]
    return _ROADMAP_SQL.format(
        roadmap=_ROADMAP.sql,
        path=_PATH.sql,
        learner=_MENTEE.sql,
        extra=f", {columns}" if columns else "",
        **tables,
    )


def _roadmap_read(*, user: User, roadmap_id: int, extra: str = "") -> tuple[Roadmap, tuple]:
    """The roadmap (its path and learner loaded), and the values the ``extra`` columns answered."""
    if not 0 < roadmap_id <= BIGINT_MAX:  # the URLs' ids are checked so; other callers too
        raise Http404
    with prepared_cursor() as cursor:
        cursor.execute(
            _roadmap_sql(extra=extra),
            {"roadmap": roadmap_id, "user": user.pk, "active": Mentorship.State.ACTIVE},
        )
        row = cursor.fetchone()
    if row is None:
        raise Http404
    roadmap = _ROADMAP.instance(row)
    row = row[len(_ROADMAP.names) :]
    roadmap.path = _PATH.instance(row)
    row = row[len(_PATH.names) :]
    # Their own: the user authentication loaded. A mentee: what the representation needs, the rest on demand.
    roadmap.learner = user if roadmap.learner_id == user.pk else _MENTEE.instance(row)
    return roadmap, row[len(_MENTEE.names) :]


def roadmap_get(*, user: User, roadmap_id: int, write: bool = False) -> Roadmap:
    """The roadmap (its path and learner loaded) if ``user`` may see it (404 otherwise); with ``write``,
    403 unless it is theirs. One query."""
    roadmap, _ = _roadmap_read(user=user, roadmap_id=roadmap_id)
    if write:
        _ensure_may_change(roadmap.learner_id, user)
    return roadmap


def roadmap_get_versioned(*, user: User, roadmap_id: int) -> tuple[Roadmap, RoadmapVersion]:
    """``roadmap_get`` with ``roadmap_version``, in one query: all that a 304 on the roadmap costs."""
    roadmap, (milestone_count, changed_at, entry_count, last_entry_at) = _roadmap_read(
        user=user, roadmap_id=roadmap_id, extra="version"
    )
    return roadmap, (milestone_count, _aware(changed_at), entry_count, _aware(last_entry_at))


def roadmap_get_with_log(*, user: User, roadmap_id: int) -> tuple[Roadmap, EntryLog | None]:
    """``roadmap_get`` with the roadmap's log by the learner's local day, in one query on PostgreSQL
    (elsewhere the log is ``None``, and ``roadmap_detail`` reads it)."""
    if connection.vendor != "postgresql":
        return roadmap_get(user=user, roadmap_id=roadmap_id), None
    roadmap, (days,) = _roadmap_read(user=user, roadmap_id=roadmap_id, extra="log")
    # [day, minutes, entries, last written] with JSON's texts for the dates (psycopg decodes json columns)
    days = (json.loads(days) if isinstance(days, str) else days) or []
    return roadmap, EntryLog(
        daily={date.fromisoformat(day): minutes for day, minutes, _, _ in days},
        count=sum(n for _, _, n, _ in days),
        last_created_at=max((datetime.fromisoformat(last) for _, _, _, last in days), default=None),
    )


def mentee_roadmap_list(*, mentor: User, learner_id: int) -> QuerySet[Roadmap]:
    if not mentees_of(mentor=mentor).filter(pk=learner_id).exists():
        raise Http404
    return roadmap_list(user=User(pk=learner_id))


def milestone_queryset() -> QuerySet[Milestone]:
    return Milestone.objects.select_related("roadmap").prefetch_related(
        Prefetch("skills", queryset=Skill.objects.order_by("slug").only("slug"))
    )


# What a milestone's representation shows, read as plain rows (roadmaps.apis.representation).
MILESTONE_VALUES = (
    "id",
    "roadmap_id",
    "slug",
    "position",
    "stage_slug",
    "stage_title",
    "kind",
    "title",
    "description",
    "estimated_hours",
    "evidence_kind",
    "acceptance_criteria",
    "is_custom",
    "retired_from_catalog",
    "state",
    "skip_reason",
    "target_date",
    "evidence_url",
    "credential_id",
    "credential_date",
    "completed_at",
    "self_attested",
    "logged_minutes",
    "created_at",
    "updated_at",
)


def milestone_skills(rows: list[dict]) -> list[dict]:
    """Add ``skills`` (slugs, in order) to milestone rows: one query, whatever the number of rows."""
    by_milestone: dict[int, list[str]] = {row["id"]: [] for row in rows}
    if by_milestone:
        links = (
            Milestone.skills.through.objects.filter(milestone_id__in=list(by_milestone))
            .order_by("skill__slug")
            .values_list("milestone_id", "skill__slug")
        )
        for milestone_id, slug in links:
            by_milestone[milestone_id].append(slug)
    for row in rows:
        row["skills"] = by_milestone[row["id"]]
    return rows


@dataclass
class RoadmapDetail:
    milestones: list[dict]  # rows of MILESTONE_VALUES with their skills, in plan order
    log: EntryLog
    stats: Stats


# A roadmap's milestones (MILESTONE_VALUES) with their skills' slugs, in plan order, and its log by the
# learner's local day: plain SQL (see careerhub.sql).
_MILESTONE = Columns(Milestone, MILESTONE_VALUES, "m")
_MILESTONE_ROWS_SQL = """
    SELECT {columns}, {skills}
    FROM {milestone_table} m
    WHERE m.roadmap_id = %(roadmap)s
    ORDER BY m.position, m.id
"""
_SKILLS_SQL = """
    SELECT s.slug FROM {link_table} ms JOIN {skill_table} s ON s.id = ms.skill_id
    WHERE ms.milestone_id = m.id ORDER BY s.slug
"""


def _slugs(subquery: str, vendor: str) -> str:
    """The subquery's values as one column: an array on PostgreSQL, a JSON array elsewhere."""
    if vendor == "postgresql":
        return f"ARRAY({subquery})"
    return f"(SELECT json_group_array(slug) FROM ({subquery}))"


@functools.cache
def _milestone_rows_sql(vendor: str) -> str:
    tables = _tables()
    return _MILESTONE_ROWS_SQL.format(
        columns=_MILESTONE.sql, skills=_slugs(_SKILLS_SQL.format(**tables), vendor), **tables
    )


def _log_sql(time_zone: str) -> tuple[str, tuple]:
    day, params = connection.ops.datetime_cast_date_sql(counted_logged_at_sql("e.logged_at"), (), time_zone)
    return _LOG_DAYS_SQL.format(day=day, roadmap="%s", **_tables()), params


def _milestone_rows(roadmap: Roadmap) -> list[dict]:
    with prepared_cursor() as cursor:
        cursor.execute(_milestone_rows_sql(connection.vendor), {"roadmap": roadmap.pk})
        records = cursor.fetchall()
    rows = _MILESTONE.dicts(records)
    for row, values in zip(rows, records, strict=True):
        skills = values[-1]
        row["skills"] = json.loads(skills) if isinstance(skills, str) else skills
    return rows


def _entry_log(roadmap: Roadmap, time_zone: str) -> EntryLog:
    log_sql, log_params = _log_sql(time_zone)
    with prepared_cursor() as cursor:
        cursor.execute(log_sql, (*log_params, roadmap.pk))
        days = cursor.fetchall()
    return EntryLog(
        daily={_date(day): minutes for day, minutes, _, _ in days},
        count=sum(n for _, _, n, _ in days),
        last_created_at=max((_aware(last) for _, _, _, last in days), default=None),
    )


def roadmap_detail(*, roadmap: Roadmap, log: EntryLog | None = None, now: datetime | None = None) -> RoadmapDetail:
    """Milestones and stats of a roadmap from ``roadmap_get``: one query for the milestones with their
    skills, and one for the log by local day unless given (``roadmap_get_with_log``); the stats take
    the milestone rows already in hand."""
    learner = roadmap.learner
    rows = _milestone_rows(roadmap)
    if log is None:
        log = _entry_log(roadmap, learner.time_zone)
    skills_built = len({slug for row in rows if row["state"] == State.DONE for slug in row["skills"]})
    stats = stats_from(
        learner=learner,
        rows=rows,
        daily=log.daily,
        skills_built=skills_built,
        since=learner_today(learner, now=roadmap.created_at),
        today=learner_today(learner, now=now),
        pace_goal=None,  # the weekly goal is for all of the learner's roadmaps together
    )
    return RoadmapDetail(milestones=rows, log=log, stats=stats)


def _date(value: date | str) -> date:
    """A date from raw SQL as the ORM gives it: SQLite answers text."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _aware(value: datetime | str | None) -> datetime | None:
    """A timestamp from raw SQL as the ORM gives it: SQLite answers text, naive UTC."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def roadmap_version(*, roadmap: Roadmap) -> RoadmapVersion:
    """What the roadmap's ETag follows besides its own row (``_VERSION_COLUMNS``), without the
    roadmap's read: one statement."""
    tables = _tables()
    with prepared_cursor() as cursor:
        cursor.execute(
            f"SELECT {_VERSION_COLUMNS.format(**tables)} FROM {tables['roadmap_table']} r WHERE r.id = %s",
            [roadmap.pk],
        )
        milestone_count, changed_at, entry_count, last_entry_at = cursor.fetchone()
    return milestone_count, _aware(changed_at), entry_count, _aware(last_entry_at)


def milestone_list(*, roadmap: Roadmap) -> QuerySet[Milestone]:
    """The roadmap's milestones, for plain rows (``values(*MILESTONE_VALUES)`` and ``milestone_skills``)."""
    return Milestone.objects.filter(roadmap=roadmap)


def milestone_page_rows(
    *, user: User, roadmap_id: int, window: Window, among: QuerySet[Milestone] | None = None
) -> list[dict]:
    """A page of the roadmap's milestones in plan order (``position``, ``id``) as rows of
    ``MILESTONE_VALUES`` with their skills, if ``user`` may see the roadmap (404 otherwise); with
    ``among`` (a filtered queryset of milestones), only those.

    On PostgreSQL the learner's own roadmap costs one statement of plain SQL (the access check, the
    rows and their skills): a phone lists its milestones often, and building the queries with the ORM
    would cost more than running them. A mentor's read (or a 404) takes the full access check first.
    """
    if connection.vendor != "postgresql":
        return _milestone_page_orm(user=user, roadmap_id=roadmap_id, window=window, among=among)
    rows = _milestone_page_sql(roadmap_id=roadmap_id, learner_id=user.pk, window=window, among=among)
    if rows is None:  # not the user's own roadmap
        roadmap_get(user=user, roadmap_id=roadmap_id)
        rows = _milestone_page_sql(roadmap_id=roadmap_id, learner_id=None, window=window, among=among)
    if rows is None:  # deleted in between
        raise Http404
    return rows


def _milestone_page_orm(
    *, user: User, roadmap_id: int, window: Window, among: QuerySet[Milestone] | None
) -> list[dict]:
    """``milestone_page_rows`` with the ORM, on the other databases (the SQLite demo)."""
    milestones = milestone_list(roadmap=roadmap_get(user=user, roadmap_id=roadmap_id))
    if among is not None:
        milestones = milestones.filter(pk__in=among.values("pk"))
    if window.after is not None:
        milestones = milestones.filter(position__gt=window.after)
    if window.before is not None:
        milestones = milestones.filter(position__lt=window.before)
    order = ("-position", "-id") if window.descending else ("position", "id")
    page = milestones.order_by(*order).values(*MILESTONE_VALUES)[window.offset : window.offset + window.limit]
    return milestone_skills(list(page))


@functools.cache
def _milestone_page_select() -> str:
    """The page's statement, less its conditions and order (built once: the names do not change): the
    detail's columns and skills (``_MILESTONE``, ``_SKILLS_SQL``).

    The LATERAL join answers one row of NULLs for a roadmap without (matching) milestones, and no
    row for one that is not there (or not the learner's)."""
    tables = _tables()
    return f"""
        SELECT page.* FROM {tables["roadmap_table"]} r
        LEFT JOIN LATERAL (
            SELECT {_MILESTONE.sql}, {_slugs(_SKILLS_SQL.format(**tables), "postgresql")}
            FROM {tables["milestone_table"]} m
            WHERE m.roadmap_id = r.id {{milestones}}
            ORDER BY m.position {{order}}, m.id {{order}}
            LIMIT %s OFFSET %s
        ) page ON TRUE
        WHERE r.id = %s {{roadmap}}
    """


def _milestone_page_sql(
    *, roadmap_id: int, learner_id: int | None, window: Window, among: QuerySet[Milestone] | None
) -> list[dict] | None:
    """The rows of ``milestone_page_rows``, or None when there is no roadmap ``roadmap_id`` (of
    ``learner_id``, if given)."""
    milestones, params = [], []
    if among is not None:
        among_sql, among_params = among.order_by().values("pk").query.sql_with_params()
        milestones.append(f"AND m.id IN ({among_sql})")
        params.extend(among_params)
    if window.after is not None:
        milestones.append("AND m.position > %s")
        params.append(window.after)
    if window.before is not None:
        milestones.append("AND m.position < %s")
        params.append(window.before)
    params.extend([window.limit, window.offset, roadmap_id])
    if learner_id is not None:
        params.append(learner_id)
    sql = _milestone_page_select().format(
        milestones=" ".join(milestones),
        order="DESC" if window.descending else "ASC",
        roadmap="AND r.learner_id = %s" if learner_id is not None else "",
    )
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    if not found:
        return None
    records = [values for values in found if values[0] is not None]
    rows = _MILESTONE.dicts(records)
    for row, values in zip(rows, records, strict=True):
        row["skills"] = values[-1]
    return rows


def milestone_get(*, user: User, milestone_id: int, write: bool = False) -> Milestone:
    """The milestone if ``user`` may see it (404 otherwise); with ``write``, 403 unless it is theirs."""
    # A write answers with a fresh read, so it needs neither the skills nor anything else here.
    queryset = Milestone.objects.select_related("roadmap") if write else milestone_queryset()
    milestone, _ = _get_visible(queryset, user=user, pk=milestone_id, learner_field="roadmap__learner")
    if write:
        _ensure_may_change(milestone.roadmap.learner_id, user)
    return milestone


def progress_entry_list(*, milestone: Milestone) -> QuerySet[ProgressEntry]:
    return ProgressEntry.objects.filter(milestone=milestone)


def skill_gap(*, user: User, path: CareerPath) -> dict[str, Any]:
    """The skills ``path`` requires, split into those the learner has built (any roadmap) and the rest."""
    required = list(PathSkill.objects.filter(path=path).select_related("skill").order_by("order", "id"))
    done = (
        Milestone.objects.filter(roadmap__learner=user, state=State.DONE)
        .select_related("roadmap__path")
        .prefetch_related(Prefetch("skills", queryset=Skill.objects.only("id")))
        .order_by("completed_at", "id")
    )
    earned: dict[int, list[Milestone]] = {}
    for milestone in done:
        for skill in milestone.skills.all():
            earned.setdefault(skill.pk, []).append(milestone)
    missing_ids = [ps.skill_id for ps in required if ps.skill_id not in earned]
    builders: dict[int, list[MilestoneTemplate]] = {}
    links = (
        MilestoneTemplate.skills.through.objects.filter(
            milestonetemplate__path=path, milestonetemplate__retired=False, skill_id__in=missing_ids
        )
        .select_related("milestonetemplate__stage")
        .order_by("milestonetemplate__stage__order", "milestonetemplate__order")
    )
    for link in links:
        builders.setdefault(link.skill_id, []).append(link.milestonetemplate)
    return {
        "path": path,
        "have": [
            {"skill": ps.skill, "group": ps.group, "earned_from": earned[ps.skill_id]}
            for ps in required
            if ps.skill_id in earned
        ],
        "missing": [
            {"skill": ps.skill, "group": ps.group, "milestones": builders.get(ps.skill_id, [])}
            for ps in required
            if ps.skill_id not in earned
        ],
        "coverage_percent": round(100 * (len(required) - len(missing_ids)) / len(required), 1) if required else 0.0,
    }
