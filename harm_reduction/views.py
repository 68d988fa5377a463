"""Pages for the harm reduction worker: quick NSP entry, today's visits, vaccination doses due this week."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone

from core import audit
from core.choices import Role
from core.errors import DomainError
from core.pagination import capped_count, count_label, paginate
from harm_reduction import selectors, services
from harm_reduction.forms import NspVisitForm
from harm_reduction.models import Attender, HepBCourse, NspVisit
from referrals.models import Person


def is_worker(user) -> bool:
    """Harm reduction workers and data admins record harm reduction work and use the NSP and BBV pages."""
    return user.is_superuser or user.has_role(Role.HARM_REDUCTION_WORKER, Role.DATA_ADMIN)


def _require_worker(user):
    if not is_worker(user):
        raise PermissionDenied("Only harm reduction workers and data admins use the NSP and BBV pages.")


@login_required
def nsp(request):
    """Quick entry: find the attender by code (GET), record the visit (POST), back to the same page."""
    _require_worker(request.user)
    code = request.GET.get("code", "").strip().upper()
    attender = Attender.objects.visible_to(request.user).filter(code=code).first() if code else None
    recent = list(attender.visits.select_related("site")[:5]) if attender else []
    if attender:
        audit.audit_view(request, attender)
    initial = {}
    if attender:
        initial = {"initials": attender.initials, "date_of_birth": attender.date_of_birth, "sex": attender.sex}
    form = NspVisitForm(request.POST or None, initial=initial)
    warnings = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            attender, _ = services.find_or_create_attender(
                actor=request.user, initials=data["initials"], date_of_birth=data["date_of_birth"], sex=data["sex"]
            )
            result = services.record_nsp_visit(
                actor=request.user,
                attender=attender,
                site=data["site"],
                visited_on=data["visited_on"],
                issues=form.issues(),
                items_returned=data["items_returned"] or 0,
                sharps_bins_returned=data["sharps_bins_returned"] or 0,
                drugs_injected=data["drugs_injected"],
                advice_given=data["advice_given"],
                onward_referral_offered=data["onward_referral_offered"],
                young_peoples_service_offered=data["young_peoples_service_offered"],
                young_person_issue_reason=data["young_person_issue_reason"],
            )
        except DomainError as exc:
            form.add_error(form.field_for(exc.field), exc.message)
        else:
            if result.safeguarding_task is not None:
                messages.success(
                    request, "Visit saved. The attender is under 18: a safeguarding task was raised for the team."
                )
            if not result.warnings:
                return redirect("harm_reduction:visits-today")
            warnings = result.warnings
            recent = [result.visit]
            form = NspVisitForm(initial=initial)
    return render(
        request,
        "harm_reduction/nsp.html",
        {"form": form, "code": code, "attender": attender, "recent": recent, "warnings": warnings},
    )


@login_required
def visits_today(request):
    _require_worker(request.user)
    today = timezone.localdate()
    visits = list(selectors.visits_on(user=request.user, on=today))
    audit.audit_list_view(request, NspVisit, visits, page="today's visits")
    return render(request, "harm_reduction/visits_today.html", {"visits": visits, "today": today})


@login_required
def doses_due(request):
    _require_worker(request.user)
    today = timezone.localdate()
    start = today - timedelta(days=today.weekday())
    end = start + timedelta(days=6)
    courses = selectors.doses_due_between(user=request.user, start=start, end=end)
    page = paginate(request, courses, ordering=selectors.DOSES_DUE_ORDER)
    audit.audit_list_view(request, HepBCourse, page.rows, page="doses due this week")
    hep_c_due = count_label(*capped_count(selectors.people_due_hep_c_offer(user=request.user)))
    return render(
        request,
        "harm_reduction/doses_due.html",
        {"page": page, "courses": page.rows, "start": start, "end": end, "today": today, "hep_c_due": hep_c_due},
    )


@login_required
def hep_c_due(request):
    _require_worker(request.user)
    people = selectors.people_due_hep_c_offer(user=request.user)
    page = paginate(request, people, ordering=selectors.HEP_C_DUE_ORDER)
    audit.audit_list_view(request, Person, page.rows, page="hepatitis C test not offered")
    return render(request, "harm_reduction/hep_c_due.html", {"page": page})
