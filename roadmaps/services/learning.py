"""Writes on a learner's own roadmaps: enrolment, planning, states and the progress log."""

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from rest_framework import status

from accounts.models import User
from accounts.selectors import has_active_mentor
from accounts.services import changes_insert_sql, changes_record
from careerhub.db import insert_columns, insert_statement, update_statement
from careerhub.exceptions import ApplicationError
from careerhub.services import fields_assign
from careerhub.sql import prepared_cursor
from roadmaps.models import CareerPath, Milestone, MilestoneTemplate, ProgressEntry, Roadmap, Skill
from roadmaps.selectors.learning import milestone_get
from roadmaps.selectors.stats import learner_today

State = Milestone.State
Kind = MilestoneTemplate.Kind

# Which states a learner may move a milestone to, by the state it is in. Reviews (in review,
# changes requested, approval) are the mentors' workflow and are not reachable from here.
LEARNER_TRANSITIONS: dict[str, frozenset[str]] = {
    State.NOT_STARTED: frozenset({State.IN_PROGRESS}),
    State.IN_PROGRESS: frozenset({State.DONE}),
    State.CHANGES_REQUESTED: frozenset({State.IN_PROGRESS}),
    State.DONE: frozenset({State.IN_PROGRESS}),  # reopened: a correction
    State.IN_REVIEW: frozenset(),
    State.SKIPPED: frozenset(),  # un-skip instead
}
SKIPPABLE = frozenset({State.NOT_STARTED, State.IN_PROGRESS, State.CHANGES_REQUESTED})
CLOCK_SKEW = timedelta(minutes=5)
TEMPLATE_TEXT_FIELDS = ("kind", "title", "description", "estimated_hours", "acceptance_criteria")


def changed(owner_id: int, *, deleted: bool = False, **ids_by_entity) -> None:
    """Record for delta sync that these objects of ``owner_id`` changed (or were deleted)."""
    changes_record(owner_id=owner_id, ids_by_entity=ids_by_entity, deleted=deleted)


def conflict(code: str, message: str, **extra: Any) -> ApplicationError:
    return ApplicationError(message, code=code, status_code=status.HTTP_409_CONFLICT, extra=extra)


def illegal_transition(milestone: Milestone, to: str, *, allowed, action: str) -> ApplicationError:
    """The 409 for a state change the rules do not allow; names the states that are allowed."""
    return conflict(
        "illegal_transition",
        f"A milestone that is {milestone.get_state_display().lower()} cannot {action}.",
        **{"from": milestone.state, "to": to, "allowed": sorted(allowed)},
    )


def ensure_writable(roadmap: Roadmap) -> None:
    if roadmap.status == Roadmap.Status.ARCHIVED:
        raise conflict("roadmap_archived", "This roadmap is archived; make it active again to change it.")


def _milestone_from_template(roadmap: Roadmap, template: MilestoneTemplate, *, position: int) -> Milestone:
    return Milestone(
        roadmap=roadmap,
        template=template,
        slug=template.slug,
        position=position,
        stage_slug=template.stage.slug,
        stage_title=template.stage.title,
        evidence_kind=template.evidence,
        **{name: getattr(template, name) for name in TEMPLATE_TEXT_FIELDS},
    )


def _live_templates(path: CareerPath) -> list[MilestoneTemplate]:
    return list(
        path.milestones.filter(retired=False)
        .select_related("stage")
        .prefetch_related("skills")
        .order_by("stage__order", "order", "id")
    )


def _copy_skills(pairs: list[tuple[Milestone, MilestoneTemplate]]) -> None:
    through = Milestone.skills.through
    through.objects.filter(milestone__in=[milestone for milestone, _ in pairs]).delete()
    through.objects.bulk_create(
        through(milestone=milestone, skill=skill) for milestone, template in pairs for skill in template.skills.all()
    )


