"""A data admin's return pages: the last twelve months (ready, sent, changed since), an export with its progress,
the problems the import's rules found (each linking to the record to fix) and the download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from core import audit
from core.choices import AuditAction
from core.errors import DomainError
from reporting.models import ReturnExport
from reporting.returns import selectors
from reporting.returns.services import (
    may_export,
    private_path,
    referral_links,
    return_export_mark_sent,
    return_export_request,
)

PROBLEMS_PAGE_SIZE = 50


def _require_data_admin(user):
    if not may_export(user):
        raise PermissionDenied


@login_required
@require_GET
def return_months(request):
    _require_data_admin(request.user)
    today = timezone.localdate()
    context = {
        "months": selectors.month_rows(today),
        "transfers": selectors.recent_transfer_exports(),
    }
    return render(request, "reporting/returns/months.html", context)


@login_required
@require_POST
def return_export_new(request):
    _require_data_admin(request.user)
    try:
        export = return_export_request(
            user=request.user, kind=request.POST.get("kind", ""), period=request.POST.get("period", "")
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("reporting:return-months")
    return redirect("reporting:return-export", pk=export.pk)


@login_required
@require_GET
def return_export(request, pk):
    _require_data_admin(request.user)
    export = get_object_or_404(ReturnExport.objects.select_related("requested_by", "sent_by"), pk=pk)
    if request.htmx:
        return render(request, "reporting/returns/includes/export_status.html", {"export": export})
    page = Paginator(export.problems, PROBLEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    links = referral_links({problem["referral_id"] for problem in page})
    problems = [{**problem, "link": _link(links.get(problem["referral_id"]))} for problem in page.object_list]
    audit.record(AuditAction.VIEW, export, actor=request.user, details={"problems_page": page.number})
    context = {"export": export, "page": page, "problems": problems}
    return render(request, "reporting/returns/export.html", context)


def _link(target) -> str:
    return reverse(target[0], args=[target[1]]) if target else ""


@login_required
@require_GET
def return_export_download(request, pk):
    _require_data_admin(request.user)
    export = get_object_or_404(ReturnExport, pk=pk)
    return _file_response(request, export, final=False)


@login_required
@require_POST
def return_export_sent(request, pk):
    """Download as final (the file is the month's return as sent) or only mark it sent."""
    _require_data_admin(request.user)
    export = get_object_or_404(ReturnExport, pk=pk)
    try:
        export = return_export_mark_sent(export=export, user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("reporting:return-export", pk=export.pk)
    if request.POST.get("download"):
        return _file_response(request, export, final=True)
    messages.success(request, f"The return for {export.period} is marked sent.")
    return redirect("reporting:return-months")


def _file_response(request, export: ReturnExport, *, final: bool):
    if not export.downloadable:
        raise Http404("This export has no file to download: it is not finished, or its file was removed.")
    audit.record(
        AuditAction.EXPORT,
        export,
        actor=request.user,
        details={"download": export.file_name, "checksum": export.checksum, "final": final},
    )
    response = FileResponse(private_path(export.file_path).open("rb"), as_attachment=True, filename=export.file_name)
    response["Content-Type"] = "text/csv; charset=utf-8"
    return response
