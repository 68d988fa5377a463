"""The data admin's import page and API (issue 13): upload, dry run, the background run and its report kept for
later, sizes refused before the body is read, private storage removed after 30 days, every import audited,
data admins only."""

import os
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.choices import JobState, Role, TeamKind
from core.factories import TeamFactory
from core.models import AuditEvent
from referrals.models import Person
from reporting.models import TransferImport
from reporting.returns.uploads import transfer_import_files_purge
from tests.reporting.transfer_files import as_bytes, good_rows

pytestmark = pytest.mark.django_db
URL = "/reporting/imports/"
API = "/api/v1/transfer-imports/"


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path / "private"


@pytest.fixture
def service(arm_team, esap_team, staff):
    delivery = TeamFactory(name="Delivery", kind=TeamKind.DELIVERY)
    return staff(Role.KEYWORKER, username="old.keyworker", team=delivery)


def upload(client, content: bytes, *, dry_run=False, create_staff=False, name="transfer.csv", **extra):
    data = {"file": SimpleUploadedFile(name, content, content_type="text/csv")}
    if dry_run:
        data["dry_run"] = "on"
    if create_staff:
        data["create_staff"] = "on"
    return client.post(URL, data, **extra)


def test_a_data_admin_uploads_a_file_that_is_imported_in_the_background_and_audited(
    client, data_admin, service, django_capture_on_commit_callbacks, private_storage
):
    client.force_login(data_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, as_bytes(good_rows()))
    record = TransferImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("reporting:import-detail", args=[record.pk])
    assert (record.state, record.progress, record.rows) == (JobState.SUCCEEDED, 100, 4)
    assert record.report["created"]["people"] == 2
    assert Person.objects.count() == 2
    assert record.file.path.startswith(str(private_storage))
    page = client.get(response.url).content.decode()
    assert "Imported" in page
    assert 'value="100"' in page
    assert "hx-get" not in page  # finished: the status row no longer polls
    details = AuditEvent.objects.filter(object_type="reporting.TransferImport").values_list("action", "details")
    assert {action for action, _ in details} >= {"create", "change"}
    assert all(d.get("checksum") == record.checksum for _, d in details if "checksum" in d)
    listing = client.get(URL).content.decode()
    assert "transfer.csv" in listing


def test_a_bad_file_is_reported_with_line_field_and_reason_and_nothing_is_imported(
    client, data_admin, service, django_capture_on_commit_callbacks
):
    rows = good_rows()
    rows[2]["TRSTAGE"] = "Q"
    client.force_login(data_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, as_bytes(rows))
    page = client.get(response.url).content.decode()
    assert "The file was refused: nothing was imported" in page
    assert '<td class="nhsuk-table__cell">4</td>' in page
    assert "TRSTAGE" in page
    assert "is not a known code" in page
    assert Person.objects.count() == 0


def test_a_dry_run_reports_what_would_be_created_and_imports_nothing(
    client, data_admin, service, django_capture_on_commit_callbacks
):
    client.force_login(data_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, as_bytes(good_rows()), dry_run=True)
    page = client.get(response.url).content.decode()
    assert "What the import would create" in page
    assert Person.objects.count() == 0


def test_the_status_row_polls_until_the_import_has_finished(client, data_admin):
    client.force_login(data_admin)
    record = TransferImport.objects.create(
        original_name="t.csv", size=10, checksum="0" * 64, uploaded_by=data_admin, state=JobState.RUNNING, progress=40
    )
    response = client.get(reverse("reporting:import-status", args=[record.pk]))
    body = response.content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert 'value="40"' in body
    assert "HX-Refresh" not in response
    TransferImport.objects.filter(pk=record.pk).update(state=JobState.SUCCEEDED, progress=100)
    response = client.get(reverse("reporting:import-status", args=[record.pk]))
    assert response["HX-Refresh"] == "true"


