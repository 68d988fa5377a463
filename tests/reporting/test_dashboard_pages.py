"""The commissioner's dashboard and quarterly reports: stored aggregates only, every role tried, fixed queries."""

import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from core.choices import AuditAction, JobState, Role, TeamKind
from core.factories import TeamFactory, make_staff
from core.models import AuditEvent
from reporting.dashboard import mi, selectors
from reporting.models import Kpi, QuarterlyReport
from reporting.periods import parse_period
from tests.reporting.dashboard_world import QUARTER, eight_quarters, read_identifiable, store

ALLOWED = (Role.COMMISSIONER, Role.DATA_ADMIN)
REFUSED = (
    Role.REFERRER,
    Role.ASSESSOR,
    Role.KEYWORKER,
    Role.PRESCRIBER,
    Role.HARM_REDUCTION_WORKER,
    Role.TEAM_MANAGER,
)
DASHBOARD_URL = reverse("reporting:dashboard")


@pytest.fixture
def teams(db):
    return [TeamFactory(name="ARM", kind=TeamKind.ARM), TeamFactory(name="ESAP", kind=TeamKind.ESAP)]


@pytest.fixture
def commissioner_client(client, commissioner):
    client.force_login(commissioner)
    return client


def _signed_in(client, role, team=None):
    user = make_staff(role, team=team)
    client.force_login(user)
    return user


def test_the_dashboard_shows_each_kpi_with_its_value_threshold_status_in_words_variance_and_travel(
    commissioner_client, teams
):
    store(eight_quarters(), teams=teams)

    page = commissioner_client.get(DASHBOARD_URL, {"quarter": QUARTER.label}).content.decode()

    board = selectors.dashboard(period=QUARTER, team=None)
    assert len(board.rows) == Kpi.objects.count()
    for row in board.rows:
        assert f'data-kpi-value="{row.code}">{row.value_text}<' in page
    statuses = {row.status.key for row in board.rows}
    assert {"met", "near", "not_met"} <= statuses
    assert "Near: not met" in page
    assert "Not met" in page
    assert "percentage points below the threshold" in page
    assert "(was " in page
    assert page.count('<svg class="app-chart') == 2 * len(board.rows)
    assert "as a table" in page


def test_the_home_page_takes_a_commissioner_to_the_dashboard(commissioner_client):
    response = commissioner_client.get("/")

    assert response.status_code == 302
    assert response["Location"] == DASHBOARD_URL


def test_a_quarter_without_figures_says_so(commissioner_client, teams):
    page = commissioner_client.get(DASHBOARD_URL, {"quarter": QUARTER.label}).content.decode()

    assert "No KPI figures have been stored for Q2 2025/26" in page


def test_a_teams_dashboard_reads_that_teams_figures(commissioner_client, teams):
    def figures(kpi, index):
        return (30, 40) if kpi.kind != "count" else (7, 40)

    store([QUARTER], teams=teams[:1], figures=figures)

    page = commissioner_client.get(DASHBOARD_URL, {"quarter": QUARTER.label, "team": teams[0].pk}).content.decode()

    assert "arm." in page.lower()
    assert 'data-kpi-value="W21">75%<' in page


@pytest.mark.parametrize("role", ALLOWED)
def test_commissioners_and_data_admins_open_the_dashboard_and_reports(client, role, teams):
    _signed_in(client, role)

    assert client.get(DASHBOARD_URL).status_code == 200
    assert client.get(reverse("reporting:reports")).status_code == 200


@pytest.mark.parametrize("role", REFUSED)
def test_every_other_role_is_refused_the_dashboard_reports_and_their_api(client, role, teams):
    _signed_in(client, role, team=teams[0])
    store([QUARTER])

    assert client.get(DASHBOARD_URL).status_code == 403
    assert client.get(reverse("reporting:reports")).status_code == 403
    assert client.post(reverse("reporting:report-new"), {"quarter": QUARTER.label}).status_code == 403
    assert client.get("/api/v1/kpi-comparators/").status_code == 403
    assert client.get("/api/v1/management-information/", {"period": QUARTER.label}).status_code == 403
    assert client.get("/api/v1/quarterly-reports/").status_code == 403
    assert client.post("/api/v1/quarterly-reports/", {"period": QUARTER.label}).status_code == 403


def test_the_dashboard_reads_no_identifiable_table_and_runs_a_fixed_number_of_queries(
    commissioner_client, teams, django_assert_max_num_queries
):
    store([QUARTER])
    mi.mi_store_all(period=QUARTER)
    with CaptureQueriesContext(connection) as few:
        commissioner_client.get(DASHBOARD_URL, {"quarter": QUARTER.label})

    store(eight_quarters()[:-1], teams=teams)
    for team in teams:
        mi.mi_store(period=QUARTER, team=team)
    with CaptureQueriesContext(connection) as many:
        page = commissioner_client.get(DASHBOARD_URL, {"quarter": QUARTER.label, "team": teams[1].pk})

    assert page.status_code == 200
    assert read_identifiable(few.captured_queries) == []
    assert read_identifiable(many.captured_queries) == []
    assert len(many.captured_queries) == len(few.captured_queries)
    with django_assert_max_num_queries(len(few.captured_queries)):
        commissioner_client.get(DASHBOARD_URL, {"quarter": QUARTER.label})