@transaction.atomic
def roadmap_enroll(*, learner: User, path: CareerPath) -> tuple[Roadmap, bool]:
    """The learner's roadmap on ``path``: the existing one (made active again), or a new copy."""
    existing = Roadmap.objects.select_for_update().filter(learner=learner, path=path).first()
    if existing is None:
        try:
            with transaction.atomic():
                roadmap = Roadmap.objects.create(learner=learner, path=path, catalog_version=path.version)
        except IntegrityError:  # a concurrent request enrolled first
            existing = Roadmap.objects.select_for_update().get(learner=learner, path=path)
        else:
            templates = _live_templates(path)
            milestones = Milestone.objects.bulk_create(
                _milestone_from_template(roadmap, template, position=index) for index, template in enumerate(templates)
            )
            _copy_skills(list(zip(milestones, templates, strict=True)))
            changed(learner.pk, roadmap=[roadmap.pk], milestone=[m.pk for m in milestones])
            return roadmap, True
    if existing.status == Roadmap.Status.ARCHIVED:
        existing.status = Roadmap.Status.ACTIVE
        existing.save(update_fields=["status", "updated_at"])
        changed(learner.pk, roadmap=[existing.pk])
    return existing, False


def _has_progress(milestone: Milestone, with_entries: set[int]) -> bool:
    return (
        milestone.state != State.NOT_STARTED
        or milestone.id in with_entries
        or bool(milestone.note or milestone.target_date or milestone.evidence_url)
    )


@transaction.atomic
def roadmap_upgrade(*, roadmap: Roadmap) -> Roadmap:
    """Bring the roadmap to the path's current catalog version, keeping all progress by slug.

    Texts of catalog milestones are refreshed; new milestones are placed after their catalog
    predecessor; milestones the catalog dropped are removed only if the learner never touched
    them, and otherwise kept and marked as retired from the catalog.
    """
    roadmap = Roadmap.objects.select_for_update(of=("self",)).select_related("path").get(pk=roadmap.pk)
    ensure_writable(roadmap)
    path = roadmap.path
    if roadmap.catalog_version >= path.version:
        return roadmap

    templates = _live_templates(path)
    mine = list(roadmap.milestones.order_by("position", "id"))
    by_slug = {milestone.slug: milestone for milestone in mine}
    live_slugs = {template.slug for template in templates}
    with_entries = set(
        ProgressEntry.objects.filter(milestone__roadmap=roadmap).values_list("milestone_id", flat=True).distinct()
    )

    untouched_dropped = [
        m for m in mine if not m.is_custom and m.slug not in live_slugs and not _has_progress(m, with_entries)
    ]
    changed(roadmap.learner_id, deleted=True, milestone=[m.pk for m in untouched_dropped])
    Milestone.objects.filter(pk__in=[m.pk for m in untouched_dropped]).delete()
    mine = [m for m in mine if m not in untouched_dropped]
    for milestone in mine:
        if not milestone.is_custom and milestone.slug not in live_slugs:
            milestone.retired_from_catalog = True

    synced: list[tuple[Milestone, MilestoneTemplate]] = []
    previous_slug = None
    for template in templates:
        milestone = by_slug.get(template.slug)
        if milestone is None:
            milestone = _milestone_from_template(roadmap, template, position=0)
            after = next((i for i, m in enumerate(mine) if m.slug == previous_slug), -1)
            mine.insert(after + 1, milestone)
        else:
            for name in TEMPLATE_TEXT_FIELDS:
                setattr(milestone, name, getattr(template, name))
            milestone.template = template
            milestone.stage_slug, milestone.stage_title = template.stage.slug, template.stage.title
            milestone.evidence_kind = template.evidence
            milestone.retired_from_catalog = False
        synced.append((milestone, template))
        previous_slug = template.slug

    for position, milestone in enumerate(mine):
        milestone.position = position
    Milestone.objects.bulk_create([m for m in mine if m.pk is None])
    Milestone.objects.bulk_update(
        [m for m in mine if m.pk is not None],
        [
            "position",
            "template",
            "stage_slug",
            "stage_title",
            "evidence_kind",
            "retired_from_catalog",
            *TEMPLATE_TEXT_FIELDS,
        ],
    )
    _copy_skills(synced)
    roadmap.catalog_version = path.version
    roadmap.save(update_fields=["catalog_version", "updated_at"])
    changed(roadmap.learner_id, roadmap=[roadmap.pk], milestone=[m.pk for m in mine])
    return roadmap


def roadmap_set_status(*, roadmap: Roadmap, status: str) -> Roadmap:
    if roadmap.status != status:
        roadmap.status = status
        roadmap.save(update_fields=["status", "updated_at"])
        changed(roadmap.learner_id, roadmap=[roadmap.pk])
    return roadmap


