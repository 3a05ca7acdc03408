import pytest
from django.test import override_settings


@pytest.mark.django_db
def test_ready_checks_the_database_and_the_broker(client):
    response = client.get("/health/ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.django_db
def test_live_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_ready_answers_503_naming_the_broker_when_it_is_down(client):
    response = client.get("/health/ready")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "broker": "down"},
        "down": ["broker"],
    }


@pytest.mark.django_db
def test_health_probes_are_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/health/live").status_code == 200
    assert client.get("/api/v1/paths/").status_code == 301
