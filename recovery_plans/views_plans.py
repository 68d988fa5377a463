"""Recovery plan pages: the plan of an episode, drafting (own words, goals and actions, planned modalities),
submission, sign-off or return, version history with differences, the PDF, reviews and the sign-off queue.

Views are thin: selectors read (scoped, out of scope is a 404; roles that do not read plans get a 403),
services write and decide every rule, and a DomainError goes on the form field it names.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import audit
from core.choices import AuditAction, Role
from core.errors import DomainError, StaleEditError
from core.forms import add_domain_error
from core.pagination import paginate
from recovery_plans import pdf
from recovery_plans import selectors_plans as selectors
from recovery_plans.forms_plans import (
    ActionFormSet,
    GoalForm,
    OwnWordsForm,
    PlannedModalityFormSet,
    ReturnForm,
    ReviewForm,
    SignOffForm,
    VersionForm,
)
from recovery_plans.models import PlanReview, PlanVersion, VersionStatus
from recovery_plans.services import plans, reviews

SIGNED_STATUSES = (VersionStatus.SIGNED, VersionStatus.SUPERSEDED)


def _plan_url(episode_pk: int) -> str:
    return reverse("recovery_plans:plan-detail", kwargs={"episode_pk": episode_pk})


def _content(version: PlanVersion) -> tuple[list[dict], list[dict]]:
    """The draft's goals and planned modalities as the service takes them (from prefetched rows)."""
    goals = [
        {
            "domain": goal.domain,
            "text": goal.text,
            "actions": [
                {"what": a.what, "who": a.who, "by_when": a.by_when, "status": a.status} for a in goal.actions.all()
            ],
        }
        for goal in version.goals.all()
    ]
    planned = [{"intervention": p.intervention_id, "notes": p.notes} for p in version.planned_modalities.all()]
    return goals, planned


def _require_drafter(user):
    if not plans.may_draft(user):
        raise PermissionDenied("Only a keyworker or an assessor can write a recovery plan.")


@login_required
def plan_detail(request, episode_pk):
    episode = selectors.episode_for(request.user, episode_pk)
    page = selectors.plan_page(episode)
    audit.audit_view(request, episode, page="recovery plan")
    if page.plan:
        audit.audit_view(request, page.plan)
    context = {
        "episode": episode,
        "person": episode.person,
        "page": page,
        "signed_goals": selectors.goals_by_domain(page.signed) if page.signed else [],
        "open_goals": selectors.goals_by_domain(page.open) if page.open else [],
        "may_draft": plans.may_draft(request.user),
        "edit_open": plans.may_draft(request.user) and page.open and page.open.status == VersionStatus.DRAFT,
        "is_assessor": request.user.has_role(Role.ASSESSOR),
        "version_form": VersionForm(initial={"version": page.open.version}) if page.open else None,
        "today": timezone.localdate(),
    }
    return render(request, "recovery_plans/plans/detail.html", context)