@transaction.atomic
def roadmap_reorder(*, roadmap: Roadmap, milestone_ids: list[int]) -> None:
    """Put the roadmap's milestones in the given order; the list must name each exactly once."""
    ensure_writable(roadmap)
    milestones = {m.pk: m for m in Milestone.objects.select_for_update().filter(roadmap=roadmap)}
    if len(milestone_ids) != len(set(milestone_ids)) or set(milestone_ids) != set(milestones):
        raise ApplicationError(
            "Send every milestone of the roadmap exactly once, in the new order.",
            code="order_mismatch",
            extra={"expected": len(milestones), "received": len(milestone_ids)},
        )
    moved = []
    now = timezone.now()
    for position, milestone_id in enumerate(milestone_ids):
        milestone = milestones[milestone_id]
        if milestone.position != position:
            milestone.position = position
            milestone.updated_at = now  # its place in the plan changed: the roadmap's ETag follows updated_at
            moved.append(milestone)
    Milestone.objects.bulk_update(moved, ["position", "updated_at"])
    changed(roadmap.learner_id, milestone=[m.pk for m in moved])


@transaction.atomic
def milestone_create_custom(
    *,
    roadmap: Roadmap,
    title: str,
    kind: str,
    estimated_hours: int,
    description: str = "",
    target_date: date | None = None,
    skills: list[Skill] | None = None,
) -> Milestone:
    ensure_writable(roadmap)
    if target_date is not None and target_date < learner_today(roadmap.learner):
        raise ValidationError({"target_date": [ValidationError(PAST_TARGET, code="invalid")]})
    Roadmap.objects.select_for_update().get(pk=roadmap.pk)  # serialises the choice of position
    last = roadmap.milestones.aggregate(last=Max("position"))["last"]
    evidence = {Kind.CERTIFICATION: "credential", Kind.PROJECT: "repository"}.get(kind, "none")
    milestone = Milestone.objects.create(
        roadmap=roadmap,
        slug=f"custom-{uuid.uuid4().hex[:12]}",
        is_custom=True,
        position=0 if last is None else last + 1,
        stage_slug="custom",
        stage_title="My own milestones",
        kind=kind,
        title=title,
        description=description,
        estimated_hours=estimated_hours,
        evidence_kind=evidence,
        target_date=target_date,
    )
    if skills:
        milestone.skills.set(skills)
    changed(roadmap.learner_id, roadmap=[roadmap.pk], milestone=[milestone.pk])
    return milestone


PAST_TARGET = "A target date cannot be in the past."
CUSTOM_ONLY_FIELDS = frozenset({"title", "description", "estimated_hours"})
EVIDENCE_FIELDS = frozenset({"evidence_url", "credential_id", "credential_date"})


def milestone_update(*, milestone: Milestone, learner_today: date, **fields: Any) -> Milestone:
    """Change a milestone's plan (target date), its evidence, or the texts of a custom one."""
    ensure_writable(milestone.roadmap)
    if not milestone.is_custom and (readonly := sorted(CUSTOM_ONLY_FIELDS & set(fields))):
        raise ApplicationError(
            "Texts of catalog milestones come from the catalog; only your own milestones can be edited.",
            code="catalog_field_readonly",
            extra={"fields": readonly},
        )
    target = fields.get("target_date")
    if target is not None and target != milestone.target_date and target < learner_today:
        raise ApplicationError(PAST_TARGET, code="target_date_in_past")
    if milestone.state == State.DONE and EVIDENCE_FIELDS & set(fields):
        raise conflict("milestone_done", "Reopen the milestone before changing the evidence it was completed with.")
    if changed_fields := fields_assign(milestone, fields):
        milestone.save(update_fields=[*changed_fields, "updated_at"])
        changed(milestone.roadmap.learner_id, milestone=[milestone.pk])
    return milestone


def milestone_note_set(*, milestone: Milestone, note: str) -> Milestone:
    if milestone.note != note:
        milestone.note = note
        milestone.save(update_fields=["note", "updated_at"])
        changed(milestone.roadmap.learner_id, note=[milestone.pk])
    return milestone


