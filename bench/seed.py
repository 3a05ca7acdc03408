"""The benchmark's data: N learners on the real catalog, written set-based with PostgreSQL COPY.

Every row satisfies the models' constraints and the rules the services apply (states reached by
allowed moves, evidence on done certifications and projects, a project done with an active mentor
only through an approved review, at most one pending submission per milestone). What the services
would add for delta sync (``Change`` rows) is left out: the bench reads current data, and its own
writes go through the real services.

Ids come from the tables' own sequences, reserved a block at a time (``setval``), so the COPY
streams can reference each other without a round trip per row.
"""

import json
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import Mentorship, User
from notifications.models import Notification, Reminder
from roadmaps.models import Milestone, MilestoneTemplate, ProgressEntry, ReviewSubmission, Roadmap

BENCH_DOMAIN = "bench.careerhub.test"
BENCH_PASSWORD = "careerhub-bench"
LEARNERS_PER_CHUNK = 2_000
WORK_WINDOW = timedelta(weeks=12)
MENTORED_SHARE = 0.5
MENTEES_PER_MENTOR = (20, 50)
# The dashboard is benchmarked at the top of that range: the first tenth of mentors get 50.
FULL_MENTOR_SHARE = 0.1
CUSTOM_ROADMAP_SHARE = 0.02  # learners who plan in detail: 25 milestones of their own on top
CUSTOM_MILESTONES = 25
TIME_ZONES = (
    "UTC",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Africa/Lagos",
    "Australia/Sydney",
)
State = Milestone.State
Kind = MilestoneTemplate.Kind


def learner_email(index: int) -> str:
    return f"learner{index:07d}@{BENCH_DOMAIN}"


def mentor_email(index: int) -> str:
    return f"mentor{index:05d}@{BENCH_DOMAIN}"


@dataclass(frozen=True)
class Template:
    id: int
    slug: str
    stage_slug: str
    stage_title: str
    kind: str
    title: str
    description: str
    estimated_hours: int
    evidence: str
    criteria: str  # JSON
    skill_ids: tuple[int, ...]


@dataclass
class ChunkRows:
    """One chunk's rows by model, and what a hook needs to know of them."""

    rows: dict[type[models.Model], list[tuple]] = field(default_factory=dict)
    learners: list[dict] = field(default_factory=list)  # id, email, time_zone, date_joined
    milestones: list[dict] = field(default_factory=list)  # id, learner_id, roadmap_id, title, state, target_date

    def add(self, model: type[models.Model], row: tuple) -> None:
        self.rows.setdefault(model, []).append(row)


# Columns written, by model (attribute names; ``column`` maps them to the table's).
COLUMNS: dict[type[models.Model], tuple[str, ...]] = {
    User: (
        "id",
        "password",
        "is_superuser",
        "email",
        "display_name",
        "time_zone",
        "weekly_hours_goal",
        "is_mentor",
        "is_staff",
        "is_active",
        "date_joined",
    ),
    Mentorship: (
        "id",
        "mentor_id",
        "learner_id",
        "invited_by_id",
        "invitee_email",
        "state",
        "created_at",
        "responded_at",
    ),
    Roadmap: ("id", "learner_id", "path_id", "catalog_version", "status", "created_at", "updated_at"),
    Milestone: (
        "id",
        "roadmap_id",
        "template_id",
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
        "note",
        "logged_minutes",
        "created_at",
        "updated_at",
    ),
    Milestone.skills.through: ("milestone_id", "skill_id"),
    ProgressEntry: (
        "id",
        "learner_id",
        "milestone_id",
        "minutes",
        "note",
        "evidence_url",
        "state_from",
        "state_to",
        "logged_at",
        "created_at",
    ),
    ReviewSubmission: (
        "id",
        "milestone_id",
        "learner_id",
        "evidence_url",
        "credential_id",
        "message",
        "state",
        "created_at",
        "decided_at",
        "decided_by_id",
    ),
}


def copy_rows(model: type[models.Model], columns: tuple[str, ...], rows: list[tuple]) -> int:
    """COPY ``rows`` (values in ``columns`` order) into ``model``'s table; the number written."""
    if not rows:
        return 0
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in columns)
    table = connection.ops.quote_name(model._meta.db_table)
    # Django's cursor wraps a psycopg 3 cursor, which speaks COPY.
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    return len(rows)


