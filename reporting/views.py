"""The recomputation request and its status, as htmx partials the dashboard embeds (and plain pages without
JavaScript)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from reporting.models import KpiRecomputation
from reporting.services import kpi_recomputation_request, may_recompute


def _require_recompute_role(user):
    if not may_recompute(user):
        raise PermissionDenied


@login_required
@require_POST
def recomputation_request(request):
    _require_recompute_role(request.user)
    period = request.POST.get("period", "")
    try:
        recomputation = kpi_recomputation_request(user=request.user, period=period)
    except DomainError as error:
        return render(
            request,
            "reporting/includes/recomputation_form.html",
            {"period": period, "error": error.message},
        )
    if request.htmx:
        return render(request, "reporting/includes/recomputation_status.html", {"recomputation": recomputation})
    return redirect("reporting:recomputation-status", pk=recomputation.pk)


@login_required
@require_GET
def recomputation_status(request, pk):
    _require_recompute_role(request.user)
    recomputation = get_object_or_404(KpiRecomputation, pk=pk)
    template = "reporting/includes/recomputation_status.html" if request.htmx else "reporting/recomputation.html"
    return render(request, template, {"recomputation": recomputation})
