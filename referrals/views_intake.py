"""Intake pages: new referral with the duplicate check, the referral queue, the person record, edits,
first contact, triage and merge. Views are thin: selectors read, services write."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from core import audit
from core.choices import Role
from core.dates import long_date
from core.errors import DomainError
from core.forms import add_domain_error
from core.pagination import paginate
from referrals import record_pages
from referrals import selectors_intake as selectors
from referrals.choices import ReferralStatus
from referrals.forms_intake import (
    ContactAttemptForm,
    MergeForm,
    MergeUndoForm,
    PersonForm,
    ReferralCloseForm,
    ReferralForm,
    TriageForm,
)
from referrals.models import PRIORITY_GROUPS, Person, PersonMerge, Referral
from referrals.querysets import reads_treatment_detail
from referrals.services import intake, merge, people, sharing

QUEUE_ROLES = (Role.ASSESSOR, Role.TEAM_MANAGER, Role.REFERRER, Role.DATA_ADMIN)


def _require_role(user, *roles):
    if not (user.is_superuser or user.has_role(*roles)):
        raise PermissionDenied


@login_required
def referral_new(request, person_pk=None):
    """A new referral. For a new person, possible matches are shown (reason, team, masked date of
    birth, never the record) and the referrer chooses; a new person is created only past that question."""
    _require_role(request.user, *intake.REFERRING_ROLES)
    existing = selectors.person_or_merged_for(request.user, person_pk) if person_pk else None
    person_form = None if existing else PersonForm(request.POST or None, prefix="person")
    referral_form = ReferralForm(request.POST or None, prefix="referral")
    context = {"person_form": person_form, "referral_form": referral_form, "person": existing}
    if request.method == "POST" and referral_form.is_valid() and (existing or person_form.is_valid()):
        try:
            with transaction.atomic():
                person = existing or people.person_for_new_referral(
                    actor=request.user,
                    data=person_form.cleaned_data,
                    choice=request.POST.get("person_choice", ""),
                    seen=request.POST.getlist("seen_matches"),
                )
                intake.referral_create(actor=request.user, person=person, **referral_form.cleaned_data)
        except people.PossibleDuplicates as exc:
            audit_duplicate_check(request, exc.matches)
            context.update(matches=exc.matches, ask=True, new_person=people.NEW_PERSON)
        except DomainError as exc:
            add_domain_error([f for f in (person_form, referral_form) if f is not None], exc)
        else:
            return redirect("referrals:person-detail", pk=person.pk)
    return render(request, "referrals/intake/new_referral.html", context)


def audit_duplicate_check(request, matches):
    """Issue 15: a duplicate check is audited with the people it showed."""
    shown = [match.person.pk for match in matches]
    audit.audit_list_view(request, Person, shown, purpose="duplicate check", shown=shown)


def _due_tag(referral, today):
    if referral.status != ReferralStatus.AWAITING_CONTACT:
        return {"text": "Contacted", "colour": "green"}
    if referral.first_contact_due < today:
        return {"text": "Overdue", "colour": "red"}
    if referral.first_contact_due == today:
        return {"text": "Due today", "colour": "orange"}
    return {"text": f"Due {long_date(referral.first_contact_due)}", "colour": "grey"}


@login_required
def referral_queue(request):
    _require_role(request.user, *QUEUE_ROLES)
    teams = list(selectors.queue_teams_for(request.user))
    team = next((t for t in teams if str(t.pk) == request.GET.get("team")), None)
    page = paginate(request, selectors.referral_queue(request.user, team=team), ordering=selectors.QUEUE_ORDER)
    today = timezone.localdate()
    for referral in page:
        referral.due_tag = _due_tag(referral, today)
    audit.audit_list_view(request, Referral, page.rows, team=team.name if team else "all")
    context = {"referrals": page, "page": page, "teams": teams, "team": team, "today": today}
    return render(request, "referrals/intake/queue.html", context)


@login_required
def person_detail(request, pk):
    person = selectors.person_for(request.user, pk, with_treatment_scope=True)
    referrals = list(selectors.person_referrals(person, request.user))
    episodes = list(selectors.person_episodes(person, request.user))
    tasks = list(selectors.person_tasks(person, request.user))
    audit.audit_view(request, person)
    shows_treatment = person.treatment_scope
    context = {
        "person": person,
        "referrals": referrals,
        "episodes": episodes,
        "tasks": tasks,
        "timeline": selectors.person_timeline(referrals=referrals, episodes=episodes, tasks=tasks),
        "can_edit": people.may_edit_demographics(request.user, person, sees_treatment=shows_treatment),
        "can_merge": request.user.has_role(Role.DATA_ADMIN),
        "merges": list(selectors.merges_of(person)) if request.user.has_role(Role.DATA_ADMIN) else [],
        "can_triage": request.user.has_role(*intake.TRIAGE_ROLES),
        "can_refer": request.user.has_role(*intake.REFERRING_ROLES),
        "can_share": sharing.may_share_person(request.user, person),
        "record_panels": record_pages.person_panels(person, request.user),
        # A referrer reaches the page through the referral they made: no episode section at all for them.
        "shows_treatment": shows_treatment,
        # The priority groups (MAPPA, domestic abuse, court order...) are treatment detail, like a task title.
        "shows_priority_groups": shows_treatment and reads_treatment_detail(request.user),
    }
    return render(request, "referrals/person/detail.html", context)


@login_required
def person_edit(request, pk):
    person = selectors.person_or_merged_for(request.user, pk)
    # A merged record's page explains the merge: who may edit is decided on the record it was merged into.
    people.refuse_unless_demographics_owner(request.user, person.merged_into or person)
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        expected = data.pop("version")
        try:
            people.person_update(actor=request.user, person=person, data=data, expected_version=expected)
        except DomainError as exc:
            add_domain_error([form], exc)
        else:
            return redirect("referrals:person-detail", pk=person.pk)
    return render(request, "referrals/person/edit.html", {"person": person, "form": form})


@login_required
def contact_new(request, pk):
    referral = selectors.referral_for(request.user, pk)
    form = ContactAttemptForm(request.POST or None, initial={"made_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            intake.contact_attempt_record(actor=request.user, referral=referral, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error([form], exc)
        else:
            return redirect("referrals:person-detail", pk=referral.person_id)
    return render(request, "referrals/intake/contact.html", {"referral": referral, "form": form})


@login_required
def referral_triage(request, pk):
    referral = selectors.referral_for(request.user, pk)
    initial = {
        "triaged_on": timezone.localdate(),
        "version": referral.version,
        "presenting_substances": list(referral.presenting_substances.all()),
    }
    form = TriageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            intake.referral_triage(actor=request.user, referral=referral, expected_version=data.pop("version"), **data)
        except DomainError as exc:
            add_domain_error([form], exc)
        else:
            return redirect("referrals:person-detail", pk=referral.person_id)
    return render(request, "referrals/intake/triage.html", {"referral": referral, "form": form})


@login_required
def referral_close(request, pk):
    _require_role(request.user, *intake.TRIAGE_ROLES)
    referral = selectors.referral_for(request.user, pk)
    initial = {"closed_on": timezone.localdate(), "version": referral.version}
    form = ReferralCloseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            intake.referral_close(actor=request.user, referral=referral, expected_version=data.pop("version"), **data)
        except DomainError as exc:
            add_domain_error([form], exc)
        else:
            return redirect("referrals:person-detail", pk=referral.person_id)
    attempts = list(referral.contact_attempts.all())
    return render(request, "referrals/intake/close.html", {"referral": referral, "form": form, "attempts": attempts})


@login_required
def person_merge(request, pk):
    """Two steps: the duplicate's client ID, then its details beside this record's, the worker choosing
    where they differ (the newer contact details chosen to start with), and a confirmation."""
    _require_role(request.user, Role.DATA_ADMIN)
    keep = selectors.person_for(request.user, pk)
    form = MergeForm(request.POST or None)
    context = {"person": keep, "form": form}
    if request.method == "POST" and form.is_valid():
        duplicate = (
            Person.objects.visible_to(request.user, as_referrer=True)
            .filter(client_id=form.cleaned_data["duplicate_client_id"].strip().upper())
            .exclude(pk=keep.pk)
            .first()
        )
        if duplicate is None:
            form.add_error("duplicate_client_id", "No other current record has this client ID.")
            return render(request, "referrals/person/merge.html", context)
        fields = merge.merge_fields(keep=keep, duplicate=duplicate)
        choices = {row.name: request.POST.get(f"choice_{row.name}", row.default) for row in fields}
        for row in fields:
            row.chosen = choices[row.name]
        context.update(
            duplicate=duplicate,
            fields=fields,
            flags=[label for name, label in PRIORITY_GROUPS if getattr(keep, name) or getattr(duplicate, name)],
        )
        if "compared" not in request.POST:
            return render(request, "referrals/person/merge.html", context)
        if not form.cleaned_data["confirm"]:
            form.add_error("confirm", "Confirm that you have checked both records are the same person")
            return render(request, "referrals/person/merge.html", context)
        try:
            merge.person_merge(actor=request.user, keep=keep, duplicate=duplicate, choices=choices)
        except DomainError as exc:
            add_domain_error([form], exc, aliases={"duplicate": "duplicate_client_id"})
        else:
            return redirect("referrals:person-detail", pk=keep.pk)
    return render(request, "referrals/person/merge.html", context)


@login_required
def person_merge_undo(request, pk):
    _require_role(request.user, Role.DATA_ADMIN)
    record = get_object_or_404(PersonMerge.objects.select_related("kept", "merged", "merged_by"), pk=pk)
    form = MergeUndoForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            merge.person_merge_undo(actor=request.user, merge=record)
        except DomainError as exc:
            add_domain_error([form], exc, aliases={"merge": "confirm"})
        else:
            return redirect("referrals:person-detail", pk=record.merged_id)
    moved = {}
    for move in record.moves.all():
        moved[move.model] = moved.get(move.model, 0) + 1
    audit.audit_view(request, record.kept)
    context = {"merge": record, "form": form, "moved": sorted(moved.items())}
    return render(request, "referrals/person/merge_undo.html", context)
