from io import StringIO

import pytest
from django.core.management import call_command


def test_an_unknown_url_is_a_problem_json_404(client):
    response = client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "code": "not_found",
        "detail": "Not found.",
    }


def test_an_unhandled_error_is_a_problem_json_500_without_a_stack_trace(client, settings):
    settings.ROOT_URLCONF = "tests.careerhub.failing_urls"
    client.raise_request_exception = False

    response = client.get("/boom/")

    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "Traceback" not in response.content.decode()


@pytest.mark.django_db
def test_the_schema_is_openapi_3_and_documents_the_catalog(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")

    schema = response.json()
    assert response.status_code == 200
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/paths/", "/api/v1/paths/{slug}/", "/api/v1/skills/", "/api/v1/skills/{slug}/"} <= set(
        schema["paths"]
    )


def test_the_schema_generates_without_warnings():
    out = StringIO()

    call_command("spectacular", "--validate", "--fail-on-warn", "--api-version", "v1", stdout=out)

    assert out.getvalue().startswith("openapi: 3")


@pytest.mark.django_db
def test_the_docs_page_works_offline_with_its_own_assets(client):
    page = client.get("/api/v1/docs/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js").status_code == 200


@pytest.mark.django_db
def test_the_schema_documents_the_problem_responses(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()

    log_entry = schema["paths"]["/api/v1/milestones/{milestone_id}/entries/"]["post"]["responses"]
    catalog = schema["paths"]["/api/v1/paths/"]["get"]["responses"]
    assert set(log_entry) == {"201", "400", "401", "403", "404", "409", "415", "422", "429"}
    assert log_entry["409"]["content"]["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert set(catalog) == {"200", "400", "404"}
    assert "code" in schema["components"]["schemas"]["Problem"]["required"]
    post_parameters = schema["paths"]["/api/v1/milestones/{milestone_id}/entries/"]["post"]["parameters"]
    assert "Idempotency-Key" in [parameter["name"] for parameter in post_parameters]
