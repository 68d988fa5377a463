"""Optimistic locking: an edit names the version it started from; a stale one is refused, not merged."""

from django.db.models import F

from core.errors import StaleEditError


def save_if_unchanged(instance, *, expected_version: int, fields: list[str], what: str = "record") -> None:
    """Write `fields` of `instance` only if nobody saved it since `expected_version` was read."""
    model = type(instance)
    values = {name: getattr(instance, name) for name in fields}
    updated = model.objects.filter(pk=instance.pk, version=expected_version).update(**values, version=F("version") + 1)
    if updated != 1:
        raise StaleEditError(what)
    instance.version = expected_version + 1
