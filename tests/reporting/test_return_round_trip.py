"""Acceptance (issue 13): export a transfer file from demo data, import it into an empty caseload, export again:
the same bytes (domain.md 6)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from referrals.models import Person
from reporting.returns.export import ExportSpec
from reporting.returns.importer import import_file
from tests.reporting.return_fixtures import export_bytes

pytestmark = pytest.mark.django_db


def empty_the_caseload():
    """Every identifiable record goes (the staff, teams and reference data stay, as at a new provider)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {Person._meta.db_table} CASCADE")


@pytest.fixture
def demo():
    call_command("seed_demo", people=200, seed=7, stdout=io.StringIO())


def test_transfer_file_exported_imported_into_an_empty_caseload_and_exported_again_is_byte_identical(demo):
    spec = ExportSpec.transfer_as_of(timezone.localdate())
    first = export_bytes(spec)
    assert first.count(b"\n") > 200
    empty_the_caseload()
    assert Person.objects.count() == 0
    report = import_file(io.BytesIO(first))
    assert [f"line {p['line']}, {p['field']}: {p['reason']}" for p in report.problems][:20] == []
    assert report.created["people"] > 150
    assert report.created["modalities"] > 50
    assert report.created["TOPs"] > 50
    second = export_bytes(spec)
    assert second == first
