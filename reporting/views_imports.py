"""The data admin's transfer-of-care import pages: upload (a size refused before the body is read), the list of
past imports, and one import's page, whose status row htmx polls while the background task runs."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from core import audit
from core.errors import DomainError
from core.forms import add_domain_error
from reporting.forms import TransferImportForm
from reporting.models import TransferImport
from reporting.returns.uploads import (
    SizeLimitUploadHandler,
    declared_too_large,
    may_import,
    too_large_message,
    transfer_import_upload,
)

PAGE_SIZE = 20


def _require_data_admin(user):
    if not may_import(user):
        raise PermissionDenied("Only data admins import transfer-of-care files.")


@csrf_exempt
@login_required
def imports(request):
    """The size is judged before anything reads the body. CSRF is then checked by the inner view: the CSRF
    middleware would otherwise read (and spool) the whole upload before this view could refuse it."""
    _require_data_admin(request.user)
    if request.method == "POST":
        if declared_too_large(request):
            return _list_page(request, _too_large_form(), status=413)
        request.upload_handlers.insert(0, SizeLimitUploadHandler(request))
    return _imports(request)


@csrf_protect
def _imports(request):
    form = TransferImportForm()
    if request.method == "POST":
        form = TransferImportForm(request.POST, request.FILES)
        limited = request.upload_handlers[0]
        if isinstance(limited, SizeLimitUploadHandler) and limited.exceeded:
            return _list_page(request, _too_large_form(), status=413)
        if form.is_valid():
            try:
                record = transfer_import_upload(
                    actor=request.user,
                    uploaded_file=form.cleaned_data["file"],
                    create_staff=form.cleaned_data["create_staff"],
                    dry_run=form.cleaned_data["dry_run"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                return redirect("reporting:import-detail", pk=record.pk)
    return _list_page(request, form)


def _too_large_form() -> TransferImportForm:
    form = TransferImportForm(data={})
    form.is_valid()
    form.add_error("file", too_large_message())
    return form


def _list_page(request, form, status: int = 200):
    page = Paginator(TransferImport.objects.select_related("uploaded_by").defer("report"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    audit.audit_list_view(request, TransferImport, page.object_list)
    return render(request, "reporting/imports.html", {"form": form, "page": page}, status=status)


def _import(request, pk):
    _require_data_admin(request.user)
    return get_object_or_404(TransferImport.objects.select_related("uploaded_by"), pk=pk)


@login_required
def import_detail(request, pk):
    record = _import(request, pk)
    audit.audit_view(request, record)
    return render(request, "reporting/import_detail.html", {"record": record})


@login_required
def import_status(request, pk):
    """The status row alone, polled by htmx every second until the import has finished."""
    record = _import(request, pk)
    response = render(request, "reporting/_import_status.html", {"record": record})
    if record.finished:
        # The whole page now has a report to show: htmx loads it in place of the polling row.
        response["HX-Refresh"] = "true"
    return response
