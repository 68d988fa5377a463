"""Episode pages: caseload, allocation board, episode detail, discharge, partners, carers, tasks and
re-engagement. Views are thin: selectors read, services write, DomainError goes on the form field."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import audit
from core.choices import Role
from core.errors import DomainError
from core.forms import add_domain_error
from core.pagination import chosen_team, paginate
from referrals import discharge_checks, record_pages
from referrals import selectors_episodes as selectors
from referrals.forms_episodes import (
    AllocationForm,
    ArrestReferralForm,
    BreachReportForm,
    CarerEndForm,
    CarerForm,
    CommunityOrderForm,
    DischargeForm,
    FollowUpDoneForm,
    PartnerInvolvementForm,
    ReengagementCloseForm,
    over_capacity,
)
from referrals.models import (
    Allocation,
    ArrestReferral,
    BreachReport,
    Carer,
    CommunityOrder,
    Episode,
    FollowUp,
    ReengagementEntry,
    Task,
)
from referrals.services import criminal_justice, episodes

MANAGER_ROLES = (Role.TEAM_MANAGER, Role.DATA_ADMIN)
# Everyone a task can be given to (tasks go to people and teams, never to referrers or commissioners).
TASK_ROLES = (
    Role.KEYWORKER,
    Role.ASSESSOR,
    Role.TEAM_MANAGER,
    Role.PRESCRIBER,
    Role.HARM_REDUCTION_WORKER,
    Role.DATA_ADMIN,
)
TASKS_PAGE_SIZE = 50
CASEWORK_ROLES = episodes.CASEWORK_ROLES


def _require_role(user, *roles):
    if not (user.is_superuser or user.has_role(*roles)):
        raise PermissionDenied


@login_required
def my_caseload(request):
    _require_role(request.user, Role.KEYWORKER)
    page = paginate(request, selectors.current_caseload(request.user), ordering=selectors.CASELOAD_ORDER)
    audit.audit_list_view(request, Allocation, page.rows, purpose="caseload")
    rows = selectors.caseload_rows(page.rows)
    return render(request, "referrals/episodes/caseload.html", {"rows": rows, "page": page})


@login_required
def allocation_board(request):
    _require_role(request.user, *MANAGER_ROLES)
    teams = list(selectors.manager_teams(request.user).order_by("name"))
    team = chosen_team(request, teams)
    page = paginate(
        request, selectors.unallocated_episodes(request.user, team=team), ordering=selectors.UNALLOCATED_ORDER
    )
    # A data admin's "all teams" is the whole service: keyworkers are listed a team at a time.
    workers = None
    if team is not None or len(teams) <= 1 or not request.user.has_role(Role.DATA_ADMIN):
        workers = selectors.keyworkers_with_caseload(request.user, team=team)
    audit.audit_list_view(request, Episode, page.rows, purpose="allocation board", team=team.name if team else "all")
    context = {"page": page, "workers": workers, "teams": teams, "team": team}
    return render(request, "referrals/episodes/board.html", context)


@login_required
def allocate(request, pk):
    _require_role(request.user, *MANAGER_ROLES)
    episode = selectors.episode_for(request.user, pk)
    preferred = episode.person.preferred_worker_gender
    workers = selectors.keyworkers_with_caseload(request.user, preferred_gender=preferred)
    form = AllocationForm(
        request.POST or None,
        initial={"version": episode.version},
        assessors=selectors.role_users(Role.ASSESSOR).filter(teams=episode.team_id),
        keyworkers=workers,
        teams=selectors.manager_teams(request.user).filter(kind="delivery"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            episodes.allocate(
                episode=episode,
                assessor=data["assessor"],
                keyworker=data["keyworker"],
                team=data["team"],
                expected_version=data["version"],
                by=request.user,
                reason=data["reason"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("referrals:episode-detail", pk=episode.pk)
    audit.audit_view(request, episode)
    return render(
        request,
        "referrals/episodes/allocate.html",
        {"episode": episode, "form": form, "preferred": preferred, "over_capacity": over_capacity(workers)},
    )


@login_required
def episode_detail(request, pk):
    episode = selectors.episode_for(request.user, pk)
    context = selectors.episode_context(request.user, episode)
    for arrest in context["arrest_referrals"]:
        arrest.status = criminal_justice.arrest_assessment_status(arrest)
    audit.audit_view(request, episode)
    return render(
        request,
        "referrals/episodes/detail.html",
        {
            "episode": episode,
            "planned": episodes.planned(episode),
            "record_links": record_pages.episode_links(episode, request.user),
            # Actions only where they work: each link is shown to the roles its page lets in.
            "can_allocate": request.user.has_role(*MANAGER_ROLES),
            "can_casework": request.user.has_role(*CASEWORK_ROLES),
            **context,
        },
    )


@login_required
def episode_discharge(request, pk):
    _require_role(request.user, *CASEWORK_ROLES)
    episode = selectors.episode_for(request.user, pk)
    form = DischargeForm(request.POST or None, initial={"version": episode.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            episodes.episode_discharge(
                episode=episode,
                reason=data["reason"],
                discharged_on=data["discharged_on"],
                expected_version=data["version"],
                by=request.user,
                notes=data["notes"],
            )
        except DomainError as exc:
            add_domain_error(form, exc, anchors={"open_modalities": "open-modalities"})
        else:
            # Discharge ends the allocation; a keyworker keeps the episode only while a follow-up is theirs.
            if selectors.visible_episodes(request.user).filter(pk=episode.pk).exists():
                return redirect("referrals:episode-detail", pk=episode.pk)
            return redirect("referrals:my-caseload")
    context = {"episode": episode, "form": form, "tasks": episodes.tasks_at_discharge(episode)}
    # Named before the form is filled in: each must end before the discharge, and a refusal links here.
    context["open_modalities"] = discharge_checks.open_modalities(episode)
    return render(request, "referrals/episodes/discharge.html", context)


@login_required
def partner_new(request, pk):
    _require_role(request.user, *CASEWORK_ROLES)
    episode = selectors.episode_for(request.user, pk)
    form = PartnerInvolvementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            episodes.add_partner_involvement(episode=episode, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("referrals:episode-detail", pk=episode.pk)
    return render(
        request, "referrals/episodes/form.html", {"episode": episode, "form": form, "heading": "Add partner agency"}
    )


@login_required
def carer_new(request, pk):
    _require_role(request.user, *CASEWORK_ROLES)
    episode = selectors.episode_for(request.user, pk)
    form = CarerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            episodes.add_carer(person=episode.person, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("referrals:episode-detail", pk=episode.pk)
    return render(request, "referrals/episodes/form.html", {"episode": episode, "form": form, "heading": "Add carer"})


@login_required
def my_tasks(request):
    _require_role(request.user, *TASK_ROLES)
    page = Paginator(selectors.open_tasks_for(request.user), TASKS_PAGE_SIZE).get_page(request.GET.get("page"))
    audit.audit_list_view(request, Task, page, purpose="work list", number=page.number)
    return render(request, "referrals/episodes/tasks.html", {"page": page, "today": timezone.localdate()})


@login_required
@require_POST
def task_done(request, pk):
    task = get_object_or_404(Task.objects.visible_to(request.user), pk=pk)
    try:
        episodes.mark_task_done(task=task, by=request.user)
    except DomainError as exc:
        raise PermissionDenied(exc.message) from exc
    if request.POST.get("return_to") == "tasks":
        return redirect("referrals:my-tasks")
    if task.episode_id:
        return redirect("referrals:episode-detail", pk=task.episode_id)
    return redirect("referrals:my-caseload")


@login_required
def reengagement_list(request):
    _require_role(request.user, Role.TEAM_MANAGER, Role.KEYWORKER, Role.DATA_ADMIN)
    page = paginate(request, selectors.reengagement_entries(request.user), ordering=selectors.REENGAGEMENT_ORDER)
    audit.audit_list_view(request, ReengagementEntry, page.rows)
    return render(request, "referrals/episodes/reengagement.html", {"page": page})


def _closing_form(request, record, episode, form_class, heading, save, *, back_url=None, back_label=None):
    """A form that closes one record (follow-up, re-engagement entry, carer support) by one service call."""
    form = form_class(request.POST or None, initial={name: timezone.localdate() for name in form_class.date_fields})
    if request.method == "POST" and form.is_valid():
        try:
            save(dict(form.cleaned_data))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect(back_url or reverse("referrals:episode-detail", kwargs={"pk": episode.pk}))
    else:
        audit.audit_view(request, record)
    context = {"episode": episode, "form": form, "heading": heading, "back_url": back_url, "back_label": back_label}
    return render(request, "referrals/episodes/form.html", context)


@login_required
def follow_up_done(request, pk):
    _require_role(request.user, *CASEWORK_ROLES)
    follow_up = get_object_or_404(selectors.scoped(FollowUp, request.user).select_related("episode__person"), pk=pk)
    return _closing_form(
        request,
        follow_up,
        follow_up.episode,
        FollowUpDoneForm,
        f"Record the {follow_up.get_kind_display()} follow-up",
        lambda data: episodes.follow_up_record(follow_up=follow_up, by=request.user, **data),
    )


@login_required
def reengagement_close(request, pk):
    _require_role(request.user, *episodes.REENGAGEMENT_ROLES)
    entry = get_object_or_404(
        selectors.scoped(ReengagementEntry, request.user).select_related("episode__person"), pk=pk
    )
    return _closing_form(
        request,
        entry,
        entry.episode,
        ReengagementCloseForm,
        "Close re-engagement",
        lambda data: episodes.reengagement_close(entry=entry, by=request.user, **data),
        back_url=reverse("referrals:reengagement-list"),
        back_label="Back to the re-engagement list",
    )


@login_required
def carer_end(request, episode_pk, pk):
    _require_role(request.user, *CASEWORK_ROLES)
    episode = selectors.episode_for(request.user, episode_pk)
    carer = get_object_or_404(Carer.objects.filter(person=episode.person), pk=pk)
    return _closing_form(
        request,
        carer,
        episode,
        CarerEndForm,
        f"End support for {carer.name}",
        lambda data: episodes.carer_support_end(carer=carer, by=request.user, ended_on=data["support_ended_on"]),
    )


def _episode_form(request, pk, form_class, heading, save, form_kwargs=None):
    """A form on an episode whose valid data goes to one service call; its DomainError goes on the field."""
    _require_role(request.user, *CASEWORK_ROLES)
    episode = selectors.episode_for(request.user, pk)
    form = form_class(request.POST or None, **form_kwargs(episode) if form_kwargs else {})
    if request.method == "POST" and form.is_valid():
        try:
            save(episode, dict(form.cleaned_data))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("referrals:episode-detail", pk=episode.pk)
    return render(request, "referrals/episodes/form.html", {"episode": episode, "form": form, "heading": heading})


@login_required
def order_new(request, pk):
    return _episode_form(
        request,
        pk,
        CommunityOrderForm,
        "Add a community order",
        lambda episode, data: criminal_justice.add_community_order(
            person=episode.person, episode=episode, by=request.user, **data
        ),
    )


@login_required
def arrest_referral_new(request, pk):
    return _episode_form(
        request,
        pk,
        ArrestReferralForm,
        "Add an arrest referral",
        lambda episode, data: criminal_justice.add_arrest_referral(person=episode.person, by=request.user, **data),
    )


@login_required
def breach_new(request, pk):
    return _episode_form(
        request,
        pk,
        BreachReportForm,
        "Report a missed appointment",
        lambda episode, data: criminal_justice.add_breach_report(by=request.user, **data),
        form_kwargs=lambda episode: {"orders": CommunityOrder.objects.filter(person=episode.person)},
    )


@login_required
@require_POST
def arrest_assessed(request, pk):
    """Records the assessment as made now, from the episode page."""
    _require_role(request.user, *CASEWORK_ROLES)
    referral = get_object_or_404(selectors.scoped(ArrestReferral, request.user), pk=pk)
    episode = selectors.visible_episodes(request.user).filter(person_id=referral.person_id).first()
    try:
        criminal_justice.record_arrest_assessment(referral=referral, assessed_at=timezone.now(), by=request.user)
    except DomainError as exc:
        raise PermissionDenied(exc.message) from exc
    return redirect("referrals:episode-detail", pk=episode.pk)


@login_required
@require_POST
def breach_reported(request, pk):
    """Marks the breach reported today, from the episode page; its task closes with it."""
    _require_role(request.user, *CASEWORK_ROLES)
    breach = get_object_or_404(selectors.scoped(BreachReport, request.user).select_related("order"), pk=pk)
    try:
        criminal_justice.mark_breach_reported(breach=breach, reported_on=timezone.localdate(), by=request.user)
    except DomainError as exc:
        raise PermissionDenied(exc.message) from exc
    episode = selectors.visible_episodes(request.user).filter(person_id=breach.order.person_id).first()
    return redirect("referrals:episode-detail", pk=episode.pk)
