"""Modality pages: an episode's modalities with their waiting clocks and reviews, the referral, first offer,
start, end and review forms, and the team manager's list of clocks over 14 days. Views translate input
and show `DomainError` on its field; the rules live in `services.modalities`."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from core import audit
from core.choices import Role
from core.errors import DomainError
from core.forms import add_domain_error
from core.pagination import capped_count, count_label, paginate
from recovery_plans import selectors_modalities as selectors
from recovery_plans.forms_modalities import (
    CloseUnstartedForm,
    EndForm,
    FirstOfferForm,
    ReferModalityForm,
    ReviewForm,
    StartForm,
)
from recovery_plans.models import Modality
from recovery_plans.services import modalities as services
from referrals.models import Episode

VIEW_PERMISSION = "recovery_plans.view_modality"


def _require_view(user):
    if not user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied("You cannot see modalities.")


def _episode(request, pk):
    _require_view(request.user)
    return get_object_or_404(Episode.objects.visible_to(request.user).select_related("person", "team"), pk=pk)


def _modality(request, pk):
    _require_view(request.user)
    return get_object_or_404(
        selectors.visible_modalities(request.user).select_related("episode__person", "intervention"), pk=pk
    )


@login_required
def modality_list(request, episode_pk):
    episode = _episode(request, episode_pk)
    today = timezone.localdate()
    rows = selectors.episode_rows(episode, today)
    audit.audit_view(request, episode, page="modalities")
    audit.audit_list_view(request, Modality, rows, episode=episode.pk)
    user = request.user
    return render(
        request,
        "recovery_plans/modalities/list.html",
        {
            "episode": episode,
            "rows": rows,
            "today": today,
            "may_refer": episode.is_open and services.may_refer(user),
            "may_record": services.may_record(user),
            "may_review": services.may_review(user),
        },
    )


def _form_page(request, *, episode, form, title, submit, modality=None):
    return render(
        request,
        "recovery_plans/modalities/form.html",
        {"episode": episode, "modality": modality, "form": form, "title": title, "submit": submit},
    )


def _back(episode):
    return redirect(reverse("recovery_plans:modality-list", args=[episode.pk]))


@login_required
def modality_refer(request, episode_pk):
    episode = _episode(request, episode_pk)
    if not services.may_refer(request.user):
        raise PermissionDenied("Only an assessor can refer a person to a modality.")
    form = ReferModalityForm(request.POST or None, initial={"referred_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.refer_modality(episode=episode, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return _back(episode)
    return _form_page(request, episode=episode, form=form, title="Refer to a modality", submit="Refer")


def _modality_form(request, pk, *, form_class, initial, title, submit, save, allowed):
    modality = _modality(request, pk)
    if not allowed(request.user):
        raise PermissionDenied("You cannot change this modality.")
    form = form_class(request.POST or None, initial={"version": modality.version, **initial(modality)})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            save(modality, data.pop("version"), data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return _back(modality.episode)
    return _form_page(
        request, episode=modality.episode, modality=modality, form=form, title=f"{title}: {modality}", submit=submit
    )


@login_required
def modality_offer(request, pk):
    return _modality_form(
        request,
        pk,
        form_class=FirstOfferForm,
        initial=lambda m: {"first_offered_on": m.first_offered_on},
        title="First appointment offered",
        submit="Save date offered",
        allowed=services.may_record,
        save=lambda m, version, data: services.record_first_offer(
            modality=m, offered_on=data["first_offered_on"], by=request.user, expected_version=version
        ),
    )


@login_required
def modality_start(request, pk):
    return _modality_form(
        request,
        pk,
        form_class=StartForm,
        initial=lambda m: {"started_on": m.started_on},
        title="Record the start",
        submit="Save start date",
        allowed=services.may_record,
        save=lambda m, version, data: services.start_modality(
            modality=m, started_on=data["started_on"], by=request.user, expected_version=version
        ),
    )


@login_required
def modality_end(request, pk):
    return _modality_form(
        request,
        pk,
        form_class=EndForm,
        initial=lambda m: {},
        title="End the modality",
        submit="Save end and exit status",
        allowed=services.may_record,
        save=lambda m, version, data: services.end_modality(
            modality=m, by=request.user, expected_version=version, **data
        ),
    )


@login_required
def modality_close_unstarted(request, pk):
    return _modality_form(
        request,
        pk,
        form_class=CloseUnstartedForm,
        initial=lambda m: {},
        title="Close without a start",
        submit="Close the modality",
        allowed=services.may_record,
        save=lambda m, version, data: services.close_unstarted_modality(
            modality=m, by=request.user, expected_version=version, **data
        ),
    )


@login_required
def modality_review(request, pk):
    return _modality_form(
        request,
        pk,
        form_class=ReviewForm,
        initial=lambda m: {"reviewed_on": timezone.localdate()},
        title="Record a sub-intervention review",
        submit="Save review",
        allowed=services.may_review,
        save=lambda m, version, data: services.review_modality(
            modality=m, by=request.user, expected_version=version, **data
        ),
    )


@login_required
def modality_clocks(request):
    if not (request.user.is_superuser or request.user.has_role(Role.TEAM_MANAGER, Role.DATA_ADMIN)):
        raise PermissionDenied("The waiting clocks page is for team managers.")
    today = timezone.localdate()
    waiting = selectors.waiting_over(request.user, today)
    page = paginate(request, waiting, ordering=selectors.WAITING_ORDER)
    audit.audit_list_view(request, Modality, page.rows, page="modality clocks")
    rows = selectors.waiting_rows(page.rows, today)
    red = count_label(*capped_count(selectors.red_clocks(waiting, today)))
    return render(
        request, "recovery_plans/modalities/clocks.html", {"page": page, "rows": rows, "today": today, "red": red}
    )