def _missing_evidence(milestone: Milestone) -> list[str]:
    if milestone.kind == Kind.CERTIFICATION:
        missing = [] if (milestone.credential_id or milestone.evidence_url) else ["credential_id or evidence_url"]
        return missing + ([] if milestone.credential_date else ["credential_date"])
    if milestone.kind == Kind.PROJECT:
        return [] if milestone.evidence_url else ["evidence_url (the repository)"]
    return []


def _move(milestone: Milestone, to: str, *, at: datetime) -> list[str]:
    """Apply a learner's state change after checking the rules; returns the fields changed."""
    allowed = LEARNER_TRANSITIONS[milestone.state]
    if to not in allowed:
        raise illegal_transition(milestone, to, allowed=allowed, action=f"move to {State(to).label.lower()}")
    if to == State.DONE and (missing := _missing_evidence(milestone)):
        raise conflict(
            "evidence_required",
            f"A {milestone.get_kind_display().lower()} needs evidence before it is done.",
            missing=missing,
        )
    self_attested = False
    if to == State.DONE and milestone.kind == Kind.PROJECT:
        if has_active_mentor(learner_id=milestone.roadmap.learner_id):
            raise conflict(
                "review_required", "With an active mentor, a portfolio project is completed through a review."
            )
        self_attested = True  # no mentor to review it: the learner's own word, with the evidence
    milestone.state = to
    milestone.completed_at = at if to == State.DONE else None
    milestone.self_attested = self_attested
    return ["state", "completed_at", "self_attested"]


def milestone_skip(*, milestone: Milestone, reason: str) -> Milestone:
    ensure_writable(milestone.roadmap)
    if milestone.state not in SKIPPABLE:
        raise illegal_transition(
            milestone, State.SKIPPED, allowed=LEARNER_TRANSITIONS[milestone.state], action="be skipped"
        )
    milestone.state, milestone.skip_reason = State.SKIPPED, reason
    milestone.save(update_fields=["state", "skip_reason", "updated_at"])
    changed(milestone.roadmap.learner_id, roadmap=[milestone.roadmap_id], milestone=[milestone.pk])
    return milestone


def milestone_unskip(*, milestone: Milestone) -> Milestone:
    """Back on the plan: in progress if time was already logged on it, else not started."""
    ensure_writable(milestone.roadmap)
    if milestone.state != State.SKIPPED:
        raise conflict("not_skipped", "Only a skipped milestone can be un-skipped.", **{"from": milestone.state})
    worked = milestone.entries.filter(minutes__gt=0).exists()
    milestone.state = State.IN_PROGRESS if worked else State.NOT_STARTED
    milestone.skip_reason = ""  # the reason stays in the progress log
    milestone.save(update_fields=["state", "skip_reason", "updated_at"])
    changed(milestone.roadmap.learner_id, roadmap=[milestone.roadmap_id], milestone=[milestone.pk])
    return milestone


def _same_entry(entry: ProgressEntry, *, learner: User, milestone_id: int, request: dict[str, Any]) -> bool:
    logged_at = request.get("logged_at")
    return (
        entry.learner_id == learner.pk
        and entry.milestone_id == milestone_id
        and entry.minutes == request["minutes"]
        and entry.note == request["note"]
        and entry.evidence_url == request["evidence_url"]
        and entry.state_to == (request["state"] or "")
        and (logged_at is None or entry.logged_at == logged_at)
    )


