"""Harm reduction worker pages beyond the NSP counter: naloxone supply, outreach contacts, linking an anonymous
attender to a person record, and return rates. Workers and data admins only (403 otherwise)."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import audit
from core.errors import DomainError
from core.forms import add_domain_error
from harm_reduction import selectors, services
from harm_reduction.choices import OutreachSetting
from harm_reduction.forms import LinkAttenderForm, NaloxoneForm, OutreachForm, PeriodForm
from harm_reduction.models import Attender, NspSafeguardingTask, NspSite, OutreachContact
from harm_reduction.views import _require_worker
from referrals.models import Person

PAGE_SIZE = 50
RETURN_RATE_DAYS = 90


def _code(value: str) -> str:
    return (value or "").strip().upper()


@login_required
def naloxone_new(request):
    """For a person (`?person=<id>`, from their BBV page) or for an NSP attender by code (from the NSP counter)."""
    _require_worker(request.user)
    person_pk = request.GET.get("person")
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=person_pk) if person_pk else None
    form = NaloxoneForm(
        request.POST or None,
        initial={"supplied_on": timezone.localdate(), "attender_code": request.GET.get("code", "")},
    )
    if person:
        del form.fields["attender_code"]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        code = _code(data.pop("attender_code", ""))
        attender = Attender.objects.visible_to(request.user).filter(code=code).first() if code else None
        if code and attender is None:
            form.add_error("attender_code", f"No attender has the code {code}. Check it on the NSP page.")
        else:
            try:
                services.record_naloxone(actor=request.user, person=person, attender=attender, **data)
            except DomainError as exc:
                add_domain_error(form, exc, aliases={"person": "attender_code"})
            else:
                if person:
                    return redirect("harm_reduction:person-bbv", pk=person.pk)
                return redirect(f"{reverse('harm_reduction:nsp')}?code={attender.code}")
    return render(
        request,
        "harm_reduction/form.html",
        {"form": form, "person": person, "title": "Supply naloxone", "submit": "Save supply"},
    )


@login_required
def outreach(request):
    """Record an outreach contact and see the month's contacts by setting and the latest contacts."""
    _require_worker(request.user)
    today = timezone.localdate()
    form = OutreachForm(request.POST or None, initial={"contacted_on": today})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        client_id = data.pop("client_id").strip()
        person = (
            Person.objects.visible_to(request.user).filter(client_id__iexact=client_id).first() if client_id else None
        )
        if client_id and person is None:
            form.add_error("client_id", f"No person you can see has the client ID {client_id}.")
        else:
            try:
                services.record_outreach(actor=request.user, person=person, **data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                return redirect("harm_reduction:outreach")
    month_start = today.replace(day=1)
    counts = selectors.outreach_counts(start=month_start, end=today)
    rows = [
        (label, counts.get(value, {"contacts": 0, "not_in_treatment": 0})) for value, label in OutreachSetting.choices
    ]
    page = Paginator(
        OutreachContact.objects.visible_to(request.user).select_related("person", "recorded_by"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    audit.audit_list_view(request, OutreachContact, page, page="outreach", number=page.number)
    return render(
        request,
        "harm_reduction/outreach.html",
        {"form": form, "rows": rows, "month_start": month_start, "today": today, "page": page},
    )


@login_required
def link_attender(request):
    """Find an anonymous attender by code, choose the person (same date of birth, someone the worker may see) and
    confirm: the attender's visits then show on that person's record. The link is audited by the service."""
    _require_worker(request.user)
    code = _code(request.POST.get("code") or request.GET.get("code"))
    attender = (
        Attender.objects.visible_to(request.user).select_related("person", "sex").filter(code=code).first()
        if code
        else None
    )
    form = None
    if attender and attender.person_id is None:
        candidates = selectors.link_candidates(user=request.user, attender=attender)
        form = LinkAttenderForm(request.POST or None, candidates=candidates)
        if request.method == "POST" and form.is_valid():
            try:
                services.link_attender(actor=request.user, attender=attender, person=form.cleaned_data["person"])
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                return redirect("harm_reduction:person-bbv", pk=form.cleaned_data["person"].pk)
    if attender:
        audit.audit_view(request, attender, page="link attender")
        if form is not None:
            audit.audit_list_view(request, Person, form.fields["person"].queryset, page="link candidates")
    return render(
        request,
        "harm_reduction/link_attender.html",
        {
            "code": code,
            "attender": attender,
            "visit_count": attender.visits.count() if attender else 0,
            "form": form,
        },
    )


@login_required
def return_rates(request):
    """Used items returned / issued (sharps bins excepted) per site and per attender over a period."""
    _require_worker(request.user)
    today = timezone.localdate()
    form = PeriodForm(request.GET if "start_day" in request.GET else None)
    start, end = today - timedelta(days=RETURN_RATE_DAYS), today
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    elif not form.is_bound:
        form = PeriodForm(initial={"start": start, "end": end})
    sites = list(selectors.site_return_rates(start=start, end=end))
    attenders = (
        selectors.attender_return_rates(user=request.user, start=start, end=end)
        .filter(Q(issued__gt=0) | Q(returned__gt=0))
        .select_related("person")
        .order_by("code")
    )
    page = Paginator(attenders, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.audit_list_view(request, NspSite, sites, page="return rates")
    audit.audit_list_view(request, Attender, page, page="return rates", number=page.number)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "harm_reduction/return_rates.html",
        {"form": form, "start": start, "end": end, "sites": sites, "page": page, "query": query.urlencode()},
    )


@login_required
def safeguarding(request):
    """Open safeguarding tasks of the worker's harm reduction teams (every team's for a data admin), soonest due
    first: one per visit by an attender under 18."""
    _require_worker(request.user)
    tasks = selectors.open_safeguarding_tasks(user=request.user)
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.audit_list_view(request, NspSafeguardingTask, page, page="safeguarding", number=page.number)
    return render(request, "harm_reduction/safeguarding.html", {"page": page, "today": timezone.localdate()})


@login_required
@require_POST
def safeguarding_done(request, pk):
    _require_worker(request.user)
    task = get_object_or_404(NspSafeguardingTask.objects.visible_to(request.user), pk=pk)
    try:
        services.safeguarding_task_done(actor=request.user, task=task)
    except DomainError as exc:
        raise PermissionDenied(exc.message) from exc
    return redirect("harm_reduction:safeguarding")