@login_required
@require_POST
def plan_start(request, episode_pk):
    episode = selectors.episode_for(request.user, episode_pk)
    try:
        plans.start_plan(episode=episode, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Draft plan started. Add the person's own words and their goals.")
    return redirect(_plan_url(episode.pk))


@login_required
@require_POST
def plan_new_version(request, episode_pk):
    episode = selectors.episode_for(request.user, episode_pk)
    try:
        draft = plans.new_version(plan=selectors.plan_of(episode), by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Version {draft.number} started as a draft, copied from the signed plan.")
    return redirect(_plan_url(episode.pk))


@login_required
def version_detail(request, pk):
    version = selectors.version_for(request.user, pk, content=True)
    audit.audit_view(request, version)
    context = {
        "version": version,
        "episode": version.plan.episode,
        "person": version.plan.episode.person,
        "goals": selectors.goals_by_domain(version),
        "changes": selectors.changes_from_previous(version),
    }
    return render(request, "recovery_plans/plans/version.html", context)


def _draft_for_edit(request, pk):
    """The draft to change, or a redirect to the plan page when it is no longer a draft."""
    version = selectors.version_for(request.user, pk, content=True)
    _require_drafter(request.user)
    if request.method == "GET" and version.status != VersionStatus.DRAFT:
        messages.error(
            request,
            f"Version {version.number} is {version.get_status_display().lower()} and cannot be changed. "
            "To change a signed plan, start a new version.",
        )
        return version, redirect(_plan_url(version.plan.episode_id))
    return version, None


def _save_draft(request, version, form, **changes) -> bool:
    """Replace the draft's content with `changes` applied; a refusal goes on the form, nothing is written."""
    goals, _ = _content(version)
    try:
        plans.update_draft(
            version=version,
            own_words=changes.get("own_words", version.own_words),
            goals=changes.get("goals", goals),
            # None keeps the planned modalities as they are.
            planned_modalities=changes.get("planned_modalities"),
            by=request.user,
            expected_version=form.cleaned_data["version"],
        )
    except StaleEditError as exc:
        form.add_error(None, exc.message)
        form.stale = True
        return False
    except DomainError as exc:
        add_domain_error(form, exc)
        return False
    messages.success(request, "Draft saved.")
    return True


def _edit_context(version, form, **extra) -> dict:
    return {
        "version": version,
        "episode": version.plan.episode,
        "person": version.plan.episode.person,
        "form": form,
        "stale": getattr(form, "stale", False),
        **extra,
    }


@login_required
def own_words_edit(request, pk):
    version, leave = _draft_for_edit(request, pk)
    if leave:
        return leave
    form = OwnWordsForm(request.POST or None, initial={"version": version.version, "own_words": version.own_words})
    posted = request.method == "POST" and form.is_valid()
    if posted and _save_draft(request, version, form, own_words=form.cleaned_data["own_words"]):
        return redirect(_plan_url(version.plan.episode_id))
    audit.audit_view(request, version)
    return render(request, "recovery_plans/plans/own_words.html", _edit_context(version, form))


@login_required
def goal_edit(request, pk, index=None):
    """Add a goal (no index) or change goal number `index` (from 1) with its actions."""
    version, leave = _draft_for_edit(request, pk)
    if leave:
        return leave
    goals, _ = _content(version)
    if index is not None and not 1 <= index <= len(goals):
        raise Http404
    current = goals[index - 1] if index else {"domain": "", "text": "", "actions": []}
    form = GoalForm(
        request.POST or None,
        initial={"version": version.version, "domain": current["domain"], "text": current["text"]},
    )
    formset = ActionFormSet(request.POST or None, initial=current["actions"], prefix="actions")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        actions = [f.as_action() for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        goal = {"domain": form.cleaned_data["domain"], "text": form.cleaned_data["text"], "actions": actions}
        if index:
            goals[index - 1] = goal
        else:
            goals.append(goal)
        if _save_draft(request, version, form, goals=goals):
            return redirect(_plan_url(version.plan.episode_id))
    audit.audit_view(request, version)
    return render(
        request,
        "recovery_plans/plans/goal_form.html",
        _edit_context(version, form, formset=formset, index=index),
    )


@login_required
def goal_remove(request, pk, index):
    version, leave = _draft_for_edit(request, pk)
    if leave:
        return leave
    goals, _ = _content(version)
    if not 1 <= index <= len(goals):
        raise Http404
    goal = goals[index - 1]
    form = VersionForm(request.POST or None, initial={"version": version.version})
    posted = request.method == "POST" and form.is_valid()
    if posted and _save_draft(request, version, form, goals=goals[: index - 1] + goals[index:]):
        messages.success(request, f"Goal removed: {goal['text']}")
        return redirect(_plan_url(version.plan.episode_id))
    audit.audit_view(request, version)
    return render(request, "recovery_plans/plans/goal_remove.html", _edit_context(version, form, goal=goal))


@login_required
def planned_modalities_edit(request, pk):
    version, leave = _draft_for_edit(request, pk)
    if leave:
        return leave
    _, planned = _content(version)
    form = VersionForm(request.POST or None, initial={"version": version.version})
    formset = PlannedModalityFormSet(request.POST or None, initial=planned, prefix="planned")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        rows = [
            {"intervention": f.cleaned_data["intervention"], "notes": f.cleaned_data["notes"]}
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        if _save_draft(request, version, form, planned_modalities=rows):
            return redirect(_plan_url(version.plan.episode_id))
    audit.audit_view(request, version)
    context = _edit_context(version, form, formset=formset)
    return render(request, "recovery_plans/plans/planned_modalities.html", context)


@login_required
@require_POST
def version_submit(request, pk):
    version = selectors.version_for(request.user, pk)
    _require_drafter(request.user)
    form = VersionForm(request.POST)
    if form.is_valid():
        try:
            plans.submit(version=version, by=request.user, expected_version=form.cleaned_data["version"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Version {version.number} submitted for sign-off by an assessor of the team.")
    return redirect(_plan_url(version.plan.episode_id))


def _sign_off_page(request, version, sign_form, return_form, status=200):
    try:
        plans.check_may_sign(version, request.user)
        refusal = "" if version.status == VersionStatus.SUBMITTED else "This version is not awaiting sign-off."
    except DomainError as exc:
        refusal = exc.message
    audit.audit_view(request, version, page="sign-off")
    context = {
        "version": version,
        "episode": version.plan.episode,
        "person": version.plan.episode.person,
        "goals": selectors.goals_by_domain(version),
        "changes": selectors.changes_from_previous(version),
        "refusal": refusal,
        "sign_form": sign_form,
        "return_form": return_form,
    }
    return render(request, "recovery_plans/plans/sign_off.html", context, status=status)


def _sign_off_initial(version):
    return {"signed_on": timezone.localdate(), "version": version.version}


@login_required
def version_sign_off(request, pk):
    """Sign off (GET shows the version and both choices; the service decides who may)."""
    version = selectors.version_for(request.user, pk, content=True)
    sign_form = SignOffForm(request.POST or None, initial=_sign_off_initial(version))
    if request.method == "POST" and sign_form.is_valid():
        try:
            plans.plan_sign_off(
                version=version,
                assessor=request.user,
                when=sign_form.cleaned_data["signed_on"],
                expected_version=sign_form.cleaned_data["version"],
            )
        except plans.PlanChangedError as exc:
            # The page now shows the version as it is; signing from it signs what the assessor now reads.
            data = request.POST.copy()
            data["version"] = version.version
            sign_form = SignOffForm(data)
            sign_form.is_valid()
            add_domain_error(sign_form, exc)
        except DomainError as exc:
            add_domain_error(sign_form, exc)
        else:
            messages.success(request, f"Version {version.number} signed off.")
            return redirect(_plan_url(version.plan.episode_id))
    return _sign_off_page(request, version, sign_form, ReturnForm())


@login_required
@require_POST
def version_return(request, pk):
    version = selectors.version_for(request.user, pk, content=True)
    return_form = ReturnForm(request.POST)
    if return_form.is_valid():
        try:
            plans.return_plan(version=version, assessor=request.user, reason=return_form.cleaned_data["reason"])
        except DomainError as exc:
            return_form.add_error("reason" if exc.field == "returned_reason" else None, exc.message)
        else:
            messages.success(request, f"Version {version.number} returned to its author.")
            return redirect(_plan_url(version.plan.episode_id))
    return _sign_off_page(request, version, SignOffForm(initial=_sign_off_initial(version)), return_form)


@login_required
def version_pdf(request, pk):
    """The signed version as a PDF the person can take home; every download is an audited export."""
    version = selectors.version_for(request.user, pk, content=True)
    if version.status not in SIGNED_STATUSES:
        raise Http404("Only a signed version has a PDF.")
    content = pdf.render_version(version)
    audit.record(AuditAction.EXPORT, version, actor=request.user, details={"format": "pdf", "bytes": len(content)})
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf.filename(version)}"'
    return response


@login_required
def plan_history(request, episode_pk):
    episode = selectors.episode_for(request.user, episode_pk)
    plan = selectors.plan_of(episode)
    rows = selectors.history(plan)
    audit.audit_list_view(request, PlanVersion, rows, plan=plan.pk)
    return render(
        request, "recovery_plans/plans/history.html", {"episode": episode, "person": episode.person, "rows": rows}
    )


@login_required
def plan_reviews(request, episode_pk):
    episode = selectors.episode_for(request.user, episode_pk)
    page = selectors.plan_page(episode)
    if page.plan is None:
        raise Http404
    rows = selectors.reviews(page.plan)
    audit.audit_list_view(request, PlanReview, rows, plan=page.plan.pk)
    context = {
        "episode": episode,
        "person": episode.person,
        "page": page,
        "reviews": rows,
        "may_review": plans.may_draft(request.user) and page.signed is not None,
        "today": timezone.localdate(),
    }
    return render(request, "recovery_plans/plans/reviews.html", context)


@login_required
def review_new(request, episode_pk):
    episode = selectors.episode_for(request.user, episode_pk)
    _require_drafter(request.user)
    page = selectors.plan_page(episode)
    if page.signed is None:
        messages.error(request, "A plan can be reviewed once a version has been signed off.")
        return redirect(_plan_url(episode.pk))
    goals = list(page.signed.goals.all())
    form = ReviewForm(request.POST or None, goals=goals, initial={"reviewed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            review = reviews.record_review(
                plan=page.plan,
                reviewed_on=form.cleaned_data["reviewed_on"],
                progress=form.progress(),
                summary=form.cleaned_data["summary"],
                by=request.user,
                change_plan=form.cleaned_data["change_plan"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if review.new_version:
                messages.success(request, f"Review saved. Version {review.new_version.number} started as a draft.")
                return redirect(_plan_url(episode.pk))
            messages.success(request, "Review saved.")
            return redirect("recovery_plans:plan-reviews", episode_pk=episode.pk)
    audit.audit_view(request, page.plan, page="plan review")
    return render(
        request,
        "recovery_plans/plans/review_form.html",
        {"episode": episode, "person": episode.person, "page": page, "form": form},
    )


@login_required
def sign_off_queue(request):
    if not (request.user.is_superuser or request.user.has_role(Role.ASSESSOR)):
        raise PermissionDenied("The sign-off queue is for assessors.")
    page = paginate(request, selectors.sign_off_queue(request.user), ordering=selectors.SIGN_OFF_QUEUE_ORDER)
    audit.audit_list_view(request, PlanVersion, page.rows, page="sign-off queue")
    return render(request, "recovery_plans/plans/queue.html", {"page": page})
