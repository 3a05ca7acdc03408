"""A JSON body nested deeper than any body of the API answers 400 on every endpoint that reads
one, however deep: the decoder's recursion limit is no 500.

Each endpoint is tried by an actor the permission matrix lets through, on the matrix's objects,
so the body is read rather than refused first; the matrix itself is checked against the URL conf.
"""

import pytest
from rest_framework.test import APIClient

from careerhub.parsers import MAX_DEPTH
from tests.test_permission_matrix import MATRIX, world  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

ROWS = [row for row in MATRIX if row.method in ("post", "put", "patch")]


def _nested(depth: int) -> str:
    return '{"answers":' + "[" * depth + "]" * depth + "}"


def _allowed_actor(row) -> str:
    """The actor the matrix answers with a success, the learner first."""
    allowed = [actor for actor, status in row.expected.items() if status < 300]
    return "learner" if "learner" in allowed else allowed[0]


def test_every_endpoint_that_takes_a_body_is_tried():
    assert {(row.route, row.method) for row in ROWS} >= {("quiz/", "post"), ("auth/token/", "post")}
    assert len(ROWS) > 30


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1_000, 100_000])
@pytest.mark.parametrize("row", ROWS, ids=str)
def test_a_body_nested_too_deep_answers_400_json_too_deep(world, row, depth):  # noqa: F811
    client = world.client(_allowed_actor(row))

    response = getattr(client, row.method)(row.url(world), _nested(depth), content_type="application/json")

    # An endpoint that takes no body (a resend, an action) does not read it and goes on.
    assert response.status_code < 300 or response.status_code == 400, response.content[:300]
    if response.status_code == 400:
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "json_too_deep"


@pytest.mark.parametrize("path", ["/api/v1/quiz/", "/api/v1/auth/token/", "/api/v1/auth/password/reset/"])
def test_anonymous_bodies_just_deep_enough_are_read(db, path):
    response = APIClient().post(path, _nested(MAX_DEPTH - 1), content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] != "json_too_deep"
