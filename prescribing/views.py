"""Prescriber pages: today's clinic, a person's dose timeline, and the clinical assessment, prescription and dose
change forms. Views translate input and show `DomainError` messages; the rules live in `services`."""

from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from core import audit
from core.choices import Role
from core.dates import long_date
from core.errors import DomainError
from core.forms import add_domain_error
from core.pagination import paginate
from prescribing import selectors, services, waits
from prescribing.forms import (
    ChangeDoseForm,
    ClinicalAssessmentForm,
    CustodyStepForm,
    DetoxPlanForm,
    DrugTestForm,
    PrescriptionForm,
    ResidentialReferralForm,
    SafeStorageForm,
    SharedCareEndForm,
    SharedCareForm,
)
from prescribing.models import (
    ClinicalAssessment,
    DetoxPlan,
    DrugTest,
    Prescription,
    ResidentialReferral,
    SafeStorage,
    SharedCareTransfer,
)
from referrals.models import Episode, Person


def _require_prescriber(user):
    if not user.has_role(Role.PRESCRIBER):
        raise PermissionDenied("Only prescribers can use the clinic pages.")


@login_required
def clinic(request):
    _require_prescriber(request.user)
    today = timezone.localdate()
    page = paginate(request, selectors.clinic_list(request.user, today), ordering=selectors.CLINIC_ORDER)
    audit.audit_list_view(request, Prescription, page.rows, page="clinic")
    return render(request, "prescribing/clinic.html", {"page": page, "rows": page.rows, "today": today})


