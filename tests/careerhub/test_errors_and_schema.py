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