def progress_entry_log(
    *,
    learner: User,
    milestone_id: int,
    entry_id: uuid.UUID,
    minutes: int = 0,
    note: str = "",
    evidence_url: str = "",
    state: str | None = None,
    logged_at: datetime | None = None,
) -> tuple[ProgressEntry, bool]:
    """Append an entry to the learner's milestone, applying its state change; ``(entry, created)``.

    The same id sent again with the same content returns the stored entry and changes
    nothing; the same id with other content is a conflict. Another's milestone is a 404 (a
    mentee's a 403), as from ``milestone_get``.

    An entry that only adds to the log (no state change, no evidence) is one statement on
    PostgreSQL (``_progress_entry_append``). Any other, or one that statement does not write, takes
    two in a transaction: the milestone read with its access check, its row lock and the id's
    lookup; then the writes (the entry, the milestone, the sync changes) together.
    """
    request = {"minutes": minutes, "note": note, "evidence_url": evidence_url, "state": state, "logged_at": logged_at}
    now = timezone.now()
    if (
        not (state or evidence_url or _refusal(learner=learner, now=now, **request))
        and connection.vendor == "postgresql"
    ):
        appended = _progress_entry_append(
            learner=learner,
            milestone_id=milestone_id,
            entry_id=entry_id,
            minutes=minutes,
            note=note,
            now=now,
            logged_at=logged_at,
        )
        if appended is not None:
            return appended, True
    try:
        with transaction.atomic():
            # Retries of one entry serialise on the milestone's row lock.
            milestone, entry_exists = _milestone_lock(learner=learner, milestone_id=milestone_id, entry_id=entry_id)
            if not entry_exists:
                return _progress_entry_create(learner=learner, milestone=milestone, entry_id=entry_id, **request), True
            entry = ProgressEntry.objects.get(pk=entry_id)
    except IntegrityError:
        # The id was taken after the lock's snapshot: by the same entry sent at the same moment
        # (which held the lock first), or by one sent for another milestone. Nothing was written.
        entry = ProgressEntry.objects.filter(pk=entry_id).first()
        if entry is None:
            raise
    if _same_entry(entry, learner=learner, milestone_id=milestone_id, request=request):
        return entry, False
    raise conflict("entry_id_reused", "This entry id was already used for a different entry.")


def _refusal(
    *,
    learner: User,
    now: datetime,
    minutes: int,
    note: str,
    evidence_url: str,
    state: str | None,
    logged_at: datetime | None,
) -> ApplicationError | None:
    """Why a new entry cannot be logged, whatever its milestone."""
    if logged_at is not None and logged_at > now + CLOCK_SKEW:
        return ApplicationError("An entry cannot be logged in the future.", code="logged_in_future")
    if logged_at is not None and logged_at < (earliest := _earliest_logged_at(learner)):
        return ApplicationError(
            f"An entry can be logged back to {earliest:%Y-%m-%d}, a year before the account was made.",
            code="logged_too_early",
            extra={"earliest": earliest.isoformat().replace("+00:00", "Z")},
        )
    if not (minutes or note or evidence_url or state):
        return ApplicationError("An entry needs time spent, a note, evidence or a state change.", code="empty_entry")
    return None


def _earliest_logged_at(learner: User) -> datetime:
    return max(learner.date_joined - ProgressEntry.BACKDATE_LIMIT, ProgressEntry.COUNTED[0])


# The sync changes of an appended entry: the entry, its milestone and its roadmap, if it was written.
_ENTRY_CHANGES = changes_insert_sql(
    "entry, target, unnest(ARRAY['entry', 'milestone', 'roadmap'], "
    "ARRAY[entry.id::text, target.id::text, target.roadmap_id::text]) AS changed(entity, entity_id)"
)


def _progress_entry_append(
    *, learner: User, milestone_id: int, entry_id: uuid.UUID, minutes: int, note: str, now: datetime, logged_at
) -> ProgressEntry | None:
    """An entry that only adds to the log, in one statement (PostgreSQL): the entry, the minute
    counter raised (the update holds the milestone's row lock) and the sync changes, written only
    if the milestone is the learner's, its roadmap is not archived (``ensure_writable``) and the id
    is new. None when nothing was written: the transaction of ``progress_entry_log`` then says why
    (another's milestone, an archived roadmap, a retry, an id reused)."""
    entry = ProgressEntry(
        id=entry_id,
        learner=learner,
        milestone_id=milestone_id,
        minutes=minutes,
        note=note,
        logged_at=logged_at or now,
        created_at=now,
    )
    columns, values = insert_columns(entry)
    counter = (
        "counter AS (UPDATE roadmaps_milestone SET logged_minutes = logged_minutes + %s "
        "WHERE id = %s AND EXISTS (SELECT 1 FROM entry)), "
        if minutes
        else ""
    )
    with prepared_cursor() as cursor:
        cursor.execute(
            "WITH target AS (SELECT m.id, m.roadmap_id FROM roadmaps_milestone m "
            "JOIN roadmaps_roadmap r ON r.id = m.roadmap_id WHERE m.id = %s AND r.learner_id = %s AND r.status <> %s), "
            f"entry AS (INSERT INTO roadmaps_progressentry ({columns}) SELECT {', '.join(['%s'] * len(values))} "
            "FROM target ON CONFLICT (id) DO NOTHING RETURNING id), "
            f"{counter}"
            f"changes AS ({_ENTRY_CHANGES}) "
            "SELECT count(*) FROM entry",
            [
                milestone_id,
                learner.pk,
                Roadmap.Status.ARCHIVED,
                *values,
                *([minutes, milestone_id] if minutes else []),
                learner.pk,
                False,
                now,
            ],
        )
        (inserted,) = cursor.fetchone()
    return entry if inserted else None


