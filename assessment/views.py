"""Assessment and TOP pages. Thin: every record starts from `visible_to(request.user)` (out of scope is a 404),
writes go through assessment.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from assessment import services
from assessment.charts import outcome_chart_svg, outcome_rows
from assessment.forms import CompleteForm, TopForm, section_form_class
from assessment.models import Assessment, Top
from core import audit
from core.errors import DomainError
from core.forms import add_domain_error
from referrals.models import Episode, Person

ASSESSMENT_RELATED = [
    "episode__person",
    "injecting_status",
    "dual_diagnosis",
    "accommodation_need",
    "employment_status",
    "children_living_with",
    "parental_status",
]


def _episode_for(user, pk):
    return get_object_or_404(Episode.objects.visible_to(user).select_related("person", "team"), pk=pk)


def _assessment_for(user, pk):
    queryset = Assessment.objects.visible_to(user).select_related(*ASSESSMENT_RELATED)
    return get_object_or_404(queryset.prefetch_related("substances__substance", "substances__route"), pk=pk)


def _require_editor(user, episode):
    if not services.can_edit(user, episode):
        raise PermissionDenied


@login_required
def episode_assessment(request, episode_pk):
    """The episode's assessment: sections with what is filled in, completion, TOPs and the review due date."""
    episode = _episode_for(request.user, episode_pk)
    if request.method == "POST":
        _require_editor(request.user, episode)
        try:
            services.start_assessment(episode=episode, user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("assessment:episode-assessment", episode_pk=episode.pk)
    assessments = list(
        Assessment.objects.filter(episode=episode)
        .select_related(*ASSESSMENT_RELATED)
        .prefetch_related("substances__substance", "substances__route")
    )
    current = next((a for a in assessments if not a.completed_on), assessments[0] if assessments else None)
    tops = list(Top.objects.filter(episode=episode).select_related("stage").order_by("top_date", "id"))
    audit.audit_view(request, episode)
    for assessment in assessments:
        audit.audit_view(request, assessment)
    sections = []
    if current:
        for key, fields in services.SECTIONS.items():
            values = [(current._meta.get_field(f).verbose_name, _display(current, f)) for f in fields]
            sections.append({"key": key, "title": services.SECTION_TITLES[key], "values": values})
    context = {
        "episode": episode,
        "person": episode.person,
        "assessment": current,
        "previous": [a for a in assessments if a is not current],
        "sections": sections,
        "substances": list(current.substances.all()) if current else [],
        "missing": services.missing_fields(current) if current and not current.completed_on else [],
        "complete_form": CompleteForm(initial={"version": current.version}) if current else None,
        "tops": tops,
        "review_due_on": services.review_top_due_on(episode),
        "today": timezone.localdate(),
        "can_edit": services.can_edit(request.user, episode),
    }
    return render(request, "assessment/episode_assessment.html", context)


def _display(assessment, name):
    field = assessment._meta.get_field(name)
    if field.choices:
        return getattr(assessment, f"get_{name}_display")()
    value = getattr(assessment, name)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return "" if value is None else value


@login_required
def section_edit(request, pk, section):
    assessment = _assessment_for(request.user, pk)
    if section not in services.SECTIONS:
        raise Http404
    _require_editor(request.user, assessment.episode)
    if assessment.completed_on:
        messages.info(request, "This assessment is complete and can no longer be changed.")
        return redirect("assessment:episode-assessment", episode_pk=assessment.episode_id)
    form_class = section_form_class(section)
    form = form_class(request.POST or None, instance=assessment)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data.get(name) for name in services.SECTIONS[section]}
        substances = form.substance_rows() if section == "drugs" else None
        try:
            services.save_section(
                assessment=_assessment_for(request.user, pk),
                user=request.user,
                section=section,
                data=data,
                expected_version=form.cleaned_data["version"],
                substances=substances,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{services.SECTION_TITLES[section]} saved.")
            return redirect("assessment:episode-assessment", episode_pk=assessment.episode_id)
    audit.audit_view(request, assessment)
    context = {"assessment": assessment, "form": form, "title": services.SECTION_TITLES[section]}
    return render(request, "assessment/section_form.html", context)


@login_required
@require_POST
def complete(request, pk):
    assessment = _assessment_for(request.user, pk)
    _require_editor(request.user, assessment.episode)
    form = CompleteForm(request.POST)
    if form.is_valid():
        try:
            services.complete_assessment(
                assessment=assessment, user=request.user, expected_version=form.cleaned_data["version"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Assessment completed.")
    return redirect("assessment:episode-assessment", episode_pk=assessment.episode_id)


@login_required
def top_new(request, episode_pk):
    episode = _episode_for(request.user, episode_pk)
    _require_editor(request.user, episode)
    has_start = Top.objects.filter(episode=episode, stage__code=services.START).exists()
    initial = {"top_date": timezone.localdate(), "stage": services.REVIEW if has_start else services.START}
    form = TopForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_top(
                episode=episode,
                user=request.user,
                stage=form.cleaned_data["stage"],
                top_date=form.cleaned_data["top_date"],
                values=form.values(),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "TOP recorded.")
            return redirect("assessment:episode-assessment", episode_pk=episode.pk)
    audit.audit_view(request, episode)
    return render(request, "assessment/top_form.html", {"episode": episode, "form": form})


@login_required
def person_outcomes(request, person_pk):
    """Start TOP against the latest review of the person's latest episode with a start TOP."""
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=person_pk)
    tops = list(Top.objects.filter(episode__person=person).select_related("stage"))
    start, review = services.outcome_pair(tops)
    audit.audit_view(request, person)
    context = {
        "person": person,
        "start": start,
        "review": review,
        "rows": outcome_rows(start, review) if start else [],
        # The SVG is built from numbers and escaped labels only (assessment.charts): safe to mark safe.
        "chart": mark_safe(outcome_chart_svg(start, review)) if start else "",  # nosec B308 B703
    }
    return render(request, "assessment/person_outcomes.html", context)
