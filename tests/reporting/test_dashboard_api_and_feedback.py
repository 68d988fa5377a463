"""Comparators (data admins write, commissioners read), the management information API, quarterly reports through
the API, and service user feedback (staff write, commissioners never read a comment)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import AuditAction, JobState, Role, TeamKind
from core.factories import TeamFactory, make_staff
from core.models import AuditEvent
from reporting.dashboard import mi
from reporting.models import Kpi, KpiComparator, ServiceFeedback
from tests.reporting.dashboard_world import QUARTER, store

STAFF_ROLES = (
    Role.REFERRER,
    Role.ASSESSOR,
    Role.KEYWORKER,
    Role.PRESCRIBER,
    Role.HARM_REDUCTION_WORKER,
    Role.TEAM_MANAGER,
)


@pytest.fixture
def arm(db):
    return TeamFactory(name="ARM", kind=TeamKind.ARM)


def _as(client, role, team=None):
    user = make_staff(role, team=team)
    client.force_login(user)
    return user


def test_a_data_admin_enters_comparators_and_the_change_is_audited_with_old_and_new_values(client, data_admin):
    client.force_login(data_admin)

    created = client.post(
        "/api/v1/kpi-comparators/",
        {"kpi": "W21", "period_label": QUARTER.label, "national_value": "0.93", "similar_areas_value": "0.91"},
        content_type="application/json",
    )
    changed = client.patch(
        f"/api/v1/kpi-comparators/{created.json()['id']}/", {"national_value": "0.94"}, content_type="application/json"
    )

    assert created.status_code == 201, created.content
    assert changed.status_code == 200, changed.content
    assert KpiComparator.objects.get().national_value == Decimal("0.94")
    event = AuditEvent.objects.filter(action=AuditAction.CHANGE, object_type="reporting.KpiComparator").get()
    assert event.details["before"]["national_value"] == "0.9300"
    assert Decimal(event.details["after"]["national_value"]) == Decimal("0.94")


def test_a_rate_comparator_above_one_is_refused_with_a_message_naming_the_fix(client, data_admin):
    client.force_login(data_admin)

    response = client.post(
        "/api/v1/kpi-comparators/",
        {"kpi": "W21", "period_label": QUARTER.label, "national_value": "93"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "0.95 for 95%" in response.json()["national_value"][0]


def test_a_second_entry_for_the_same_kpi_and_quarter_is_refused(client, data_admin):
    client.force_login(data_admin)
    body = {"kpi": "W21", "period_label": QUARTER.label, "national_value": "0.9"}
    client.post("/api/v1/kpi-comparators/", body, content_type="application/json")

    response = client.post("/api/v1/kpi-comparators/", body, content_type="application/json")

    assert response.status_code == 400
    assert "already has comparators" in response.json()["period_label"][0]


def test_a_commissioner_reads_comparators_but_cannot_write_them(client, commissioner, data_admin):
    client.force_login(data_admin)
    client.post(
        "/api/v1/kpi-comparators/",
        {"kpi": "W21", "period_label": QUARTER.label, "national_value": "0.9"},
        content_type="application/json",
    )
    client.force_login(commissioner)

    listed = client.get("/api/v1/kpi-comparators/", {"period": QUARTER.label, "kpi": "W21"})
    refused = client.post(
        "/api/v1/kpi-comparators/", {"kpi": "W42", "period_label": QUARTER.label}, content_type="application/json"
    )

    assert listed.status_code == 200
    assert listed.json()["results"][0]["national_value"] == "0.9000"
    assert refused.status_code == 403


def test_the_comparators_show_beside_the_local_figure_on_the_dashboard(client, commissioner, data_admin):
    store([QUARTER])
    client.force_login(data_admin)
    client.post(
        "/api/v1/kpi-comparators/",
        {"kpi": "W21", "period_label": QUARTER.label, "national_value": "0.931", "similar_areas_value": "0.9"},
        content_type="application/json",
    )
    client.force_login(commissioner)

    page = client.get(reverse("reporting:dashboard"), {"quarter": QUARTER.label}).content.decode()

    assert "93.1%" in page
    assert "England: 93.1%" in page  # the chart's description says it in words


def test_the_comparator_admin_page_saves_through_the_audited_service(client, data_admin):
    client.force_login(data_admin)
    kpi = Kpi.objects.get(code="W42")

    response = client.post(
        reverse("admin:reporting_kpicomparator_add"),
        {
            "kpi": kpi.pk,
            "period_label": QUARTER.label,
            "national_value": "2",
            "similar_areas_value": "",
            "source": "OHID",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="reporting.KpiComparator").exists()


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.DATA_ADMIN])
def test_the_management_information_api_gives_the_suppressed_tables(client, role, arm):
    from referrals.factories import EpisodeFactory

    for _ in range(3):
        EpisodeFactory(referral__team=arm, referral__received_on=date(2025, 7, 2), opened_on=date(2025, 7, 3))
    mi.mi_store_all(period=QUARTER)
    _as(client, role)

    response = client.get("/api/v1/management-information/", {"period": QUARTER.label})

    assert response.status_code == 200
    sections = {s["item"]: s for s in response.json()["sections"]}
    assert set(sections) == set(range(1, 21))
    rows = {r["label"]: r["text"] for r in sections[1]["tables"][0]["rows"]}
    assert rows["New episodes of structured treatment opened"] == "<5"


def test_the_management_information_api_refuses_a_month(client, commissioner):
    client.force_login(commissioner)

    response = client.get("/api/v1/management-information/", {"period": "2025-07"})

    assert response.status_code == 400
    assert "financial quarter" in response.json()["period"][0]


def test_a_commissioner_requests_a_report_through_the_api_and_downloads_it_audited(
    client, commissioner, django_capture_on_commit_callbacks
):
    store([QUARTER])
    client.force_login(commissioner)

    with django_capture_on_commit_callbacks(execute=True):
        created = client.post("/api/v1/quarterly-reports/", {"period": QUARTER.label}, content_type="application/json")
    report_id = created.json()["id"]
    shown = client.get(f"/api/v1/quarterly-reports/{report_id}/")
    download = client.get(f"/api/v1/quarterly-reports/{report_id}/download/")

    assert created.status_code == 201
    assert shown.json()["state"] == JobState.SUCCEEDED
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(report_id)).count() == 1


# Service user feedback --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_record_feedback_for_their_team_on_the_page(client, role, arm):
    user = _as(client, role, team=arm)
    today = timezone.localdate()

    response = client.post(
        reverse("reporting:feedback-new"),
        {
            "team": arm.pk,
            "received_on_day": today.day,
            "received_on_month": today.month,
            "received_on_year": today.year,
            "rating": "4",
            "given_by": "person",
            "comment": "Felt listened to",
        },
    )

    assert response.status_code == 302
    feedback = ServiceFeedback.objects.get()
    assert (feedback.team, feedback.rating, feedback.recorded_by) == (arm, 4, user)


def test_feedback_without_a_rating_or_dated_tomorrow_is_refused_on_its_field(client, arm):
    _as(client, Role.KEYWORKER, team=arm)
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = client.post(
        reverse("reporting:feedback-new"),
        {
            "team": arm.pk,
            "received_on_day": tomorrow.day,
            "received_on_month": tomorrow.month,
            "received_on_year": tomorrow.year,
            "rating": "4",
            "given_by": "person",
        },
    )

    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    assert not ServiceFeedback.objects.exists()


def test_feedback_for_another_team_is_refused(client, arm):
    other = TeamFactory(name="ESAP", kind=TeamKind.ESAP)
    _as(client, Role.KEYWORKER, team=arm)

    response = client.post(
        "/api/v1/service-feedback/",
        {"team": other.pk, "received_on": "2025-07-01", "rating": 3, "given_by": "staff"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "only for your own teams" in response.json()["team"][0]


def test_a_commissioner_can_neither_record_nor_read_feedback(client, commissioner, arm):
    client.force_login(commissioner)

    assert client.get(reverse("reporting:feedback-new")).status_code == 403
    assert client.get("/api/v1/service-feedback/").status_code == 403
    assert (
        client.post(
            "/api/v1/service-feedback/",
            {"team": arm.pk, "received_on": "2025-07-01", "rating": 3},
            content_type="application/json",
        ).status_code
        == 403
    )


def test_staff_read_their_teams_feedback_through_the_api_and_the_read_is_audited(client, arm):
    _as(client, Role.TEAM_MANAGER, team=arm)
    client.post(
        "/api/v1/service-feedback/",
        {"team": arm.pk, "received_on": "2025-07-01", "rating": 5, "given_by": "person", "comment": "Good"},
        content_type="application/json",
    )

    listed = client.get("/api/v1/service-feedback/")

    assert listed.json()["results"][0]["comment"] == "Good"
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="reporting.ServiceFeedback").exists()
