"""Recomputation on request (service, task, htmx views, API), the nightly job, the catalogue and snapshot API,
and threshold changes audited: every role tried."""

import json
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from core import audit
from core.choices import AuditAction, Role, TeamKind
from core.errors import DomainError
from core.factories import TeamFactory
from core.models import AuditEvent
from reporting.choices import RecomputationState
from reporting.kpis.engine import compute
from reporting.kpis.snapshots import store
from reporting.models import Kpi, KpiRecomputation, KpiSnapshot
from reporting.services import kpi_recomputation_request, kpi_threshold_change
from reporting.tasks import nightly_kpis, nightly_periods, run_kpi_recomputation
from tests.reporting.kpi_world import Q1, started_episode

pytestmark = pytest.mark.django_db

ALL_ROLES = list(Role)
MAY_RECOMPUTE = {Role.COMMISSIONER, Role.DATA_ADMIN}
MAY_READ = {Role.COMMISSIONER, Role.DATA_ADMIN, Role.TEAM_MANAGER}
KPI_COUNT = 23


@pytest.fixture
def teams(db):
    return TeamFactory(name="ARM", kind=TeamKind.ARM), TeamFactory(name="ESAP", kind=TeamKind.ESAP)


def test_a_requested_recomputation_runs_on_commit_and_stores_service_and_team_figures(
    commissioner, teams, django_capture_on_commit_callbacks
):
    started_episode(referred_on=date(2025, 4, 1), started_on=date(2025, 4, 2))
    with django_capture_on_commit_callbacks(execute=True):
        recomputation = kpi_recomputation_request(user=commissioner, period="FY2025Q1")
    recomputation.refresh_from_db()
    assert (recomputation.state, recomputation.progress) == (RecomputationState.DONE, 100)
    assert recomputation.finished_at is not None
    assert KpiSnapshot.objects.filter(period_label="FY2025Q1").count() == 3 * KPI_COUNT
    service = KpiSnapshot.objects.get(kpi__code="W21", period_label="FY2025Q1", team=None)
    assert (service.numerator, service.denominator) == (1, 1)
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="reporting.KpiRecomputation").exists()


