"""Deployment hardening and input limits: security headers, body and page sizes, URL fields."""

import io
import json

import pytest
from django.test import Client

from roadmaps.services.learning import roadmap_enroll
from tests.factories import small_path

pytestmark = pytest.mark.django_db


def test_every_answer_carries_the_security_headers():
    response = Client().get("/api/v1/paths/", secure=True)

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_a_body_over_the_limit_answers_413_before_it_is_read(learner_client, settings):
    # Given: a limit of 1 KiB
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"display_name": "A" * 2000})

    # When
    response = learner_client.patch("/api/v1/me/", body, content_type="application/json")

    # Then
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "request_too_large"


def test_a_login_body_over_the_default_limit_answers_413(api_client):
    body = json.dumps({"email": "a@example.com", "password": "x" * 300_000})

    response = api_client.post("/api/v1/auth/token/", body, content_type="application/json")

    assert (response.status_code, response.json()["code"]) == (413, "request_too_large")


@pytest.mark.parametrize("url", ["/api/v1/auth/sessions/", "/api/v1/mentorships/", "/api/v1/roadmaps/"])
def test_a_huge_page_size_answers_400_not_a_slow_query(learner_client, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = learner_client.get(url, {"page_size": 10**9})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "page_size"


# "\u00b2" (superscript two) is a digit to str.isdigit() but not to int(); Arabic-Indic and full-width
# digits are not ASCII; the others are plainly not page sizes.
@pytest.mark.parametrize("page_size", ["\u00b2", "\u0663", "\uff11", "0", "-1", "1.5", "1e3", " 5", "101"])
@pytest.mark.parametrize("url", ["/api/v1/paths/", "/api/v1/roadmaps/", "/api/v1/notifications/"])
def test_a_page_size_that_is_not_1_to_100_in_ascii_digits_answers_400(api_client, learner, url, page_size):
    if url != "/api/v1/paths/":  # the catalog is public; the others are the learner's own
        api_client.force_authenticate(learner)

    response = api_client.get(url, {"page_size": page_size})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "page_size"


def test_a_huge_reorder_batch_answers_400(learner, learner_client):
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path())

    response = learner_client.put(
        f"/api/v1/roadmaps/{roadmap.pk}/milestones/order/", {"milestones": list(range(1, 5002))}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "milestones"


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://files.example.com/x", "file:///etc/passwd", "data:text/html,hi"]
)
def test_evidence_urls_must_be_http_or_https(learner, learner_client, url):
    roadmap, _ = roadmap_enroll(learner=learner, path=small_path())
    milestone = roadmap.milestones.get(slug="pipeline-project")

    response = learner_client.patch(f"/api/v1/milestones/{milestone.pk}/", {"evidence_url": url}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "evidence_url"
    milestone.refresh_from_db()
    assert milestone.evidence_url == ""


def _wsgi(path: str, body: bytes, **environ) -> tuple[str, dict[str, str], bytes]:
    """One request to the WSGI application as gunicorn hands a chunked one over: no Content-Length."""
    from wsgiref.util import setup_testing_defaults

    from django.core import signals
    from django.db import close_old_connections

    from careerhub.wsgi import application

    env = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "HTTP_HOST": "localhost",
        "CONTENT_TYPE": "application/json",
        "HTTP_TRANSFER_ENCODING": "chunked",
        "wsgi.input": io.BytesIO(body),
        **environ,
    }
    setup_testing_defaults(env)
    env.pop("CONTENT_LENGTH", None)
    answer: dict = {}
    # As the test client does: the test's database connection stays open across the request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        chunks = application(env, lambda status, headers: answer.update(status=status, headers=dict(headers)))
        return answer["status"], answer["headers"], b"".join(chunks)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_a_chunked_body_over_the_limit_answers_413_and_one_under_it_is_read(db):
    too_large = _wsgi("/api/v1/auth/token/", b'{"email": "' + b"a" * 10_000_000 + b'"}')
    read = _wsgi("/api/v1/auth/token/", json.dumps({"email": "ada@example.com", "password": "wrong"}).encode())

    status, headers, body = too_large
    assert (status, headers["Content-Type"], json.loads(body)["code"]) == (
        "413 Content Too Large",
        "application/problem+json",
        "request_too_large",
    )
    status, _, body = read
    assert status.startswith("401"), body  # the credentials were read, and refused
