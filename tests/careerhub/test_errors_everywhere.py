"""Every error, from any layer, is application/problem+json with a stable code (DEBUG is off in tests)."""

import pytest
from django.http import HttpResponseForbidden
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, include, path, resolve
from django.urls.converters import IntConverter
from rest_framework.views import APIView

from careerhub.urls import handler400, handler403, handler404, handler500  # noqa: F401 - served by this URLconf

PROBLEM = "application/problem+json"
STATIC_FILE = "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"


def _problem(status: int, title: str, code: str, detail: str) -> dict:
    return {"type": "about:blank", "title": title, "status": status, "code": code, "detail": detail}


def html_forbidden(request):
    return HttpResponseForbidden("<h1>Forbidden</h1>")


def plain_boom(request):
    raise RuntimeError("a bug in a plain Django view")


class DrfBoom(APIView):
    permission_classes = ()

    def get(self, request):
        raise RuntimeError("a bug in a DRF view")


class ExplodingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise RuntimeError("a bug in a middleware")


# The URLconf of the tests that need views of their own (settings.ROOT_URLCONF = __name__).
urlpatterns = [
    path("html-forbidden/", html_forbidden),
    path("plain-boom/", plain_boom),
    path("drf-boom/", DrfBoom.as_view()),
    path("", include("careerhub.urls")),
]


@pytest.fixture
def own_urls(settings):
    settings.ROOT_URLCONF = __name__


@pytest.mark.parametrize("url", ["/nowhere", "/api/v1/nowhere/", "/api/v1/paths/no/such/depth/", "/admin-nowhere/"])
def test_an_unknown_url_is_a_problem_json_404(client, url):
    response = client.get(url)

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json() == _problem(404, "Not Found", "not_found", "Not found.")


def test_a_wrong_method_on_a_plain_django_view_is_a_problem_json_405_that_keeps_allow(client):
    response = client.post("/health/live")

    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM
    assert response["Allow"] == "GET"
    assert response.json() == _problem(405, "Method Not Allowed", "method_not_allowed", 'Method "POST" not allowed.')


@pytest.mark.django_db
def test_a_wrong_method_on_an_api_view_is_a_problem_json_405(api_client):
    response = api_client.delete("/api/v1/paths/")

    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM
    assert response.json() == _problem(405, "Method Not Allowed", "method_not_allowed", 'Method "DELETE" not allowed.')


def test_a_wrong_method_on_a_static_file_is_a_problem_json_405(client):
    response = client.post(STATIC_FILE)

    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM
    assert b"".join(response.streaming_content) == (
        b'{"type": "about:blank", "title": "Method Not Allowed", "status": 405, '
        b'"code": "method_not_allowed", "detail": "Method \\"POST\\" not allowed."}'
    )


@pytest.mark.django_db
def test_a_failed_csrf_check_is_a_problem_json_403_naming_csrf(settings):
    settings.CSRF_FAILURE_VIEW = "careerhub.exceptions.csrf_failure"
    browser = Client(enforce_csrf_checks=True)

    response = browser.post("/admin/login/", {"username": "someone", "password": "something"})

    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert response.json() == _problem(
        403, "Forbidden", "csrf_failed", "CSRF verification failed. CSRF cookie not set."
    )


def test_an_html_error_page_of_a_plain_view_becomes_a_problem_json(client, own_urls):
    response = client.get("/html-forbidden/")

    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert response["Content-Length"] == str(len(response.content))
    assert response.json() == _problem(
        403, "Forbidden", "permission_denied", "You do not have permission to perform this action."
    )


def test_a_disallowed_host_is_a_problem_json_400(client):
    response = client.get("/api/v1/paths/", HTTP_HOST="attacker.example")

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json() == _problem(400, "Bad Request", "bad_request", "The request could not be understood.")


@pytest.mark.django_db
def test_malformed_json_is_a_problem_json_400(api_client):
    response = api_client.post("/api/v1/quiz/", data='{"answers": ', content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "parse_error"


@pytest.mark.django_db
def test_a_problem_from_the_schema_view_is_json_not_yaml(api_client):
    response = api_client.get("/api/v1/schema/", HTTP_ACCEPT="text/html")

    assert response.status_code == 406
    assert response["Content-Type"] == PROBLEM
    assert response.json() == _problem(
        406, "Not Acceptable", "not_acceptable", "Could not satisfy the request Accept header."
    )


@pytest.mark.parametrize("url", ["/plain-boom/", "/drf-boom/"])
def test_a_bug_in_any_view_is_a_problem_json_500(client, own_urls, url):
    client.raise_request_exception = False

    response = client.get(url)

    assert response.status_code == 500
    assert response["Content-Type"] == PROBLEM
    assert response.json() == _problem(
        500, "Internal Server Error", "server_error", "An unexpected error occurred; it has been logged."
    )


def test_a_bug_in_a_middleware_is_a_problem_json_500(client, settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.ExplodingMiddleware"]
    client.raise_request_exception = False

    response = client.get("/health/live")

    assert response.status_code == 500
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "server_error"


@pytest.mark.django_db
def test_the_readiness_probe_keeps_its_own_json_body_when_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = client.get("/health/ready")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["down"] == ["broker"]


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/roadmaps/99999999999999999999999/"),
        ("patch", "/api/v1/roadmaps/9223372036854775808/"),
        ("get", "/api/v1/roadmaps/9223372036854775808/milestones/"),
        ("get", "/api/v1/milestones/99999999999999999999999/"),
        ("post", "/api/v1/milestones/99999999999999999999999/entries/"),
        ("get", "/api/v1/reviews/99999999999999999999999/"),
        ("post", "/api/v1/mentorships/99999999999999999999999/accept/"),
        ("get", "/api/v1/mentees/99999999999999999999999/roadmaps/"),
    ],
)
def test_an_id_beyond_bigint_is_a_404_before_any_query(learner_client, django_assert_num_queries, method, url):
    with django_assert_num_queries(0):
        response = getattr(learner_client, method)(url, data={}, format="json")

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "not_found"


def test_the_largest_bigint_id_is_still_routed():
    match = resolve("/api/v1/roadmaps/9223372036854775807/milestones/")

    assert match.url_name == "roadmap-milestone-list"
    assert match.kwargs == {"roadmap_id": 2**63 - 1}


def _routes(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.pattern.converters


def test_every_integer_path_parameter_is_bounded_to_bigint():
    unbounded = [
        route
        for route, converters in _routes(get_resolver())
        if any(type(converter) is IntConverter for converter in converters.values())
    ]

    assert unbounded == [], (
        "Use <id:...> (careerhub.converters.IdConverter) for ids: Django's <int:...> takes digits of any length, "
        f"and an id beyond bigint then reaches the database. Routes: {unbounded}"
    )


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/api/v1/roadmaps/9223372036854775808/", 404),
        ("get", "/api/v1/no-such-endpoint/", 404),
        ("delete", "/api/v1/paths/", 405),
    ],
)
def test_with_debug_on_as_in_the_demo_the_api_still_answers_problem_json(client, settings, method, url, status):
    settings.DEBUG = True

    response = getattr(client, method)(url)

    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == status
