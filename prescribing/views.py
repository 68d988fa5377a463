"""Prescriber pages: today's clinic, a person's dose timeline, and the clinical assessment, prescription and dose
change forms. Views translate input and show `DomainError` messages; the rules live in `services`."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from core import audit
from core.choices import Role
from core.errors import DomainError
from prescribing import selectors, services, waits
from prescribing.forms import ChangeDoseForm, ClinicalAssessmentForm, PrescriptionForm, add_domain_error
from prescribing.models import ClinicalAssessment, DrugTest, Prescription, SafeStorage
from referrals.models import Episode, Person


def _require_prescriber(user):
    if not user.has_role(Role.PRESCRIBER):
        raise PermissionDenied("Only prescribers can use the clinic pages.")


@login_required
def clinic(request):
    _require_prescriber(request.user)
    today = timezone.localdate()
    rows = selectors.clinic_list(request.user, today)
    audit.audit_list_view(request, Prescription, len(rows), page="clinic")
    return render(request, "prescribing/clinic.html", {"rows": rows, "today": today})


@login_required
def person_history(request, pk):
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    prescriptions = selectors.prescribing_history(person)
    tests = selectors.drug_tests(person)
    assessments = list(ClinicalAssessment.objects.filter(person=person).select_related("prescriber"))
    storage = list(SafeStorage.objects.filter(person=person))
    audit.audit_view(request, person, page="prescribing history")
    audit.audit_list_view(request, Prescription, len(prescriptions), person=person.pk)
    audit.audit_list_view(request, DrugTest, len(tests), person=person.pk)
    return render(
        request,
        "prescribing/history.html",
        {
            "person": person,
            "prescriptions": prescriptions,
            "tests": tests,
            "assessments": assessments,
            "storage": storage,
            "open_episode": Episode.objects.filter(person=person, discharged_on__isnull=True).first(),
            "is_prescriber": request.user.has_role(Role.PRESCRIBER),
            "today": timezone.localdate(),
        },
    )


def _visible_episode(request, pk):
    return get_object_or_404(Episode.objects.visible_to(request.user).select_related("person"), pk=pk)


@login_required
def clinical_assessment_new(request, episode_pk):
    _require_prescriber(request.user)
    episode = _visible_episode(request, episode_pk)
    form = ClinicalAssessmentForm(request.POST or None, initial={"assessed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_clinical_assessment(actor=request.user, episode=episode, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("prescribing:person-history", pk=episode.person_id)
    return render(
        request,
        "prescribing/form.html",
        {"form": form, "person": episode.person, "title": "Record a clinical assessment", "submit": "Save assessment"},
    )


@login_required
def prescription_new(request, episode_pk):
    _require_prescriber(request.user)
    episode = _visible_episode(request, episode_pk)
    form = PrescriptionForm(request.POST or None, initial={"starts_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.prescribe(actor=request.user, episode=episode, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("prescribing:person-history", pk=episode.person_id)
    return render(
        request,
        "prescribing/form.html",
        {"form": form, "person": episode.person, "title": "New prescription", "submit": "Save prescription"},
    )


@login_required
def change_dose(request, pk):
    _require_prescriber(request.user)
    prescription = get_object_or_404(
        Prescription.objects.visible_to(request.user).select_related("person", "medication"), pk=pk
    )
    form = ChangeDoseForm(
        request.POST or None,
        initial={"version": prescription.version, "dose": prescription.dose, "supervised": prescription.supervised},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.change_dose(
                actor=request.user, prescription=prescription, expected_version=data.pop("version"), **data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("prescribing:person-history", pk=prescription.person_id)
    return render(
        request,
        "prescribing/form.html",
        {
            "form": form,
            "person": prescription.person,
            "title": f"Change dose: {prescription}",
            "submit": "Save new dose",
        },
    )


@login_required
def waits_page(request):
    _require_prescriber(request.user)
    breaches_only = request.GET.get("breaches") == "1"
    clocks = waits.waits(request.user, timezone.localdate())
    # Started on time is done with; the page shows who is still waiting and every late start.
    shown = [row for row in clocks if row.breached or row.started_on is None]
    if breaches_only:
        shown = [row for row in shown if row.breached]
    audit.audit_list_view(request, Person, len(shown), page="prescribing waits")
    return render(
        request,
        "prescribing/waits.html",
        {"rows": shown, "breaches_only": breaches_only, "breach_count": sum(row.breached for row in clocks)},
    )
