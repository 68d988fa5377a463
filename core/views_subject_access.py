"""Subject access (issue 15, item 10): a data admin sees who viewed or changed a person's record, page by page,
and downloads all of it as a PDF for the person. Both reads are audited, the download as an export."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from core import audit, subject_access
from core.choices import AuditAction, Role

PAGE_SIZE = 50


def is_data_admin(user) -> bool:
    return user.is_superuser or user.has_role(Role.DATA_ADMIN)


def _person(request, pk):
    if not is_data_admin(request.user):
        raise PermissionDenied("Only data admins answer subject access requests.")
    return get_object_or_404(subject_access.people().visible_to(request.user), pk=pk)


@login_required
def subject_access_page(request, pk):
    person = _person(request, pk)
    ids = subject_access.record_ids(person)
    events = Paginator(subject_access.audit_rows(person, ids), PAGE_SIZE).get_page(request.GET.get("page"))
    changes = Paginator(subject_access.changes(person, ids), PAGE_SIZE).get_page(request.GET.get("changes"))
    change_rows = subject_access.with_who(list(changes))
    # Read before this visit is audited, so the page shows the trail as it was when asked for.
    events.object_list = list(events.object_list)
    audit.audit_view(request, person, page="subject access", events_page=events.number, changes_page=changes.number)
    return render(
        request,
        "core/subject_access.html",
        {"person": person, "events": events, "changes": changes, "change_rows": change_rows},
    )


@login_required
def subject_access_pdf(request, pk):
    person = _person(request, pk)
    ids = subject_access.record_ids(person)
    events = list(subject_access.audit_rows(person, ids).iterator(chunk_size=2000))
    change_rows = subject_access.with_who(list(subject_access.changes(person, ids)))
    html = render_to_string(
        "core/subject_access_print.html",
        {"person": person, "events": events, "change_rows": change_rows, "printed_at": timezone.now()},
    )
    # No base_url: the print template carries its own styles and loads nothing from the network.
    content = HTML(string=html).write_pdf()
    audit.record(
        AuditAction.EXPORT,
        person,
        actor=request.user,
        details={"format": "pdf", "purpose": "subject access", "events": len(events), "changes": len(change_rows)},
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="subject-access-{person.client_id}.pdf"'
    return response
