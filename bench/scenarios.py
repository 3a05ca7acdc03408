"""What ``make bench`` measures: the endpoints a phone calls most, the web app's two busiest pages, and
the timed background phases.

Adding an endpoint is one ``Endpoint`` row in ``ENDPOINTS``; adding a timed phase is one function
decorated with ``@phase(...)``. Both get the ``Samples`` drawn from the seeded database.
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import Count, Q
from django.test import Client
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import Mentorship, User
from bench.seed import BENCH_DOMAIN
from roadmaps.models import Milestone, Roadmap

API = "/api/v1"
TOKEN_LIFETIME = timedelta(hours=3)
SAMPLE_LEARNERS = 400
SAMPLE_MENTORS = 40
# The test client speaks to the same settings as the server; this host is in ALLOWED_HOSTS.
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    token: str
    body: str | None = None  # "{{id}}" is replaced by a new UUID on every request
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def fresh_id(self) -> bool:
        return self.body is not None and "{{id}}" in self.body


@dataclass
class Samples:
    """Users and objects the load is spread over, with access tokens for them."""

    tokens: dict[int, str]
    roadmaps: list[tuple[int, int]]  # (learner, roadmap) of active roadmaps with the catalog's ~25 milestones
    long_roadmaps: list[tuple[int, int]]  # (learner, roadmap) with 50 milestones or more
    open_milestones: list[tuple[int, int]]  # (learner, milestone) that accept a progress entry
    mentors: list[int]  # mentors with the most active mentees (50)
    sync_cursor: str = ""
    client: Client = field(default_factory=lambda: Client(HTTP_HOST=HOST))

    def auth(self, user_id: int) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user_id]}"}

    def client_headers(self, request: Request) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {request.token}"} | {
            "HTTP_" + name.upper().replace("-", "_"): value for name, value in request.headers.items()
        }


def _token(user: User) -> str:
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=TOKEN_LIFETIME)
    return str(token)


def draw_samples(*, seed: int = 11) -> Samples:
    rng = random.Random(seed)
    bench_learners = Q(learner__email__endswith=f"@{BENCH_DOMAIN}", learner__is_mentor=False)
    active = Roadmap.objects.filter(bench_learners, status=Roadmap.Status.ACTIVE).annotate(size=Count("milestones"))
    sized = list(active.filter(size__lt=40).values_list("learner_id", "id"))
    long = list(active.filter(size__gte=50).values_list("learner_id", "id"))
    roadmaps = rng.sample(sized, min(SAMPLE_LEARNERS, len(sized)))
    long_roadmaps = rng.sample(long, min(SAMPLE_LEARNERS // 4, len(long)))
    open_milestones = []
    wanted = {roadmap_id for _, roadmap_id in roadmaps}
    seen: set[int] = set()
    for learner_id, roadmap_id, milestone_id in (
        Milestone.objects.filter(roadmap_id__in=wanted, state__in=[Milestone.State.NOT_STARTED, "in_progress"])
        .order_by("roadmap_id", "position")
        .values_list("roadmap__learner_id", "roadmap_id", "id")
    ):
        if roadmap_id not in seen:  # the next step of each plan
            seen.add(roadmap_id)
            open_milestones.append((learner_id, milestone_id))
    mentor_sizes = list(
        Mentorship.objects.filter(state=Mentorship.State.ACTIVE, mentor__email__endswith=f"@{BENCH_DOMAIN}")
        .values("mentor_id")
        .annotate(n=Count("id"))
        .order_by("-n", "mentor_id")
        .values_list("mentor_id", "n")[:SAMPLE_MENTORS]
    )
    top = mentor_sizes[0][1] if mentor_sizes else 0
    mentors = [mentor_id for mentor_id, n in mentor_sizes if n == top]
    user_ids = {learner for learner, _ in roadmaps + long_roadmaps + open_milestones} | set(mentors)
    tokens = {user.pk: _token(user) for user in User.objects.filter(pk__in=user_ids)}
    return Samples(
        tokens=tokens,
        roadmaps=roadmaps,
        long_roadmaps=long_roadmaps,
        open_milestones=open_milestones,
        mentors=mentors,
    )


# Endpoints ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str
    requests: Callable[[Samples], list[Request]]  # built just before the endpoint is measured
    status: int = 200  # what every response must be
    target: float | None = None  # the least throughput, as a ratio to the reference endpoint
    reference: bool = False
    note: str = ""


def _unread_count(s: Samples) -> list[Request]:
    return [Request("GET", f"{API}/notifications/unread-count/", s.tokens[learner]) for learner, _ in s.roadmaps]


def _ping(s: Samples) -> list[Request]:
    return [Request("GET", f"{API}/ping/", s.tokens[learner]) for learner, _ in s.roadmaps]


def _roadmap_detail(s: Samples) -> list[Request]:
    return [Request("GET", f"{API}/roadmaps/{roadmap}/", s.tokens[learner]) for learner, roadmap in s.roadmaps]


def _roadmap_not_modified(s: Samples) -> list[Request]:
    """The ETags as they are now: read right before the run (the progress posts change some)."""
    requests = []
    for request in _roadmap_detail(s):
        etag = s.client.get(request.path, **s.client_headers(request))["ETag"]
        requests.append(Request("GET", request.path, request.token, headers={"If-None-Match": etag}))
    return requests


def _milestone_list(s: Samples) -> list[Request]:
    return [
        Request("GET", f"{API}/roadmaps/{roadmap}/milestones/?page_size=50", s.tokens[learner])
        for learner, roadmap in s.long_roadmaps
    ]


def _progress_post(s: Samples) -> list[Request]:
    body = '{"id": "{{id}}", "minutes": 25, "note": "Worked through the exercises."}'
    return [
        Request("POST", f"{API}/milestones/{milestone}/entries/", s.tokens[learner], body=body)
        for learner, milestone in s.open_milestones
    ]


def _notifications(s: Samples) -> list[Request]:
    return [Request("GET", f"{API}/notifications/", s.tokens[learner]) for learner, _ in s.roadmaps]


def _sync_pull(s: Samples) -> list[Request]:
    """A phone back online: the changes since the cursor taken when the run began (its own posts)."""
    return [Request("GET", f"{API}/sync/?cursor={s.sync_cursor}", s.tokens[learner]) for learner, _ in s.roadmaps]


def _mentor_dashboard(s: Samples) -> list[Request]:
    return [Request("GET", f"{API}/mentor/dashboard/", s.tokens[mentor]) for mentor in s.mentors]


def _session_cookie(user: User) -> dict[str, str]:
    """A logged-in browser's cookie: a session as ``django.contrib.auth.login`` stores it."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}"}


