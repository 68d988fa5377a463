"""Pages that let staff act on the KPIs: a manager's list of their team's KPIs, the drill-down into a KPI's
failing records, the breach forecast (team or caseload), and the data quality page for data admins.

Every list is paginated and runs a fixed number of queries; every page of identifiable rows is audited."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from core import audit
from core.choices import Role
from core.pagination import paginate
from referrals.models import Episode
from reporting import drilldown, forecast
from reporting.dq import DQ_ORDER, fix_links, missing_any_item, missing_items, stored_figure
from reporting.kpis import snapshots
from reporting.kpis.engine import COUNTED_WHEN_PASSING, compute
from reporting.models import Kpi
from reporting.periods import (
    PeriodError,
    last_months,
    last_quarters,
    month_containing,
    parse_period,
    quarter_containing,
)

PAGE_SIZE = 50
FORECAST_ROLES = (Role.TEAM_MANAGER, Role.KEYWORKER, Role.DATA_ADMIN)


def period_choices(today):
    """The last 8 financial quarters and the last 12 months, newest first."""
    quarters = last_quarters(8, ending=quarter_containing(today))[::-1]
    return [(period.label, period) for period in (*quarters, *last_months(12, ending=month_containing(today)))]


def chosen_period(request, today):
    label = request.GET.get("period") or quarter_containing(today).label
    try:
        return parse_period(label)
    except PeriodError:
        raise Http404("No such period.") from None


def failing_count(result) -> int | None:
    """How many rows the drill-down lists: a rate's misses, a count's counted ones; DQ lists incomplete episodes."""
    if result.code == "DQ":
        return None
    if result.kind == "count" or result.code in COUNTED_WHEN_PASSING:
        return result.numerator
    return result.denominator - result.numerator


@login_required
def team_kpis(request):
    drilldown.require_drilldown(request.user)
    today = timezone.localdate()
    period = chosen_period(request, today)
    team = drilldown.team_for(request.user, request.GET.get("team"))
    # The nightly job's figures when it stored this period and scope (a live pass over a big team's quarter takes
    # seconds); "Work them out now" asks for a live pass, which is also the fallback.
    live = request.GET.get("live") == "1"
    stored = None if live else snapshots.stored(period, team=team)
    results, worked_out_at = stored or (compute(period, team=team), None)
    rows = [
        {
            "result": result,
            "figure": drilldown.figure_text(result),
            "target": drilldown.target_text(result),
            "status": drilldown.status(result),
            "failing": failing_count(result),
        }
        for result in results.values()
    ]
    return render(
        request,
        "reporting/drilldown/team_kpis.html",
        {
            "period": period,
            "team": team,
            "teams": drilldown.teams_for(request.user),
            "periods": period_choices(today),
            "rows": rows,
            "worked_out_at": worked_out_at,
            "service_allowed": request.user.has_role(Role.DATA_ADMIN),
        },
    )


@login_required
def kpi_drilldown(request, code):
    drilldown.require_drilldown(request.user)
    kpi = Kpi.objects.filter(code=code).first()
    if kpi is None:
        raise Http404("No such KPI.")
    today = timezone.localdate()
    period = chosen_period(request, today)
    team = drilldown.team_for(request.user, request.GET.get("team"))
    page = Paginator(drilldown.failing_rows(request.user, code, period, team=team), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [
        {
            "person": drilldown.person_of(code, row),
            "reason": drilldown.reason(code, row, period),
            "url": drilldown.record_url(code, row),
        }
        for row in page
    ]
    audit.audit_list_view(
        request,
        drilldown.row_model(code),
        page,
        page="kpi drill-down",
        kpi=code,
        period=period.label,
        team=team.pk if team else None,
        number=page.number,
    )
    query = f"period={period.label}" + (f"&team={team.pk}" if team else "")
    return render(
        request,
        "reporting/drilldown/kpi.html",
        {"kpi": kpi, "period": period, "team": team, "page": page, "rows": rows, "query": query},
    )


def forecast_scope(request) -> tuple[object, forecast.Scope, bool]:
    """(team, scope, caseload): a manager (or data admin) sees a team's forecast, with the projected figure; a
    keyworker their caseload. Someone who is both chooses with `?view=caseload`."""
    user = request.user
    if not user.has_role(*FORECAST_ROLES):
        raise PermissionDenied("Only team managers, keyworkers and data admins can see the breach forecast.")
    manages = user.has_role(Role.TEAM_MANAGER, Role.DATA_ADMIN)
    if not manages or (request.GET.get("view") == "caseload" and user.has_role(Role.KEYWORKER)):
        return None, forecast.scope_for(user=user, keyworker=user), True
    team = drilldown.team_for(user, request.GET.get("team"))
    return team, forecast.scope_for(user=user, team_ids=None if team is None else [team.pk]), False


@login_required
def at_risk_page(request):
    today = timezone.localdate()
    team, scope, caseload = forecast_scope(request)
    items = forecast.at_risk(scope, today)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    quarter, projections = (None, []) if caseload else forecast.projection(team=team, today=today)
    audit.audit_list_view(
        request,
        Episode,
        page.object_list,
        page="kpi at risk",
        team=team.pk if team else None,
        caseload=caseload,
        number=page.number,
    )
    query = "view=caseload" if caseload else (f"team={team.pk}" if team else "")
    return render(
        request,
        "reporting/drilldown/at_risk.html",
        {
            "today": today,
            "horizon_end": forecast.window(today).last,
            "team": team,
            "teams": [] if caseload else drilldown.teams_for(request.user),
            "caseload": caseload,
            "page": page,
            "counts": forecast.counts_by_kpi(items),
            "quarter": quarter,
            "projections": [
                {
                    "code": p.code,
                    "so_far": drilldown.figure_text(p.so_far),
                    "projected": drilldown.figure_text(p.projected),
                    "target": drilldown.target_text(p.projected),
                    "status": drilldown.status(p.projected),
                    "at_risk": p.at_risk,
                }
                for p in projections
            ],
            "query": query,
            "service_allowed": request.user.has_role(Role.DATA_ADMIN),
            "both_views": request.user.has_role(Role.KEYWORKER)
            and request.user.has_role(Role.TEAM_MANAGER, Role.DATA_ADMIN),
        },
    )


@login_required
def data_quality(request):
    if not request.user.has_role(Role.DATA_ADMIN):
        raise PermissionDenied("Only data admins can see the data quality page.")
    today = timezone.localdate()
    month = month_containing(today)
    figure = None
    stored = stored_figure(month)
    if stored is not None:
        result, computed_at = stored
        figure = {
            "result": result,
            "figure": drilldown.figure_text(result),
            "target": drilldown.target_text(result),
            "computed_at": computed_at,
        }
    # No count: how many episodes lack an item is a pass over every open episode, as the figure is.
    page = paginate(request, missing_any_item(month), ordering=DQ_ORDER, count=False)
    episodes = [{"episode": row, "missing": fix_links(row, missing_items(row))} for row in page.rows]
    audit.audit_list_view(request, Episode, episodes, page="data quality")
    return render(
        request,
        "reporting/drilldown/data_quality.html",
        {"month": month, "today": today, "figure": figure, "page": page, "episodes": episodes},
    )
