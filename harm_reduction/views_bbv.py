"""A person's blood-borne virus and hepatitis B page and its forms: vaccination offer, answer and doses; test offer,
answer, result and the referral of a positive result. Views translate input and show `DomainError` messages on the
field they name; the rules live in `services`. Reading needs the person in view (404 otherwise); recording is for
harm reduction workers and data admins (403 otherwise)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from core import audit
from core.dates import long_date
from core.errors import DomainError
from core.forms import add_domain_error
from harm_reduction import selectors, services
from harm_reduction.choices import BbvResult, BbvTestKind, HepBOffer
from harm_reduction.forms import (
    BbvAnswerForm,
    BbvOfferForm,
    BbvReferralForm,
    BbvResultForm,
    HepBDoseForm,
    HepBOfferForm,
    HepBOutcomeForm,
)
from harm_reduction.models import BbvTest, HepBCourse, NaloxoneSupply, NspVisit
from harm_reduction.views import _require_worker, is_worker
from referrals.models import Person


def _person(request, pk):
    return get_object_or_404(Person.objects.visible_to(request.user), pk=pk)


@login_required
def person_bbv(request, pk):
    person = _person(request, pk)
    records = selectors.person_records(user=request.user, person=person)
    audit.audit_view(request, person, page="harm reduction")
    audit.audit_list_view(request, NspVisit, records["visits"], person=person.pk)
    audit.audit_list_view(request, HepBCourse, records["courses"], person=person.pk)
    audit.audit_list_view(request, BbvTest, records["tests"], person=person.pk)
    audit.audit_list_view(request, NaloxoneSupply, records["naloxone"], person=person.pk)
    return render(
        request,
        "harm_reduction/person_bbv.html",
        {
            "person": person,
            **records,
            "visits": records["visits"][:20],
            "visit_count": len(records["visits"]),
            "can_record": is_worker(request.user),
            "OFFERED": HepBOffer.OFFERED,
            "ACCEPTED": HepBOffer.ACCEPTED,
            "POSITIVE": BbvResult.POSITIVE,
            "OTHER": BbvTestKind.OTHER,
            "today": timezone.localdate(),
        },
    )


def _form_page(request, form, *, person, title, submit, intro=""):
    return render(
        request,
        "harm_reduction/form.html",
        {"form": form, "person": person, "title": title, "submit": submit, "intro": intro},
    )


@login_required
def hep_b_offer_new(request, pk):
    _require_worker(request.user)
    person = _person(request, pk)
    form = HepBOfferForm(request.POST or None, initial={"offered_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_hep_b_offer(actor=request.user, person=person, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("harm_reduction:person-bbv", pk=person.pk)
    return _form_page(request, form, person=person, title="Offer hepatitis B vaccination", submit="Save offer")


def _course(request, pk):
    _require_worker(request.user)
    return get_object_or_404(HepBCourse.objects.visible_to(request.user).select_related("person"), pk=pk)


@login_required
def hep_b_outcome(request, pk):
    course = _course(request, pk)
    form = HepBOutcomeForm(
        request.POST or None, initial={"version": course.version, "outcome_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.record_hep_b_outcome(
                actor=request.user, course=course, expected_version=data.pop("version"), **data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("harm_reduction:person-bbv", pk=course.person_id)
    return _form_page(
        request,
        form,
        person=course.person,
        title="Answer to the hepatitis B vaccination offer",
        submit="Save answer",
        intro=f"Offered on {long_date(course.offered_on)}.",
    )


@login_required
def hep_b_dose(request, pk):
    course = _course(request, pk)
    given = course.doses.count()
    form = HepBDoseForm(
        request.POST or None,
        initial={"version": course.version, "dose_number": given + 1, "given_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.record_hep_b_dose(actor=request.user, course=course, expected_version=data.pop("version"), **data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("harm_reduction:person-bbv", pk=course.person_id)
    due = f" Next dose due {long_date(course.next_dose_due)}." if course.next_dose_due else ""
    return _form_page(
        request,
        form,
        person=course.person,
        title="Record a hepatitis B vaccination dose",
        submit="Save dose",
        intro=f"{course.get_schedule_display() or 'No schedule'}: {given} dose{'s' if given != 1 else ''} given.{due}",
    )


@login_required
def bbv_test_new(request, pk):
    _require_worker(request.user)
    person = _person(request, pk)
    form = BbvOfferForm(request.POST or None, initial={"offered_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_bbv_offer(actor=request.user, person=person, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("harm_reduction:person-bbv", pk=person.pk)
    return _form_page(request, form, person=person, title="Offer a blood-borne virus test", submit="Save offer")


def _test(request, pk):
    _require_worker(request.user)
    return get_object_or_404(BbvTest.objects.visible_to(request.user).select_related("person"), pk=pk)


def _test_form(request, pk, form_class, save, *, title, submit, initial=None):
    """The three edits of an existing test share their shape: versioned form, one service call, back to the page."""
    test = _test(request, pk)
    form = form_class(request.POST or None, initial={"version": test.version, **(initial or {})})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            save(test, data.pop("version"), data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("harm_reduction:person-bbv", pk=test.person_id)
    intro = f"{test.get_kind_display()} test offered on {long_date(test.offered_on)}."
    if test.result:
        intro += f" Result: {test.get_result_display().lower()} on {long_date(test.result_on)}."
    return _form_page(request, form, person=test.person, title=title, submit=submit, intro=intro)


@login_required
def bbv_answer(request, pk):
    def save(test, version, data):
        services.record_bbv_answer(actor=request.user, test=test, expected_version=version, **data)

    return _test_form(
        request,
        pk,
        BbvAnswerForm,
        save,
        title="Answer to the test offer",
        submit="Save answer",
        initial={"answered_on": timezone.localdate()},
    )


@login_required
def bbv_result(request, pk):
    def save(test, version, data):
        services.record_bbv_result(actor=request.user, test=test, expected_version=version, **data)

    today = timezone.localdate()
    return _test_form(
        request,
        pk,
        BbvResultForm,
        save,
        title="Record a test result",
        submit="Save result",
        initial={"result_on": today},
    )


@login_required
def bbv_refer(request, pk):
    def save(test, version, data):
        services.refer_positive_result(
            actor=request.user, test=test, expected_version=version, consent=data["referral_consent"]
        )

    test = _test(request, pk)
    where = "the HIV clinic" if test.kind == BbvTestKind.HIV else "hepatology"
    return _test_form(
        request, pk, BbvReferralForm, save, title=f"Refer a positive result to {where}", submit="Make the referral"
    )