def test_an_oversized_upload_is_refused_from_its_declared_length_before_the_body_is_read(client, data_admin, settings):
    settings.TRANSFER_IMPORT_MAX_BYTES = 10_000
    client.force_login(data_admin)
    response = upload(client, b"x" * 100, CONTENT_LENGTH=str(1024**3))
    assert response.status_code == 413
    assert "larger than" in response.content.decode()
    assert TransferImport.objects.count() == 0


def test_an_oversized_upload_without_a_truthful_length_is_stopped_while_it_is_read(client, data_admin, settings):
    settings.TRANSFER_IMPORT_MAX_BYTES = 200_000
    client.force_login(data_admin)
    response = upload(client, b"x" * 300_000)
    assert response.status_code == 413
    assert TransferImport.objects.count() == 0


def test_the_api_refuses_an_oversized_upload_before_reading_it(client, data_admin, settings):
    settings.TRANSFER_IMPORT_MAX_BYTES = 10_000
    client.force_login(data_admin)
    data = {"file": SimpleUploadedFile("t.csv", b"x" * 100)}
    response = client.post(API, data, CONTENT_LENGTH=str(1024**3))
    assert response.status_code == 413
    assert "larger than" in response.json()["file"][0]


def test_the_api_uploads_and_reads_the_report(client, data_admin, service, django_capture_on_commit_callbacks):
    client.force_login(data_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(API, {"file": SimpleUploadedFile("t.csv", as_bytes(good_rows())), "dry_run": "true"})
    assert response.status_code == 201
    body = client.get(f"{API}{response.json()['id']}/").json()
    assert body["state"] == "succeeded"
    assert body["dry_run"] is True
    assert body["report"]["created"]["people"] == 2
    assert body["report"]["refused"] is False
    assert client.get(API).json()["count"] == 1


@pytest.mark.parametrize(
    "role",
    [Role.REFERRER, Role.ASSESSOR, Role.KEYWORKER, Role.PRESCRIBER, Role.HARM_REDUCTION_WORKER, Role.TEAM_MANAGER,
     Role.COMMISSIONER],
)  # fmt: skip
def test_only_data_admins_reach_the_import_pages_and_api(client, staff, data_admin, role):
    record = TransferImport.objects.create(original_name="t.csv", size=1, checksum="0" * 64, uploaded_by=data_admin)
    client.force_login(staff(role))
    assert client.get(URL).status_code == 403
    assert upload(client, as_bytes(good_rows())).status_code == 403
    assert client.get(reverse("reporting:import-detail", args=[record.pk])).status_code == 403
    assert client.get(API).status_code == 403
    assert client.get(f"{API}{record.pk}/").status_code == 403
    assert client.post(API, {"file": SimpleUploadedFile("t.csv", b"x")}).status_code == 403
    assert TransferImport.objects.count() == 1


def test_uploaded_files_are_removed_after_30_days_and_the_report_stays(
    client, data_admin, service, django_capture_on_commit_callbacks
):
    client.force_login(data_admin)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, as_bytes(good_rows()), dry_run=True)
    record = TransferImport.objects.get()
    path = record.file.path
    today = timezone.localdate()
    assert transfer_import_files_purge(today + timedelta(days=30)) == 0
    assert transfer_import_files_purge(today + timedelta(days=31)) == 1
    record.refresh_from_db()
    assert not record.file
    assert record.file_removed_on == today + timedelta(days=31)
    assert record.report["created"]["people"] == 2
    assert not os.path.exists(path)


def test_the_list_of_past_imports_is_paginated_with_a_fixed_number_of_queries(
    client, data_admin, django_assert_max_num_queries
):
    client.force_login(data_admin)
    for count in (2, 45):
        TransferImport.objects.bulk_create(
            TransferImport(original_name=f"{n}.csv", size=1, checksum="0" * 64, uploaded_by=data_admin)
            for n in range(count)
        )
        with django_assert_max_num_queries(12):
            response = client.get(URL)
        assert response.status_code == 200
    assert len(re.findall(r'href="/reporting/imports/[0-9]+/"', response.content.decode())) == 20