def test_a_recomputation_is_claimed_once(commissioner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        recomputation = kpi_recomputation_request(user=commissioner, period="2025-04")
    assert run_kpi_recomputation(recomputation.pk) == "done"
    assert run_kpi_recomputation(recomputation.pk) == "already claimed"
    assert KpiSnapshot.objects.filter(period_label="2025-04", team=None).count() == KPI_COUNT


def test_asking_twice_while_waiting_gives_the_same_recomputation(data_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = kpi_recomputation_request(user=data_admin, period="FY2025Q1")
        second = kpi_recomputation_request(user=data_admin, period="FY2025Q1")
    assert first.pk == second.pk
    # Besides the audit log's sealing (core.audit.seal), one recomputation is sent.
    assert len([callback for callback in callbacks if callback is not audit.seal]) == 1


def test_a_failed_recomputation_says_why(commissioner, monkeypatch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        recomputation = kpi_recomputation_request(user=commissioner, period="FY2025Q1")

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("reporting.tasks.compute", broken)
    with pytest.raises(RuntimeError):
        run_kpi_recomputation(recomputation.pk)
    recomputation.refresh_from_db()
    assert (recomputation.state, recomputation.error) == (RecomputationState.FAILED, "database went away")


@pytest.mark.parametrize("role", [role for role in ALL_ROLES if role not in MAY_RECOMPUTE])
def test_other_roles_may_not_ask_for_a_recomputation(staff, role):
    with pytest.raises(DomainError, match="commissioner or a data admin"):
        kpi_recomputation_request(user=staff(role), period="FY2025Q1")


def test_a_recomputation_of_no_real_period_is_refused_on_the_period_field(commissioner):
    with pytest.raises(DomainError, match="not a period") as refused:
        kpi_recomputation_request(user=commissioner, period="2025Q1")
    assert refused.value.field == "period"


def test_nightly_job_stores_current_and_previous_month_and_quarter(teams, monkeypatch):
    monkeypatch.setattr("reporting.tasks.timezone.localdate", lambda: date(2026, 4, 15))
    assert [period.label for period in nightly_periods(date(2026, 4, 15))] == [
        "2026-03",
        "2026-04",
        "FY2025Q4",
        "FY2026Q1",
    ]
    nightly_kpis()
    nightly_kpis()
    assert KpiSnapshot.objects.count() == 4 * 3 * KPI_COUNT
    assert set(KpiSnapshot.objects.values_list("job", flat=True)) == {"nightly"}


# Pages (htmx partials).


@pytest.mark.parametrize("role", ALL_ROLES)
def test_request_and_status_views_by_role(client, staff, role, django_capture_on_commit_callbacks):
    user = staff(role)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reporting:recomputation-request"), {"period": "FY2025Q1"}, headers={"HX-Request": "true"}
        )
    if role not in MAY_RECOMPUTE:
        assert response.status_code == 403
        assert not KpiRecomputation.objects.exists()
        return
    recomputation = KpiRecomputation.objects.get()
    assert response.status_code == 200
    assert b"Recomputing FY2025Q1" in response.content
    status = client.get(
        reverse("reporting:recomputation-status", args=[recomputation.pk]), headers={"HX-Request": "true"}
    )
    assert status.status_code == 200
    assert b"Done" in status.content
    assert b"hx-trigger" not in status.content  # finished: stops polling


def test_status_panel_polls_and_shows_progress_while_running(client, commissioner):
    recomputation = KpiRecomputation.objects.create(
        requested_by=commissioner,
        period_label="FY2025Q1",
        period_start=Q1.start,
        period_end=Q1.end,
        state=RecomputationState.RUNNING,
        progress=40,
    )
    client.force_login(commissioner)
    response = client.get(
        reverse("reporting:recomputation-status", args=[recomputation.pk]), headers={"HX-Request": "true"}
    )
    assert b'hx-trigger="every 2s"' in response.content
    assert b'value="40"' in response.content
    assert b"40% complete" in response.content
    page = client.get(reverse("reporting:recomputation-status", args=[recomputation.pk]))
    assert b"<h1" in page.content
    assert b"40% complete" in page.content


def test_request_view_shows_the_error_on_the_period_field(client, commissioner):
    client.force_login(commissioner)
    response = client.post(
        reverse("reporting:recomputation-request"), {"period": "last quarter"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert b"nhsuk-error-message" in response.content
    assert b"not a period" in response.content
    assert not KpiRecomputation.objects.exists()


def test_request_without_htmx_goes_to_the_status_page(client, data_admin, django_capture_on_commit_callbacks):
    client.force_login(data_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:recomputation-request"), {"period": "2025-05"})
    recomputation = KpiRecomputation.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("reporting:recomputation-status", args=[recomputation.pk])


# API.


def test_commissioners_get_no_small_numbers_through_the_api(client, commissioner, data_admin):
    started_episode(referred_on=date(2025, 4, 1), started_on=date(2025, 4, 2))
    started_episode(referred_on=date(2025, 4, 1), started_on=date(2025, 6, 2))
    store(Q1, compute(Q1))
    query = {"period": "FY2025Q1", "team": "service", "kpi": "W21"}
    client.force_login(commissioner)
    (row,) = client.get("/api/v1/kpi-snapshots/", query).json()["results"]
    assert (row["numerator"], row["denominator"], row["value"], row["suppressed"]) == (None, None, None, True)
    assert row["met"] is False
    client.force_login(data_admin)
    (row,) = client.get("/api/v1/kpi-snapshots/", query).json()["results"]
    assert (row["numerator"], row["denominator"], row["suppressed"]) == (1, 2, False)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_catalogue_api_by_role(client, staff, role):
    client.force_login(staff(role))
    response = client.get("/api/v1/kpis/")
    if role not in MAY_READ:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert [row["code"] for row in response.json()][:3] == ["W21", "W42", "RTT3"]
    assert response.json()[0]["threshold_text"] == ">= 0.95"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_snapshot_api_by_role_and_filters(client, staff, role, teams):
    arm, esap = teams
    store(Q1, compute(Q1))
    store(Q1, compute(Q1, team=arm), team=arm)
    store(Q1, compute(Q1, team=esap), team=esap)
    user = staff(role, team=arm)
    client.force_login(user)
    response = client.get("/api/v1/kpi-snapshots/", {"period": "FY2025Q1", "kpi": "W21"})
    if role not in MAY_READ:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    scopes = sorted(str(row["team"]) for row in response.json()["results"])
    if role == Role.TEAM_MANAGER:
        assert scopes == ["ARM"]
    else:
        assert scopes == ["ARM", "ESAP", "None"]
        service = client.get("/api/v1/kpi-snapshots/", {"period": "FY2025Q1", "team": "service"}).json()
        assert service["count"] == KPI_COUNT


def test_snapshot_api_equals_the_command_figures(client, commissioner):
    for waited in (10, 30) * 5:
        started_episode(referred_on=date(2025, 4, 1), started_on=date(2025, 4, 1) + timedelta(days=waited))
    out = StringIO()
    call_command("compute_kpis", "--period", "FY2025Q1", "--store", "--format", "json", stdout=out)
    results = compute(Q1)
    assert json.loads(out.getvalue())["kpis"]["W21"]["numerator"] == results["W21"].numerator == 5
    client.force_login(commissioner)
    rows = client.get("/api/v1/kpi-snapshots/", {"period": "FY2025Q1", "team": "service", "kpi": "W21"}).json()
    (row,) = rows["results"]
    assert (row["numerator"], row["denominator"], Decimal(row["value"]), row["met"]) == (
        results["W21"].numerator,
        results["W21"].denominator,
        results["W21"].value,
        results["W21"].met,
    )


@pytest.mark.parametrize("role", ALL_ROLES)
def test_recomputation_api_by_role(client, staff, role, django_capture_on_commit_callbacks):
    client.force_login(staff(role))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/kpi-recomputations/", {"period": "FY2025Q1"}, content_type="application/json")
    if role not in MAY_RECOMPUTE:
        assert response.status_code == 403
        return
    assert response.status_code == 201
    body = client.get(f"/api/v1/kpi-recomputations/{response.json()['id']}/").json()
    assert (body["period_label"], body["state"], body["progress"]) == ("FY2025Q1", "done", 100)
    refused = client.post("/api/v1/kpi-recomputations/", {"period": "Q1"}, content_type="application/json")
    assert refused.status_code == 400
    assert "period" in refused.json()


# Thresholds.


def test_a_threshold_change_is_audited_with_old_and_new_value(data_admin):
    kpi = Kpi.objects.get(code="W21")
    kpi_threshold_change(user=data_admin, kpi=kpi, threshold="0.9")
    kpi.refresh_from_db()
    assert kpi.threshold == Decimal("0.9")
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_type="reporting.Kpi")
    assert event.details == {"field": "threshold", "old": "0.95", "new": "0.9"}


def test_a_rate_threshold_above_1_and_a_non_admin_are_refused(data_admin, commissioner):
    kpi = Kpi.objects.get(code="W21")
    with pytest.raises(DomainError, match="fraction from 0 to 1"):
        kpi_threshold_change(user=data_admin, kpi=kpi, threshold="95")
    with pytest.raises(DomainError, match="Only a data admin"):
        kpi_threshold_change(user=commissioner, kpi=kpi, threshold="0.9")


def test_the_admin_saves_a_threshold_through_the_audited_service(rf, data_admin):
    from django.contrib.admin.sites import site

    model_admin = site._registry[Kpi]
    kpi = Kpi.objects.get(code="HBR")
    request = rf.post("/")
    request.user = data_admin
    form_class = model_admin.get_form(request, kpi)
    assert not form_class({"threshold": "8"}, instance=kpi).is_valid()
    form = form_class({"threshold": "0.08"}, instance=kpi)
    assert form.is_valid()
    model_admin.save_model(request, form.save(commit=False), form, change=True)
    assert Kpi.objects.get(code="HBR").threshold == Decimal("0.08")
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_type="reporting.Kpi")
    assert (event.details["old"], event.details["new"], event.actor) == ("0.1", "0.08", data_admin)


def test_a_teams_figure_is_withheld_when_the_other_teams_small_one_could_be_worked_back(
    client, commissioner, data_admin
):
    arm, esap = TeamFactory(name="ARM", kind=TeamKind.ARM), TeamFactory(name="ESAP", kind=TeamKind.ESAP)
    # ARM: 10 of 30 within 21 days; ESAP: 3 of 3, a small number; the service: 13 of 33.
    for day in range(30):
        started_on = date(2025, 4, 10) if day < 10 else date(2025, 5, day)
        started_episode(referred_on=date(2025, 4, 1), started_on=started_on, team=arm)
    for _ in range(3):
        started_episode(referred_on=date(2025, 4, 1), started_on=date(2025, 4, 2), team=esap)
    store(Q1, compute(Q1))
    for team in (arm, esap):
        store(Q1, compute(Q1, team=team), team=team)
    query = {"period": "FY2025Q1", "kpi": "W21"}

    client.force_login(commissioner)
    rows = {row["team"]: row for row in client.get("/api/v1/kpi-snapshots/", query).json()["results"]}
    assert rows["ESAP"]["suppressed"] is True
    assert rows["ARM"]["suppressed"] is True
    assert rows["ARM"]["numerator"] is None
    assert rows[None]["suppressed"] is False

    client.force_login(data_admin)
    rows = {row["team"]: row for row in client.get("/api/v1/kpi-snapshots/", query).json()["results"]}
    assert (rows["ARM"]["suppressed"], rows["ARM"]["denominator"]) == (False, 30)