def _milestone_lock(*, learner: User, milestone_id: int, entry_id: uuid.UUID) -> tuple[Milestone, bool]:
    """The learner's own milestone, its row locked, with what the log's rules read (its roadmap's
    status included), and whether an entry ``entry_id`` exists (anyone's): one statement. A
    milestone that is not theirs goes to ``milestone_get``, which answers 404 (or 403 to a mentor)."""
    quote = connection.ops.quote_name
    lock = " FOR UPDATE OF m" if connection.features.has_select_for_update_of else ""
    sql = (
        "SELECT m.roadmap_id, m.state, m.kind, m.evidence_url, m.credential_id, m.credential_date, "
        f"m.logged_minutes, r.status, EXISTS (SELECT 1 FROM {quote(ProgressEntry._meta.db_table)} WHERE id = %s) "
        f"FROM {quote(Milestone._meta.db_table)} m JOIN {quote(Roadmap._meta.db_table)} r ON r.id = m.roadmap_id "
        f"WHERE m.id = %s AND r.learner_id = %s{lock}"
    )
    params = [ProgressEntry._meta.pk.get_db_prep_value(entry_id, connection), milestone_id, learner.pk]
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        milestone_get(user=learner, milestone_id=milestone_id, write=True)  # 404, or 403 to a mentor
        return _milestone_lock(learner=learner, milestone_id=milestone_id, entry_id=entry_id)  # committed since
    roadmap_id, state, kind, evidence_url, credential_id, credential_date, logged_minutes, status, entry_exists = row
    milestone = Milestone(
        id=milestone_id,
        state=state,
        kind=kind,
        evidence_url=evidence_url,
        credential_id=credential_id,
        credential_date=credential_date,
        logged_minutes=logged_minutes,
    )
    milestone.roadmap = Roadmap(id=roadmap_id, learner_id=learner.pk, status=status)
    return milestone, bool(entry_exists)


def _progress_entry_create(
    *,
    learner: User,
    milestone: Milestone,
    entry_id: uuid.UUID,
    minutes: int,
    note: str,
    evidence_url: str,
    state: str | None,
    logged_at: datetime | None,
) -> ProgressEntry:
    """The new entry, its state change applied to the locked ``milestone``. The writes raise
    IntegrityError, and roll back, if the id was taken after the lock's snapshot."""
    ensure_writable(milestone.roadmap)
    now = timezone.now()
    if refusal := _refusal(
        learner=learner,
        now=now,
        minutes=minutes,
        note=note,
        evidence_url=evidence_url,
        state=state,
        logged_at=logged_at,
    ):
        raise refusal

    changed_fields: list[str] = []
    state_from = milestone.state
    if evidence_url and milestone.state != State.DONE:
        milestone.evidence_url = evidence_url
        changed_fields.append("evidence_url")
    if state and state != milestone.state:
        changed_fields += _move(milestone, state, at=now)
    if changed_fields:
        milestone.updated_at = now
        changed_fields.append("updated_at")
    if minutes:  # the counter, under the row lock taken above; time logged alone leaves updated_at
        milestone.logged_minutes += minutes
        changed_fields.append("logged_minutes")
    entry = ProgressEntry(
        id=entry_id,
        learner=learner,
        milestone=milestone,
        minutes=minutes,
        note=note,
        evidence_url=evidence_url,
        # With a state asked for, the entry records it even when the milestone was already there.
        state_from=state_from if state else "",
        state_to=state or "",
        logged_at=logged_at or now,
        created_at=now,
    )
    writes = [insert_statement(entry)]
    if changed_fields:
        writes.append(update_statement(milestone, changed_fields))
    # The milestone's hours and the roadmap's counts change with every entry.
    changes_record(
        owner_id=learner.pk,
        ids_by_entity={"entry": [entry_id], "milestone": [milestone.pk], "roadmap": [milestone.roadmap_id]},
        along_with=writes,
    )
    return entry
