from typing import Any

from django.db import models


def fields_assign(instance: models.Model, values: dict[str, Any]) -> list[str]:
    """Set on ``instance`` the values that differ from what it holds; the names of those fields.

    Services save with ``update_fields`` set to the result, and skip the save when it is empty.
    """
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    return changed
