"""Reads of reports go to the read replica when one is configured (core/replica.py), tested with a second
database standing in for the replica: each database holds a different figure, so the page or API answer says
which one was read."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reporting.models import Kpi, KpiSnapshot

pytestmark = pytest.mark.django_db(databases=["default", "replica"])
PRIMARY_ONLY_TABLES = ("core_user", "django_session", "core_auditevent", "auth_group", "otp_static")


def _snapshot(database: str, numerator: int):
    KpiSnapshot.objects.using(database).create(
        kpi=Kpi.objects.using(database).get(code="W21"),
        period_label="FY2025Q1",
        period_start=date(2025, 4, 1),
        period_end=date(2025, 6, 30),
        numerator=numerator,
        denominator=100,
        value=Decimal(numerator) / 100,
        met=False,
        threshold=">= 95%",
        computed_at=timezone.now(),
        job="test",
    )


@pytest.fixture
def two_databases(client, commissioner):
    _snapshot("default", 11)
    _snapshot("replica", 60)
    client.force_login(commissioner)
    return client


def _numerators(client) -> list[int]:
    return [row["numerator"] for row in client.get("/api/v1/kpi-snapshots/").json()["results"]]


def test_with_a_replica_the_snapshot_api_reads_it_and_the_account_session_and_audit_stay_on_the_primary(
    two_databases, settings
):
    settings.READ_REPLICA = "replica"
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert _numerators(two_databases) == [60]
    replica_sql = " ".join(query["sql"] for query in on_replica.captured_queries)
    assert "reporting_kpisnapshot" in replica_sql
    assert not [table for table in PRIMARY_ONLY_TABLES if table in replica_sql]


def test_without_a_replica_everything_reads_the_primary(two_databases, settings):
    settings.READ_REPLICA = None
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert _numerators(two_databases) == [11]
    assert len(on_replica) == 0


def test_the_dashboard_page_reads_the_replica(two_databases, settings):
    settings.READ_REPLICA = "replica"
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert two_databases.get("/reporting/dashboard/").status_code == 200
    assert "reporting_kpisnapshot" in " ".join(query["sql"] for query in on_replica.captured_queries)


def test_pages_that_are_not_reports_and_a_report_api_written_to_never_read_the_replica(
    two_databases, data_admin, settings
):
    settings.READ_REPLICA = "replica"
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert two_databases.get("/api/v1/kpi-recomputations/").status_code == 200
        two_databases.force_login(data_admin)
        assert two_databases.post("/api/v1/kpi-comparators/", {}, content_type="application/json").status_code == 400
    assert len(on_replica) == 0