def test_the_quarterly_report_is_made_by_a_job_and_its_pdf_holds_each_kpis_value(
    commissioner_client, teams, django_capture_on_commit_callbacks
):
    store(eight_quarters())
    mi.mi_store(period=QUARTER)

    with CaptureQueriesContext(connection) as made, django_capture_on_commit_callbacks(execute=True):
        commissioner_client.post(reverse("reporting:report-new"), {"quarter": QUARTER.label})

    report = QuarterlyReport.objects.select_related("job").get()
    assert report.job.state == JobState.SUCCEEDED
    assert read_identifiable(made.captured_queries) == []
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(report.pdf))).pages)
    text = " ".join(text.split())
    for row in selectors.dashboard(period=QUARTER, team=None).rows:
        assert f"{row.code}: {row.title}: {row.status.label}, {row.value_text}" in text
    assert "What was missed" in text


def test_downloading_a_report_is_audited_and_listed(
    commissioner_client, commissioner, teams, django_capture_on_commit_callbacks
):
    store([QUARTER])
    with django_capture_on_commit_callbacks(execute=True):
        commissioner_client.post(reverse("reporting:report-new"), {"quarter": QUARTER.label})
    report = QuarterlyReport.objects.get()

    listed = commissioner_client.get(reverse("reporting:reports")).content.decode()
    response = commissioner_client.get(reverse("reporting:report-download", args=[report.pk]))

    assert reverse("reporting:report-download", args=[report.pk]) in listed
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.actor, event.object_id) == (commissioner, str(report.pk))


def test_the_reports_list_runs_a_fixed_number_of_queries(commissioner_client, commissioner, teams):
    from reporting.dashboard import services

    def count():
        with CaptureQueriesContext(connection) as captured:
            commissioner_client.get(reverse("reporting:reports"))
        return len(captured)

    services.report_request(actor=commissioner, period=QUARTER)
    one = count()
    for _ in range(4):
        services.report_request(actor=commissioner, period=QUARTER, team=teams[0])

    assert count() == one


def test_the_report_status_partial_is_polled_while_the_job_waits(commissioner_client, commissioner, teams):
    from reporting.dashboard import services

    report = services.report_request(actor=commissioner, period=QUARTER)
    report.job.state = JobState.PENDING
    report.job.save()

    partial = commissioner_client.get(reverse("reporting:report-status", args=[report.pk])).content.decode()

    assert 'hx-trigger="every 2s"' in partial
    assert "Waiting to start" in partial


def test_the_choice_of_quarter_falls_back_to_the_last_quarter_that_has_ended(commissioner_client, teams):
    page = commissioner_client.get(DASHBOARD_URL, {"quarter": "nonsense"}).content.decode()

    assert selectors.quarter_words(selectors.default_quarter()) in page


def test_quarter_words_name_the_financial_year_and_months():
    assert selectors.quarter_words(QUARTER) == "Q2 2025/26 (July to September 2025)"
    assert selectors.quarter_words(parse_period("FY2025Q4")) == "Q4 2025/26 (January to March 2026)"


def test_a_report_for_a_month_is_refused(commissioner, teams):
    from core.errors import DomainError
    from reporting.dashboard import services

    with pytest.raises(DomainError, match="financial quarter"):
        services.report_request(actor=commissioner, period=parse_period("2025-07"))


def test_no_identifiable_record_is_linked_from_the_dashboard(commissioner_client, teams):
    store(eight_quarters(), teams=teams)
    mi.mi_store_all(period=QUARTER)

    page = commissioner_client.get(DASHBOARD_URL, {"quarter": QUARTER.label}).content.decode()

    for prefix in ("/referrals/", "/assessment/", "/recovery-plans/", "/prescribing/", "/harm-reduction/"):
        assert f'href="{prefix}' not in page


def test_the_dashboard_shows_what_compute_kpis_prints_for_the_quarter(commissioner_client, teams):
    import json
    from decimal import Decimal

    from django.core.management import call_command

    from recovery_plans.factories import ModalityFactory
    from referrals.factories import EpisodeFactory
    from reporting.dashboard import rag
    from reporting.kpis.suppression import must_suppress

    for index in range(12):
        episode = EpisodeFactory(
            referral__team=teams[index % 2], referral__received_on=date(2025, 7, 1), opened_on=date(2025, 7, 2)
        )
        ModalityFactory(
            episode=episode, referred_on=date(2025, 7, 2), started_on=date(2025, 7, 2) + timedelta(days=index * 3)
        )
    out = io.StringIO()
    call_command("compute_kpis", "--period", QUARTER.label, "--format", "json", "--store", stdout=out)
    printed = json.loads(out.getvalue())["kpis"]

    page = commissioner_client.get(DASHBOARD_URL, {"quarter": QUARTER.label}).content.decode()

    kinds = dict(Kpi.objects.values_list("code", "kind"))
    shown = 0
    for code, figure in printed.items():
        if figure["value"] is None or must_suppress(
            kind=kinds[code], numerator=figure["numerator"], denominator=figure["denominator"]
        ):
            continue
        text = rag.show_value(Decimal(str(figure["value"])), kinds[code])
        assert f'data-kpi-value="{code}">{text}<' in page
        shown += 1
    assert shown >= 5
