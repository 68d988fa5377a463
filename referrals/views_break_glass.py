"""Break-glass pages: a worker opens a record outside their scope in an emergency; the data admin's report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from core import audit
from core.choices import Role
from core.dates import clock_time
from core.errors import DomainError
from core.forms import add_domain_error
from referrals.forms_break_glass import BreakGlassForm
from referrals.models import BreakGlassAccess
from referrals.services import break_glass

REPORT_PAGE_SIZE = 50


@login_required
def break_glass_open(request):
    if not break_glass.may_break_glass(request.user):
        raise PermissionDenied
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = break_glass.find_person(client_id=data["client_id"], nhs_number_value=data["nhs_number"])
            access = break_glass.break_glass_open(actor=request.user, person=person, reason=data["reason"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            until = clock_time(access.expires_at)
            messages.success(request, f"You can open this record until {until}. Your team manager will review it.")
            return redirect("referrals:person-detail", pk=person.pk)
    context = {"form": form, "hours": break_glass.BREAK_GLASS_HOURS}
    return render(request, "referrals/break_glass/open.html", context)


@login_required
def break_glass_report(request):
    if not (request.user.is_superuser or request.user.has_role(Role.DATA_ADMIN)):
        raise PermissionDenied
    page = Paginator(break_glass.break_glass_report(), REPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    audit.audit_list_view(request, BreakGlassAccess, page, page=page.number)
    return render(request, "referrals/break_glass/report.html", {"accesses": page, "page": page})