class IdBlocks:
    """Ids from a table's sequence, reserved a block at a time."""

    def __init__(self, model: type[models.Model], block: int = 50_000) -> None:
        self.table = model._meta.db_table
        self.block = block
        self.next_id = self.end = 0

    def __call__(self) -> int:
        if self.next_id >= self.end:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence(%s, 'id')) + %s)",
                    [self.table, self.table, self.block - 1],
                )
                last = cursor.fetchone()[0]
            self.next_id, self.end = last - self.block + 1, last + 1
        value = self.next_id
        self.next_id += 1
        return value


def catalog_snapshot() -> dict[int, tuple[int, list[Template]]]:
    """Each path's (version, live milestone templates in plan order), as enrolment copies them."""
    skills: dict[int, list[int]] = {}
    for template_id, skill_id in MilestoneTemplate.skills.through.objects.order_by("id").values_list(
        "milestonetemplate_id", "skill_id"
    ):
        skills.setdefault(template_id, []).append(skill_id)
    paths: dict[int, tuple[int, list[Template]]] = {}
    templates = (
        MilestoneTemplate.objects.filter(retired=False)
        .select_related("stage", "path")
        .order_by("path_id", "stage__order", "order", "id")
    )
    for t in templates:
        paths.setdefault(t.path_id, (t.path.version, []))[1].append(
            Template(
                id=t.pk,
                slug=t.slug,
                stage_slug=t.stage.slug,
                stage_title=t.stage.title,
                kind=t.kind,
                title=t.title,
                description=t.description,
                estimated_hours=t.estimated_hours,
                evidence=t.evidence,
                criteria=json.dumps(t.acceptance_criteria),
                skill_ids=tuple(skills.get(t.pk, ())),
            )
        )
    return paths


def mentor_groups(learners: int, rng: random.Random) -> list[int]:
    """How many mentees each mentor gets: 20 to 50 (the first tenth 50), for about half the learners."""
    target = round(learners * MENTORED_SHARE)
    low, high = MENTEES_PER_MENTOR
    forced = max(1, round(target / sum(MENTEES_PER_MENTOR) * 2 * FULL_MENTOR_SHARE))
    sizes: list[int] = []
    while sum(sizes) < target:
        size = high if len(sizes) < forced else rng.randint(low, high)
        sizes.append(min(size, target - sum(sizes)))
    return sizes


