"""The contract: docs/openapi.yaml is what the code generates, and the API keeps to it.

The second half fuzzes every operation with Schemathesis (all its checks), in process through the
WSGI app, as the demo learner: a roadmap with milestones and progress, an active mentor, a pending
review. ``make test`` runs a few examples per operation, the same on every run; ``make fuzz`` runs
many more from a new seed (``FUZZ_MAX_EXAMPLES``, ``FUZZ_SEED``).
"""

import difflib
import os
import uuid
from io import StringIO

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework_simplejwt.tokens import AccessToken

from accounts.exports import data_export_build, data_export_request
from accounts.models import LoginSession, Mentorship, User
from accounts.services import user_login
from careerhub.converters import BIGINT_MAX
from careerhub.wsgi import application
from notifications.calendar import TOKEN as CALENDAR_TOKEN
from notifications.services.reminders import preference_get_or_create
from roadmaps.models import Milestone, ReviewSubmission

SCHEMA_FILE = django_settings.BASE_DIR / "docs" / "openapi.yaml"
REFRESH_COMMAND = (
    "make schema\n(which runs: DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python manage.py spectacular "
    "--api-version v1 --validate --fail-on-warn --file docs/openapi.yaml)"
)


def test_the_committed_schema_is_the_one_the_code_generates():
    out = StringIO()
    call_command("spectacular", "--api-version", "v1", "--validate", "--fail-on-warn", stdout=out)

    generated, committed = out.getvalue(), SCHEMA_FILE.read_text(encoding="utf-8")

    if generated != committed:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                generated.splitlines(keepends=True),
                "docs/openapi.yaml (committed)",
                "docs/openapi.yaml (generated from the code)",
            )
        )
        pytest.fail(
            "The API changed but docs/openapi.yaml did not. If the change is intended, refresh the file "
            f"and commit it with the change:\n\n{REFRESH_COMMAND}\n\n{diff[:8000]}",
            pytrace=False,
        )


# Fuzzing ---------------------------------------------------------------------------------------

# The same cases on every run of `make test`; `make fuzz` passes a new seed each time.
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "15"))
SEED = int(os.environ.get("FUZZ_SEED", "20261128"))

# Schemathesis' expectations, plus: valid data may be refused with a 400 that names a rule the schema
# cannot state (no path with this slug, a time zone that is not IANA, a target date in the past), and a
# made-up If-Match fails its precondition (412) before the data is looked at, valid or not.
# The same made-up Idempotency-Key comes back with other data: 422, as documented.
VALID_DATA_ANSWERS = ["2xx", "3xx", "400", "401", "403", "404", "409", "412", "422", "429", "5xx"]
INVALID_DATA_ANSWERS = ["400", "401", "403", "404", "405", "406", "409", "412", "415", "422", "428", "429", "5xx"]

config = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "checks": {
            "enabled": True,
            "positive_data_acceptance": {"expected-statuses": VALID_DATA_ANSWERS},
            "negative_data_rejection": {"expected-statuses": INVALID_DATA_ANSWERS},
        },
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application, config=config)

# The seeded objects, by path parameter: about half the valid ids (and tokens) generated are swapped for one of
# these, so that the fuzzer gets past the 404 into the views (an invalid one, a negative test's, stays).
# Filled in by the `demo_learner` fixture.
SEEDED_IDS: dict[str, list[int | str]] = {}


def _valid(name: str, value) -> bool:
    """A valid id; for ``token``, a valid secret (the calendar feed's)."""
    if name == "token":
        return type(value) is str and CALENDAR_TOKEN.fullmatch(value) is not None
    return type(value) is int and 1 <= value <= BIGINT_MAX


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    known = {
        name: SEEDED_IDS[name]
        for name, value in (path_parameters or {}).items()
        if SEEDED_IDS.get(name) and _valid(name, value)
    }
    if not known:
        return st.just(path_parameters)
    seeded = st.fixed_dictionaries({name: st.sampled_from(ids) for name, ids in known.items()})
    return st.one_of(st.just(path_parameters), seeded.map(lambda ids: {**path_parameters, **ids}))


@pytest.fixture
def demo_learner(db, settings, tmp_path):
    """`make run`'s demo data (an active mentor, a review waiting), plus a login session and a ready
    data export."""
    settings.MEDIA_ROOT = tmp_path
    call_command("load_catalog", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    learner = User.objects.get(email="learner@example.com")
    mentor = User.objects.get(email="mentor@example.com")
    mentorship = Mentorship.objects.get(mentor=mentor, learner=learner, state=Mentorship.State.ACTIVE)
    milestones = Milestone.objects.filter(roadmap__learner=learner).order_by("roadmap", "position")
    submission = ReviewSubmission.objects.get(learner=learner, state=ReviewSubmission.State.PENDING)
    user_login(user=learner, user_agent="CareerHub/1.0")
    export = data_export_build(export_id=data_export_request(user=learner).pk)
    SEEDED_IDS.update(
        session_id=list(LoginSession.objects.filter(user=learner).values_list("pk", flat=True)),
        export_id=[export.pk],
        roadmap_id=sorted({milestone.roadmap_id for milestone in milestones}),
        milestone_id=[milestone.pk for milestone in milestones],
        mentorship_id=[mentorship.pk],
        submission_id=[submission.pk],
        learner_id=[learner.pk],
        token=[preference_get_or_create(user=learner).calendar_token],
    )
    yield learner
    SEEDED_IDS.clear()


@pytest.fixture
def in_process(settings):
    """Requests through the WSGI app, inside the test's transaction, without rate limits.

    Django closes the database connection around each request, which would end the test's
    transaction; its test client stops it the same way. The throttles are off: the fuzzer sends
    hundreds of requests a minute and would mostly meet 429s (test_throttling.py covers those).
    """
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]),
    }
    # The fuzzer's failed logins count towards the login lockout of 127.0.0.1: in cache keys of
    # the fuzzing's own, so that they do not lock the logins of the tests that follow.
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"contract-{uuid.uuid4().hex}"}}
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
# The fixtures hold for all the examples of one operation: on purpose, state builds up as in real use.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_api_keeps_its_contract(case, demo_learner, in_process):
    token = AccessToken.for_user(demo_learner)

    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
