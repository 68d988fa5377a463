"""The catalogue rows (`reporting.Kpi`, loaded by migration 0002) in their order."""

from reporting.models import Kpi


def catalogue() -> list[Kpi]:
    return list(Kpi.objects.order_by("sort_order", "code"))


def codes() -> list[str]:
    return list(Kpi.objects.order_by("sort_order", "code").values_list("code", flat=True))