@login_required
def person_history(request, pk):
    selectors.require_permission(request.user, "prescribing.view_prescription")
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    prescriptions = selectors.prescribing_history(person)
    tests = selectors.drug_tests(person)
    assessments = list(ClinicalAssessment.objects.filter(person=person).select_related("prescriber"))
    storage = list(SafeStorage.objects.filter(person=person).select_related("recorded_by"))
    shared_care = list(SharedCareTransfer.objects.filter(person=person).select_related("review_keyworker"))
    audit.audit_view(request, person, page="prescribing history")
    audit.audit_list_view(request, Prescription, prescriptions, person=person.pk)
    audit.audit_list_view(request, DrugTest, tests, person=person.pk)
    return render(
        request,
        "prescribing/history.html",
        {
            "person": person,
            "prescriptions": prescriptions,
            "tests": tests,
            "assessments": assessments,
            "storage": storage,
            "shared_care": shared_care,
            "open_episode": Episode.objects.filter(person=person, discharged_on__isnull=True).first(),
            "is_prescriber": request.user.has_role(Role.PRESCRIBER),
            "can_add_storage": request.user.has_perm("prescribing.add_safestorage"),
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
    form = PrescriptionForm(
        request.POST or None, initial={"starts_on": timezone.localdate()}, user=request.user, episode=episode
    )
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
        {
            "form": form,
            "person": episode.person,
            "title": "New prescription",
            "submit": "Save prescription",
            # The first prescription is refused without one: say so before the prescriber fills the form in.
            "assessment_needed_for": None if ClinicalAssessment.objects.filter(episode=episode).exists() else episode,
        },
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
    # The team board of prescribing starts: prescribers and team managers (each sees their own scope).
    if not request.user.has_role(Role.PRESCRIBER, Role.TEAM_MANAGER):
        raise PermissionDenied("Only prescribers and team managers can see prescribing waits.")
    breaches_only = request.GET.get("breaches") == "1"
    today = timezone.localdate()
    # Started on time is done with; the page shows who is still waiting and every late start. Each clock is
    # worked out in SQL for every open prescribing modality in scope, so the page runs it once: no counts.
    board = waits.waits_board(request.user, today, breaches_only=breaches_only)
    page = paginate(request, board, ordering=waits.WAITS_ORDER, count=False)
    audit.audit_list_view(request, Person, [m.episode.person for m in page.rows], page="prescribing waits")
    return render(
        request,
        "prescribing/waits.html",
        {
            "page": page,
            "rows": [waits.clock_of(m, today) for m in page.rows],
            "breaches_only": breaches_only,
        },
    )


def _form_page(request, form, person, title, submit):
    return render(request, "prescribing/form.html", {"form": form, "person": person, "title": title, "submit": submit})


@login_required
def drug_tests(request, episode_pk):
    selectors.require_permission(request.user, "prescribing.view_drugtest")
    episode = _visible_episode(request, episode_pk)
    tests = selectors.episode_drug_tests(episode)
    audit.audit_view(request, episode, page="drug and alcohol tests")
    audit.audit_list_view(request, DrugTest, tests, episode=episode.pk)
    return render(
        request,
        "prescribing/drug_tests.html",
        {
            "episode": episode,
            "person": episode.person,
            "tests": tests,
            "can_add": request.user.has_perm("prescribing.add_drugtest") and episode.discharged_on is None,
        },
    )


@login_required
def drug_test_new(request, episode_pk):
    selectors.require_permission(request.user, "prescribing.add_drugtest")
    episode = _visible_episode(request, episode_pk)
    form = DrugTestForm(request.POST or None, initial={"tested_on": timezone.localdate()}, episode=episode)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_drug_test(actor=request.user, episode=episode, **form.service_arguments())
        except DomainError as exc:
            if exc.field == "results":
                form.add_results_error(exc.message)
            else:
                add_domain_error(form, exc)
        else:
            return redirect("prescribing:drug-tests", episode_pk=episode.pk)
    return render(
        request, "prescribing/drug_test_form.html", {"form": form, "person": episode.person, "episode": episode}
    )


@login_required
def drug_test_custody(request, pk):
    """The next step of a sealed sample's chain of custody: sent to, then received by, the laboratory."""
    selectors.require_permission(request.user, "prescribing.add_drugtest")
    test = get_object_or_404(DrugTest.objects.visible_to(request.user).select_related("episode__person"), pk=pk)
    form = CustodyStepForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.drug_test_custody_add(
                actor=request.user,
                test=test,
                step=data["step"],
                at=timezone.make_aware(datetime.combine(data["on"], data["at_time"])),
                by=data["by"],
            )
        except DomainError as exc:
            add_domain_error(form, exc, aliases={"at": "on"})
        else:
            return redirect("prescribing:drug-tests", episode_pk=test.episode_id)
    title = f"Chain of custody: test of {long_date(test.tested_on)}"
    return _form_page(request, form, test.episode.person, title, "Save step")


@login_required
def detox(request, episode_pk):
    selectors.require_permission(request.user, "prescribing.view_detoxplan")
    episode = _visible_episode(request, episode_pk)
    plans = selectors.detox_plans(episode)
    referrals = list(ResidentialReferral.objects.filter(episode=episode).select_related("recorded_by"))
    audit.audit_view(request, episode, page="detox and residential referrals")
    audit.audit_list_view(request, DetoxPlan, plans, episode=episode.pk)
    audit.audit_list_view(request, ResidentialReferral, referrals, episode=episode.pk)
    return render(
        request,
        "prescribing/detox.html",
        {
            "episode": episode,
            "person": episode.person,
            "plans": plans,
            "referrals": referrals,
            "is_prescriber": request.user.has_role(Role.PRESCRIBER) and episode.discharged_on is None,
        },
    )


@login_required
def detox_plan_new(request, episode_pk):
    _require_prescriber(request.user)
    episode = _visible_episode(request, episode_pk)
    form = DetoxPlanForm(request.POST or None, user=request.user, episode=episode)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_detox_plan(actor=request.user, episode=episode, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("prescribing:detox", episode_pk=episode.pk)
    return _form_page(request, form, episode.person, "Plan a detox", "Save detox plan")


@login_required
def residential_referral_new(request, episode_pk):
    _require_prescriber(request.user)
    episode = _visible_episode(request, episode_pk)
    form = ResidentialReferralForm(request.POST or None, initial={"referred_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.refer_residential(actor=request.user, episode=episode, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("prescribing:detox", episode_pk=episode.pk)
    return _form_page(request, form, episode.person, "Refer to inpatient detox or residential rehab", "Save referral")


@login_required
def shared_care_new(request, episode_pk):
    _require_prescriber(request.user)
    episode = _visible_episode(request, episode_pk)
    form = SharedCareForm(request.POST or None, initial={"transferred_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.transfer_to_shared_care(actor=request.user, episode=episode, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("prescribing:person-history", pk=episode.person_id)
    return _form_page(request, form, episode.person, "Transfer to GP shared care", "Save transfer")


@login_required
def shared_care_end(request, pk):
    _require_prescriber(request.user)
    transfer = get_object_or_404(SharedCareTransfer.objects.visible_to(request.user).select_related("person"), pk=pk)
    form = SharedCareEndForm(
        request.POST or None, initial={"version": transfer.version, "ended_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.shared_care_end(
                actor=request.user, transfer=transfer, expected_version=data.pop("version"), **data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("prescribing:person-history", pk=transfer.person_id)
    return _form_page(request, form, transfer.person, f"End shared care with {transfer.gp_practice}", "End shared care")


@login_required
def safe_storage_new(request, pk):
    selectors.require_permission(request.user, "prescribing.add_safestorage")
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    form = SafeStorageForm(request.POST or None, initial={"offered_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_safe_storage(actor=request.user, person=person, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("prescribing:person-history", pk=person.pk)
    return _form_page(request, form, person, "Record a safe storage box offer", "Save")