@dataclass
class Generator:
    learners: int
    seed: int = 7
    now: datetime = field(default_factory=timezone.now)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.password = make_password(BENCH_PASSWORD)
        self.ids = {model: IdBlocks(model) for model in (User, Mentorship, Roadmap, Milestone, ReviewSubmission)}
        self.catalog = catalog_snapshot()
        if not self.catalog:
            raise ValueError("The catalog is empty: run manage.py load_catalog first.")
        self.path_ids = sorted(self.catalog)

    # Users ---------------------------------------------------------------------------------

    def _user(self, chunk: ChunkRows, *, email: str, name: str, mentor: bool, joined: datetime) -> int:
        user_id = self.ids[User]()
        time_zone = self.rng.choice(TIME_ZONES)
        goal = self.rng.randint(3, 15)
        chunk.add(User, (user_id, self.password, False, email, name, time_zone, goal, mentor, False, True, joined))
        if not mentor:
            chunk.learners.append({"id": user_id, "email": email, "time_zone": time_zone, "date_joined": joined})
        return user_id

    def mentors(self, sizes: list[int]) -> tuple[ChunkRows, list[int]]:
        chunk = ChunkRows()
        ids = [
            self._user(
                chunk,
                email=mentor_email(index),
                name=f"Mentor {index}",
                mentor=True,
                joined=self.now - timedelta(days=self.rng.uniform(120, 400)),
            )
            for index in range(len(sizes))
        ]
        return chunk, ids

    # Learners ------------------------------------------------------------------------------

    def chunk(self, first: int, count: int, mentor_of: list[int | None]) -> ChunkRows:
        chunk = ChunkRows()
        for index in range(first, first + count):
            joined = self.now - timedelta(days=self.rng.uniform(14, 120))
            email = learner_email(index)
            learner_id = self._user(chunk, email=email, name=f"Learner {index}", mentor=False, joined=joined)
            mentor_id = mentor_of[index]
            if mentor_id is not None:
                accepted = joined + timedelta(days=self.rng.uniform(0, 7))
                chunk.add(
                    Mentorship,
                    (self.ids[Mentorship](), mentor_id, learner_id, mentor_id, email, "active", joined, accepted),
                )
            count_roadmaps = self.rng.choices((1, 2, 3), weights=(50, 35, 15))[0]
            for path_id in self.rng.sample(self.path_ids, count_roadmaps):
                self._roadmap(chunk, learner_id, path_id, joined=joined, mentor_id=mentor_id)
        return chunk

    def _roadmap(self, chunk: ChunkRows, learner_id: int, path_id: int, *, joined: datetime, mentor_id) -> None:
        rng, now = self.rng, self.now
        version, templates = self.catalog[path_id]
        roadmap_id = self.ids[Roadmap]()
        created = min(joined + timedelta(days=rng.uniform(0, 5)), now - timedelta(days=1))
        status = rng.choices(("active", "paused", "archived"), weights=(88, 8, 4))[0]
        chunk.add(Roadmap, (roadmap_id, learner_id, path_id, version, status, created, now))

        work_start = max(created, now - WORK_WINDOW)
        span = (now - timedelta(hours=2)) - work_start
        n = len(templates)
        done_count = int(rng.random() ** 1.4 * 0.85 * n)
        with_targets = rng.random() < 0.4
        pending_review = mentor_id is not None and rng.random() < 0.35
        pending_at = None
        if pending_review:
            pending_at = next((pos for pos in range(done_count, n) if templates[pos].kind == Kind.PROJECT), None)
        skip_at = None
        if rng.random() < 0.1:
            skip_at = next(
                (
                    pos
                    for pos in range(n - 1, done_count, -1)
                    if templates[pos].kind in (Kind.COURSE, Kind.PRACTICE) and pos != pending_at
                ),
                None,
            )

        previous = work_start
        for pos, t in enumerate(templates):
            state, completed, self_attested = State.NOT_STARTED, None, False
            evidence_url = credential_id = ""
            credential_date = None
            if pos < done_count:
                state = State.DONE
                completed = work_start + span * ((pos + 1) / (done_count + 1))
                if t.kind == Kind.PROJECT:
                    evidence_url = f"https://github.com/bench-learner-{learner_id}/{t.slug}"
                    self_attested = mentor_id is None
                elif t.kind == Kind.CERTIFICATION:
                    credential_id = f"CERT-{learner_id}-{pos}"
                    credential_date = completed.date()
            elif pos == pending_at:
                state = State.IN_REVIEW
                evidence_url = f"https://github.com/bench-learner-{learner_id}/{t.slug}"
            elif pos == done_count:
                state = State.IN_PROGRESS
            elif pos == skip_at:
                state = State.SKIPPED
            target = None
            if with_targets and state != State.DONE:
                target = (created + timedelta(weeks=pos + 1)).date()
            milestone_id = self.ids[Milestone]()
            # The log that led here: started, worked on, finished.
            minutes = 0
            if state == State.DONE:
                minutes = self._entries(chunk, learner_id, milestone_id, previous, completed, finish=True)
                previous = completed
                if t.kind == Kind.PROJECT and mentor_id is not None:
                    self._submission(chunk, milestone_id, learner_id, evidence_url, completed, mentor_id)
            elif state in (State.IN_PROGRESS, State.IN_REVIEW):
                minutes = self._entries(
                    chunk, learner_id, milestone_id, previous, now - timedelta(hours=1), finish=False
                )
                if state == State.IN_REVIEW:
                    self._submission(chunk, milestone_id, learner_id, evidence_url, None, None)
            self._milestone(
                chunk,
                milestone_id,
                roadmap_id,
                pos,
                t,
                state=state,
                created=created,
                completed=completed,
                target=target,
                evidence_url=evidence_url,
                credential_id=credential_id,
                credential_date=credential_date,
                self_attested=self_attested,
                logged_minutes=minutes,
            )
            chunk.milestones.append(
                {
                    "id": milestone_id,
                    "learner_id": learner_id,
                    "roadmap_id": roadmap_id,
                    "title": t.title,
                    "state": state,
                    "target_date": target,
                }
            )

        if rng.random() < CUSTOM_ROADMAP_SHARE:
            for extra in range(CUSTOM_MILESTONES):
                custom = Template(
                    id=0,
                    slug=f"custom-{uuid.UUID(int=rng.getrandbits(128)).hex[:12]}",
                    stage_slug="custom",
                    stage_title="My own milestones",
                    kind=Kind.PRACTICE,
                    title=f"Own practice {extra + 1}",
                    description="A step of my own plan.",
                    estimated_hours=rng.randint(2, 20),
                    evidence="none",
                    criteria="[]",
                    skill_ids=(),
                )
                self._milestone(
                    chunk,
                    self.ids[Milestone](),
                    roadmap_id,
                    n + extra,
                    custom,
                    state=State.NOT_STARTED,
                    created=created,
                )

    def _milestone(
        self,
        chunk: ChunkRows,
        milestone_id: int,
        roadmap_id: int,
        position: int,
        t: Template,
        *,
        state: str,
        created: datetime,
        completed: datetime | None = None,
        target: date | None = None,
        evidence_url: str = "",
        credential_id: str = "",
        credential_date: date | None = None,
        self_attested: bool = False,
        logged_minutes: int = 0,
    ) -> None:
        custom = t.id == 0
        chunk.add(
            Milestone,
            (
                milestone_id,
                roadmap_id,
                None if custom else t.id,
                t.slug,
                position,
                t.stage_slug,
                t.stage_title,
                t.kind,
                t.title,
                t.description,
                t.estimated_hours,
                t.evidence,
                t.criteria,
                custom,
                False,
                state,
                "Covered at work already." if state == State.SKIPPED else "",
                target,
                evidence_url,
                credential_id,
                credential_date,
                completed,
                self_attested,
                "",
                logged_minutes,
                created,
                completed or created,
            ),
        )
        for skill_id in t.skill_ids:
            chunk.add(Milestone.skills.through, (milestone_id, skill_id))

    def _entries(
        self, chunk: ChunkRows, learner_id: int, milestone_id: int, start: datetime, end: datetime, *, finish: bool
    ) -> int:
        """The entries of one milestone between ``start`` and ``end``; answers their minutes."""
        rng = self.rng
        total = 0
        sessions = rng.randint(2, 4) if finish else rng.randint(1, 3)
        step = (end - start) / sessions
        for number in range(sessions):
            logged = start + step * (number + 1) if finish else start + step * (number + rng.random())
            state_from = state_to = ""
            if number == 0:
                state_from, state_to = State.NOT_STARTED, State.IN_PROGRESS
            elif finish and number == sessions - 1:
                state_from, state_to = State.IN_PROGRESS, State.DONE
            minutes = rng.randint(20, 150)
            total += minutes
            chunk.add(
                ProgressEntry,
                (
                    uuid.UUID(int=rng.getrandbits(128), version=4),
                    learner_id,
                    milestone_id,
                    minutes,
                    "Worked through the material." if number % 2 else "",
                    "",
                    state_from,
                    state_to,
                    logged,
                    min(logged + timedelta(minutes=rng.randint(0, 30)), self.now),
                ),
            )
        return total

    def _submission(self, chunk, milestone_id, learner_id, evidence_url, decided: datetime | None, mentor_id) -> None:
        created = (decided or self.now) - timedelta(days=self.rng.uniform(0.5, 6))
        chunk.add(
            ReviewSubmission,
            (
                self.ids[ReviewSubmission](),
                milestone_id,
                learner_id,
                evidence_url,
                "",
                "Ready for a look.",
                "approved" if decided else "pending",
                created,
                decided,
                mentor_id,
            ),
        )