def _web_pages(s: Samples, paths: list[tuple[int, str]]) -> list[Request]:
    users = User.objects.in_bulk({user_id for user_id, _ in paths})
    cookies = {user_id: _session_cookie(user) for user_id, user in users.items()}
    return [Request("GET", path, s.tokens[user_id], headers=cookies[user_id]) for user_id, path in paths]


def _roadmap_page(s: Samples) -> list[Request]:
    """The learner's roadmap page in the web app: milestones, stats and the four charts, as HTML."""
    return _web_pages(s, [(learner, f"/roadmaps/{roadmap}/") for learner, roadmap in s.roadmaps])


def _mentor_dashboard_page(s: Samples) -> list[Request]:
    return _web_pages(s, [(mentor, "/mentor/") for mentor in s.mentors])


# The reference comes first; the harness measures it again after every other endpoint, and states
# each endpoint against the reference runs just before and after it (the machine's load drifts).
# It is a minimal authenticated view doing one indexed query: the unread count of the inbox (the
# badge), read on its partial index after authentication has loaded the token's user. Ping, which
# does no query of its own, is measured too, so that every ratio can also be read against it.
ENDPOINTS: list[Endpoint] = [
    Endpoint("reference: unread count", _unread_count, reference=True, note="one indexed query"),
    Endpoint("ping", _ping, note="authentication only"),
    Endpoint("roadmap detail", _roadmap_detail, target=0.5, note="~25 milestones and stats"),
    Endpoint("roadmap detail 304", _roadmap_not_modified, status=304, target=0.8, note="If-None-Match"),
    Endpoint("milestone list", _milestone_list, target=0.4, note="a page of 50"),
    Endpoint("progress entry POST", _progress_post, status=201, target=0.35, note="a new entry each"),
    Endpoint("notifications inbox", _notifications, note="issue #5"),
    Endpoint("sync pull", _sync_pull, note="delta since the run began"),
    Endpoint("mentor dashboard", _mentor_dashboard, target=0.25, note="50 mentees"),
    Endpoint("web: roadmap page", _roadmap_page, target=0.3, note="HTML with four SVG charts"),
    Endpoint("web: mentor dashboard page", _mentor_dashboard_page, target=0.3, note="HTML, 50 mentees"),
]


# Timed phases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Phase:
    name: str
    run: Callable[[Samples], str]  # does the work once; answers a short summary (rows touched, ...)


PHASES: list[Phase] = []


def phase(name: str):
    """Register a function as a timed phase of the benchmark (run once, after the endpoints)."""

    def register(function: Callable[[Samples], str]) -> Callable[[Samples], str]:
        PHASES.append(Phase(name, function))
        return function

    return register


@phase("purges: idempotency keys and sync changes")
def _purges(samples: Samples) -> str:
    from accounts.services import changes_purge, idempotency_keys_purge

    return f"{idempotency_keys_purge()} keys, {changes_purge()} changes deleted"


@phase("reminders: scan, repeated scan, fan-out, one batch of 10 and of 1,000")
def _reminder_scan(samples: Samples) -> str:
    from bench.seed import seeded_learners
    from notifications.benchmark import scan_benchmark

    return "; ".join(scan_benchmark(learners=seeded_learners()).lines())


def time_phase(item: Phase, samples: Samples) -> tuple[float, str]:
    started = time.monotonic()
    summary = item.run(samples)
    return time.monotonic() - started, summary
