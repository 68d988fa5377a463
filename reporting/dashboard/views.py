"""The commissioner's pages: the KPI dashboard, the quarterly reports, and the staff page for service user feedback."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import audit
from core.choices import AuditAction
from core.errors import DomainError
from core.forms import add_domain_error
from core.replica import report_reads
from reporting.dashboard import access, selectors, services
from reporting.dashboard.forms import FeedbackForm, QuarterForm
from reporting.models import QuarterlyReport
from reporting.periods import PeriodError, parse_period

REPORTS_PER_PAGE = 20


def _choice(request, teams):
    """The quarter and scope from the query string; anything unknown falls back to the default, never an error."""
    quarters = selectors.choosable_quarters()
    try:
        period = parse_period(request.GET.get("quarter", ""))
    except PeriodError:
        period = selectors.default_quarter()
    if period.label not in {q.label for q in quarters}:
        period = selectors.default_quarter()
    team = next((t for t in teams if str(t.pk) == request.GET.get("team", "")), None)
    form = QuarterForm(
        initial={"quarter": period.label, "team": str(team.pk) if team else ""},
        quarters=[(q.label, selectors.quarter_words(q)) for q in quarters],
        teams=teams,
    )
    return period, team, form


@report_reads
@login_required
def dashboard(request):
    access.require_dashboard(request.user)
    teams = selectors.scope_teams()
    period, team, form = _choice(request, teams)
    board = selectors.dashboard(period=period, team=team, teams=teams)
    return render(
        request,
        "reporting/dashboard.html",
        {"board": board, "form": form, "may_enter_comparators": access.may_enter_comparators(request.user)},
    )


@login_required
def reports(request):
    access.require_dashboard(request.user)
    teams = selectors.scope_teams()
    _, _, form = _choice(request, teams)
    page = Paginator(
        QuarterlyReport.objects.select_related("job", "team", "requested_by").defer("pdf"), REPORTS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(request, "reporting/reports.html", {"page": page, "form": form})


@login_required
@require_POST
def report_new(request):
    access.require_dashboard(request.user)
    teams = selectors.scope_teams()
    team = next((t for t in teams if str(t.pk) == request.POST.get("team", "")), None)
    try:
        period = parse_period(request.POST.get("quarter", ""))
        services.report_request(actor=request.user, period=period, team=team)
    except (PeriodError, DomainError) as error:
        messages.error(request, getattr(error, "message", str(error)))
    else:
        messages.success(request, f"The report for {selectors.quarter_words(period)} has been requested.")
    return redirect("reporting:reports")


@login_required
def report_status(request, pk):
    """The htmx partial the reports page polls while a report is being made."""
    access.require_dashboard(request.user)
    report = get_object_or_404(QuarterlyReport.objects.select_related("job").defer("pdf"), pk=pk)
    return render(request, "reporting/_report_status.html", {"report": report})


@login_required
def report_download(request, pk):
    access.require_dashboard(request.user)
    report = get_object_or_404(QuarterlyReport.objects.select_related("team"), pk=pk)
    if not report.pdf:
        raise Http404("This report has not been made yet.")
    audit.record(
        AuditAction.EXPORT,
        report,
        actor=request.user,
        details={"period": report.period_label, "team": report.team_id, "file": report.file_name},
    )
    response = FileResponse(
        iter([bytes(report.pdf)]), content_type="application/pdf", as_attachment=True, filename=report.file_name
    )
    response["Content-Length"] = len(report.pdf)
    return response


@login_required
def feedback_new(request):
    access.require_feedback(request.user)
    teams = services.feedback_teams(request.user)
    form = FeedbackForm(request.POST or None, teams=teams, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_record(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Thank you: the feedback has been saved.")
            return redirect(reverse("reporting:feedback-new"))
    return render(request, "reporting/feedback_form.html", {"form": form})