NOTIFICATION_COLUMNS = {
    Reminder: (
        "id",
        "user_id",
        "email",
        "kind",
        "subject_id",
        "period",
        "due_at",
        "state",
        "reason",
        "content",
        "processed_at",
        "created_at",
    ),
    Notification: ("id", "user_id", "reminder_id", "kind", "title", "body", "data", "created_at", "read_at"),
}
DIGEST_WEEKS = 4  # each learner's inbox holds the last four weekly digests (the newest unread)
_notification_ids: dict[type[models.Model], IdBlocks] = {}


def seed_notifications(*, chunk: ChunkRows, now: datetime) -> int:
    """Each learner's sent reminders and inbox: the last weekly digests, and an overdue notice for
    each milestone past its target date. Returns how many inbox rows were written."""
    ids = {model: _notification_ids.setdefault(model, IdBlocks(model)) for model in NOTIFICATION_COLUMNS}
    reminders, inbox = [], []

    def sent(user_id: int, kind: str, subject_id: int, period: str, at: datetime, title: str, data: dict, read: bool):
        reminder_id = ids[Reminder]()
        content = json.dumps({"title": title, "body": "", "lines": [], "data": data})
        reminders.append((reminder_id, user_id, "", kind, subject_id, period, at, "sent", "", content, at, at))
        inbox.append(
            (ids[Notification](), user_id, reminder_id, kind, title, "", json.dumps(data), at, at if read else None)
        )

    monday = (now - timedelta(days=now.weekday())).replace(hour=9, minute=0, second=0, microsecond=0)
    for learner in chunk.learners:
        for weeks_ago in range(DIGEST_WEEKS, 0, -1):
            at = monday - timedelta(weeks=weeks_ago - 1) if monday <= now else monday - timedelta(weeks=weeks_ago)
            if at < learner["date_joined"]:
                continue
            year, week, _ = at.isocalendar()
            sent(
                learner["id"],
                "learner_digest",
                learner["id"],
                f"{year}-W{week:02d}",
                at,
                "Your week on CareerHub",
                {},
                weeks_ago > 1,
            )
    for milestone in chunk.milestones:
        target = milestone["target_date"]
        if target and target < now.date() and milestone["state"] not in (State.DONE, State.SKIPPED):
            at = datetime.combine(target + timedelta(days=1), datetime.min.time(), tzinfo=UTC).replace(hour=9)
            title = f"{milestone['title']} is past its target date"[:200]
            data = {"roadmap": milestone["roadmap_id"], "milestone": milestone["id"]}
            sent(milestone["learner_id"], "overdue", milestone["id"], target.isoformat(), at, title, data, False)
    copy_rows(Reminder, NOTIFICATION_COLUMNS[Reminder], reminders)
    return copy_rows(Notification, NOTIFICATION_COLUMNS[Notification], inbox)


