"""The API's JSON renderer writes what DRF's own writes, faster."""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers

from careerhub.renderers import JSONRenderer


@dataclass
class Point:
    x: int
    y: int


def _both(data, media_type=None):
    return JSONRenderer().render(data, media_type), renderers.JSONRenderer().render(data, media_type)


def test_the_renderer_writes_the_same_bytes_as_drf():
    data = {
        "id": 12,
        "title": "Déploiement \u2013 \u201cquality gate\u201d \u2713",
        "separators": "line\u2028paragraph\u2029end",
        "when": datetime(2026, 11, 28, 9, 3, 53, 332360, tzinfo=UTC),
        "whole_second": datetime(2026, 11, 28, 9, 3, 53, tzinfo=UTC),
        "day": date(2026, 11, 28),
        "at": time(7, 30),
        "took": timedelta(minutes=90),
        "hours": 12.5,
        "price": Decimal("3.25"),
        "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "lazy": gettext_lazy("Active"),
        "nested": [{"a": None, "b": True}, (1, 2)],
        7: "an integer key",
    }

    ours, drf = _both(data)

    assert ours == drf


def test_what_orjson_refuses_and_indented_output_go_through_drf():
    huge = {"n": 2**70}
    indented = {"a": [1, 2]}

    assert _both(huge)[0] == _both(huge)[1] == b'{"n":1180591620717411303424}'
    assert _both(indented, "application/json; indent=2")[0] == _both(indented, "application/json; indent=2")[1]
    assert JSONRenderer().render(None) == b""


def test_what_drf_cannot_write_fails_the_same_way():
    with pytest.raises(TypeError):
        renderers.JSONRenderer().render({"point": Point(1, 2)})
    with pytest.raises(TypeError):
        JSONRenderer().render({"point": Point(1, 2)})
