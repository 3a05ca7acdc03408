from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from roadmaps.models import CareerPath
from tests.roadmaps.conftest import edit_yaml

pytestmark = pytest.mark.django_db


def test_load_catalog_reports_what_it_did_and_is_idempotent(catalog_dir: Path):
    first, second = StringIO(), StringIO()

    call_command("load_catalog", "--dir", str(catalog_dir), stdout=first)
    call_command("load_catalog", "--dir", str(catalog_dir), stdout=second)

    assert "Paths: 4 created, 0 updated, 0 unchanged." in first.getvalue()
    assert second.getvalue().strip() == "Skills: 0 created, 0 updated. Paths: 0 created, 0 updated, 4 unchanged."


def test_load_catalog_check_validates_without_writing(catalog_dir: Path):
    out = StringIO()

    call_command("load_catalog", "--dir", str(catalog_dir), "--check", stdout=out)

    assert out.getvalue().startswith("Catalog valid: ")
    assert not CareerPath.objects.exists()


def test_load_catalog_fails_with_every_problem_listed(catalog_dir: Path):
    edit_yaml(catalog_dir / "paths" / "data-scientist.yaml", lambda d: d.pop("summary"))

    with pytest.raises(CommandError) as error:
        call_command("load_catalog", "--dir", str(catalog_dir))

    assert "nothing was loaded" in str(error.value)
    assert "paths/data-scientist.yaml: summary: This field is required." in str(error.value)
    assert not CareerPath.objects.exists()
