import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

from roadmaps.services.catalog import catalog_load


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    """A private copy of the real catalog files, for tests that edit them."""
    return Path(shutil.copytree(settings.CATALOG_DIR, tmp_path / "fixtures"))


def edit_yaml(file: Path, change: Callable[[Any], None]) -> None:
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    change(data)
    file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


@pytest.fixture
def loaded_catalog(db) -> None:
    catalog_load(directory=settings.CATALOG_DIR)