@dataclass
class SeedReport:
    learners: int
    rows: Counter
    seconds: float

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds else 0.0


def _skip_foreign_key_triggers() -> None:
    """Within the running transaction, skip the per-row foreign key triggers when allowed (a superuser).

    The generator only references rows it wrote before (or the catalog), so the checks would
    find nothing; they are most of the load's cost. Other constraints (unique, check, not null)
    are still enforced.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")


def _write(chunk: ChunkRows, rows: Counter) -> None:
    for model in COLUMNS:
        rows[model._meta.db_table] += copy_rows(model, COLUMNS[model], chunk.rows.get(model, []))


def seed(*, learners: int, seed: int = 7, progress=None) -> SeedReport:
    """Write ``learners`` learners (and their mentors); one transaction per chunk of learners."""
    started = time.monotonic()
    generator = Generator(learners=learners, seed=seed)
    sizes = mentor_groups(learners, generator.rng)
    rows: Counter = Counter()
    with transaction.atomic():
        mentors, mentor_ids = generator.mentors(sizes)
        _write(mentors, rows)
    mentor_of: list[int | None] = [None] * learners
    index = 0
    for mentor_id, size in zip(mentor_ids, sizes, strict=True):
        for _ in range(size):
            mentor_of[index] = mentor_id
            index += 1
    generator.rng.shuffle(mentor_of)
    for first in range(0, learners, LEARNERS_PER_CHUNK):
        count = min(LEARNERS_PER_CHUNK, learners - first)
        with transaction.atomic():
            _skip_foreign_key_triggers()
            chunk = generator.chunk(first, count, mentor_of)
            _write(chunk, rows)
            rows["notifications"] += seed_notifications(chunk=chunk, now=generator.now)
        if progress:
            progress(first + count, rows, time.monotonic() - started)
    return SeedReport(learners=learners, rows=rows, seconds=time.monotonic() - started)


def seeded_learners() -> int:
    return User.objects.filter(email__startswith="learner", email__endswith=f"@{BENCH_DOMAIN}").count()


def analyze() -> None:
    """Fresh statistics and visibility maps, so the planner and index-only scans see the new rows."""
    tables = [model._meta.db_table for model in COLUMNS]
    # VACUUM cannot run in a transaction (a test's); ANALYZE alone can.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{command} {connection.ops.quote_name(table)}")


def wipe() -> None:
    """Remove every user and what hangs off them (the catalog stays). Bench databases only."""
    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        raise ValueError(f"Refusing to wipe {name!r}: only a database whose name contains 'bench'.")
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {connection.ops.quote_name(User._meta.db_table)} CASCADE")
