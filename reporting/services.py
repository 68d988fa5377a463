"""Writes of the reporting app: asking for a KPI recomputation (pages, API and anyone else call this)."""

from django.db import transaction

from core import audit
from core.choices import AuditAction, Role
from core.errors import DomainError
from reporting.choices import RecomputationState
from reporting.models import Kpi, KpiRecomputation
from reporting.periods import PeriodError, parse_period

RECOMPUTE_ROLES = (Role.COMMISSIONER, Role.DATA_ADMIN)


def may_recompute(user) -> bool:
    return user.is_superuser or user.has_role(*RECOMPUTE_ROLES)


def kpi_recomputation_request(*, user, period: str) -> KpiRecomputation:
    """Queue a recomputation of every KPI for `period` (a quarter, month or range label), whole service and per
    team. Asking again while one for the same period is waiting or running gives that one back, so a double
    click queues one job. The task is sent once the request is committed."""
    from reporting.tasks import run_kpi_recomputation

    if not may_recompute(user):
        raise DomainError("Only a commissioner or a data admin may ask for KPI figures to be recomputed.")
    try:
        chosen = parse_period(period or "")
    except PeriodError as error:
        raise DomainError(str(error), field="period") from None
    with transaction.atomic():
        waiting = (
            KpiRecomputation.objects.select_for_update()
            .filter(period_label=chosen.label, state__in=[RecomputationState.PENDING, RecomputationState.RUNNING])
            .first()
        )
        if waiting is not None:
            return waiting
        recomputation = KpiRecomputation.objects.create(
            requested_by=user, period_label=chosen.label, period_start=chosen.start, period_end=chosen.end
        )
        audit.record(AuditAction.CREATE, recomputation, actor=user, details={"period": chosen.label})
        transaction.on_commit(lambda: run_kpi_recomputation.delay(recomputation.pk))
    return recomputation


def kpi_threshold_change(*, user, kpi, threshold) -> Kpi:
    """Change a KPI's target; the audit row keeps the old and the new value. A rate's target is a fraction."""
    from decimal import Decimal, InvalidOperation

    from reporting.choices import KpiKind

    if not (user.is_superuser or user.has_role(Role.DATA_ADMIN)):
        raise DomainError("Only a data admin may change a KPI's threshold.", field="threshold")
    try:
        new = Decimal(str(threshold))
    except InvalidOperation:
        raise DomainError("Enter the threshold as a number, for example 0.95 for 95%.", field="threshold") from None
    if new < 0 or (kpi.kind != KpiKind.COUNT and new > 1):
        raise DomainError(
            "Enter a rate's threshold as a fraction from 0 to 1 (0.95 is 95%); a count's as 0 or more.",
            field="threshold",
        )
    with transaction.atomic():
        locked = Kpi.objects.select_for_update().get(pk=kpi.pk)
        old = locked.threshold
        if old == new:
            return locked
        locked.threshold = new
        locked.save(update_fields=["threshold"])
        audit.record(
            AuditAction.CHANGE,
            locked,
            actor=user,
            details={"field": "threshold", "old": format(old.normalize(), "f"), "new": format(new.normalize(), "f")},
        )
    return locked
