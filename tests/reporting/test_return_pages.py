"""A data admin's return pages and API: the last twelve months (ready, sent, changed since), an export with its
progress and problems, downloads, the sent mark, the nightly check and the 30-day removal; nobody else."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import Role
from core.factories import make_staff
from core.models import AuditEvent
from reporting.choices import ExportKind, ExportState
from reporting.models import MonthlyReturnCheck, ReturnExport
from reporting.returns import services
from reporting.tasks import check_monthly_returns, remove_expired_return_files
from tests.reporting.return_fixtures import consenting_person, episode, rows_of

pytestmark = pytest.mark.django_db

# The pages are tested on 15 May 2025: April 2025 is the newest month a return can be sent for.
TODAY = date(2025, 5, 15)


@pytest.fixture(autouse=True)
def _private_media_and_today(settings, tmp_path, monkeypatch):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)


@pytest.fixture
def admin_client(client, data_admin):
    client.force_login(data_admin)
    return client


def export_month(client, period, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:return-export-new"), {"kind": "monthly", "period": period})
    assert response.status_code == 302
    return ReturnExport.objects.latest("id")


def test_month_view_shows_the_last_twelve_finished_months(admin_client):
    response = admin_client.get(reverse("reporting:return-months"))
    months = [row.month.label for row in response.context["months"]]
    assert months[0] == "2025-04"
    assert months[-1] == "2024-05"
    assert len(months) == 12
    assert "Not checked yet" in response.content.decode()


def test_exporting_a_month_writes_the_file_in_private_storage_and_records_it(
    admin_client, data_admin, settings, django_capture_on_commit_callbacks
):
    treated = episode(date(2025, 3, 3), date(2025, 3, 5))
    export = export_month(admin_client, "2025-04", django_capture_on_commit_callbacks)
    export.refresh_from_db()
    assert export.state == ExportState.DONE
    assert export.progress == 100
    assert (export.episode_rows, export.top_rows, export.problem_count) == (1, 0, 0)
    assert export.file_name == "SOTDA-20250401-20250430-TREAT-IN.csv"
    stored = settings.PRIVATE_MEDIA_ROOT / export.file_path
    (row,) = rows_of(stored.read_bytes())
    assert row["EPISODID"] == treated.episode_id
    audited = AuditEvent.objects.get(action="export", object_type="reporting.Return")
    assert audited.actor == data_admin
    assert audited.details["checksum"] == export.checksum
    assert audited.details["period"] == "2025-04"
    check = MonthlyReturnCheck.objects.get(period="2025-04")
    assert (check.checksum, check.problem_count) == (export.checksum, 0)


def test_month_with_no_problem_is_ready_to_send(admin_client, django_capture_on_commit_callbacks):
    episode(date(2025, 3, 3), date(2025, 3, 5))
    export_month(admin_client, "2025-04", django_capture_on_commit_callbacks)
    page = admin_client.get(reverse("reporting:return-months")).content.decode()
    assert "Ready to send" in page


def test_export_lists_each_problem_with_a_link_to_the_record_and_can_still_be_downloaded(
    admin_client, django_capture_on_commit_callbacks
):
    treated = episode(date(2025, 3, 3), date(2025, 3, 5), person=consenting_person(postcode="SO1"))
    export = export_month(admin_client, "2025-04", django_capture_on_commit_callbacks)
    response = admin_client.get(reverse("reporting:return-export", args=[export.pk]))
    page = response.content.decode()
    (problem,) = response.context["problems"]
    assert (problem["line"], problem["field"]) == (2, "PC")
    assert problem["link"] == reverse("referrals:episode-detail", args=[treated.pk])
    assert f'href="{problem["link"]}"' in page
    assert "1 problem found" in page
    download = admin_client.get(reverse("reporting:return-export-download", args=[export.pk]))
    assert download.status_code == 200
    assert rows_of(b"".join(download.streaming_content))[0]["PC"] == "SO1"
    months = admin_client.get(reverse("reporting:return-months")).content.decode()
    assert "1 problem" in months


def test_download_as_final_marks_the_return_sent_with_who_and_when(
    admin_client, data_admin, django_capture_on_commit_callbacks
):
    episode(date(2025, 3, 3), date(2025, 3, 5))
    export = export_month(admin_client, "2025-04", django_capture_on_commit_callbacks)
    response = admin_client.post(reverse("reporting:return-export-sent", args=[export.pk]), {"download": "final"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('filename="SOTDA-20250401-20250430-TREAT-IN.csv"')
    export.refresh_from_db()
    assert export.sent_by == data_admin
    assert export.sent_at is not None
    rows = admin_client.get(reverse("reporting:return-months")).context["months"]
    april = rows[0]
    assert april.sent == export
    assert april.changed_since_sent is False
    assert AuditEvent.objects.filter(action="export", details__final=True).exists()


def test_month_whose_data_changed_since_it_was_sent_says_so(admin_client, django_capture_on_commit_callbacks):
    episode(date(2025, 3, 3), date(2025, 3, 5))
    export = export_month(admin_client, "2025-04", django_capture_on_commit_callbacks)
    admin_client.post(reverse("reporting:return-export-sent", args=[export.pk]))
    episode(date(2025, 4, 20), date(2025, 4, 22))
    check_monthly_returns()
    page = admin_client.get(reverse("reporting:return-months"))
    assert page.context["months"][0].changed_since_sent is True
    assert "Changed" in page.content.decode()


def test_nightly_check_hashes_and_validates_each_of_the_twelve_months():
    episode(date(2025, 3, 3), date(2025, 3, 5))
    checksums = check_monthly_returns()
    assert len(checksums) == 12
    assert MonthlyReturnCheck.objects.count() == 12
    assert MonthlyReturnCheck.objects.get(period="2025-04").episode_rows == 1
    assert MonthlyReturnCheck.objects.get(period="2024-05").episode_rows == 0


def test_a_month_not_yet_ended_cannot_be_exported(admin_client):
    response = admin_client.post(
        reverse("reporting:return-export-new"), {"kind": "monthly", "period": "2025-05"}, follow=True
    )
    assert "once the month has ended" in response.content.decode()
    assert not ReturnExport.objects.exists()


def test_export_task_delivered_twice_writes_once(data_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        export = services.return_export_request(user=data_admin, kind=ExportKind.TRANSFER)
    assert services.return_export_run(export_id=export.pk) == "already claimed"
    assert AuditEvent.objects.filter(action="export", object_type="reporting.Return").count() == 1


def test_files_are_removed_after_thirty_days_and_the_record_stays(
    admin_client, settings, django_capture_on_commit_callbacks
):
    episode(date(2025, 3, 3), date(2025, 3, 5))
    export = export_month(admin_client, "2025-04", django_capture_on_commit_callbacks)
    stored = settings.PRIVATE_MEDIA_ROOT / ReturnExport.objects.get(pk=export.pk).file_path
    ReturnExport.objects.filter(pk=export.pk).update(
        finished_at=datetime(2025, 4, 1, 9, tzinfo=ZoneInfo("Europe/London")) - timedelta(days=1)
    )
    assert remove_expired_return_files() == 1
    assert not stored.exists()
    export.refresh_from_db()
    assert export.file_removed_at is not None
    assert admin_client.get(reverse("reporting:return-export-download", args=[export.pk])).status_code == 404


def test_a_recent_file_is_kept(admin_client, django_capture_on_commit_callbacks):
    export_month(admin_client, "2025-04", django_capture_on_commit_callbacks)
    assert remove_expired_return_files() == 0


# Session and user (2), savepoint, checks, latest exports, sent exports, transfers (with who asked), messages.
MONTH_VIEW_QUERIES = 10


def test_month_view_runs_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    export_month(admin_client, "2025-04", django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(MONTH_VIEW_QUERIES):
        admin_client.get(reverse("reporting:return-months"))
    for period in ("2025-03", "2025-02", "2025-01", "2024-12", "2024-11"):
        export = export_month(admin_client, period, django_capture_on_commit_callbacks)
        admin_client.post(reverse("reporting:return-export-sent", args=[export.pk]))
    check_monthly_returns()
    with django_assert_max_num_queries(MONTH_VIEW_QUERIES):
        admin_client.get(reverse("reporting:return-months"))


def test_transfer_file_exported_from_the_page(admin_client, django_capture_on_commit_callbacks):
    treated = episode(date(2025, 3, 3), date(2025, 3, 5))
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("reporting:return-export-new"), {"kind": "transfer"})
    export = ReturnExport.objects.get()
    assert (export.kind, export.as_of, export.state) == (ExportKind.TRANSFER, TODAY, ExportState.DONE)
    download = admin_client.get(reverse("reporting:return-export-download", args=[export.pk]))
    (row,) = rows_of(b"".join(download.streaming_content))
    assert row["XJOINTWORK"] == "N"
    assert row["EPISODID"] == treated.episode_id
    assert admin_client.get(reverse("reporting:return-months")).context["transfers"] == [export]


def test_status_panel_polls_while_running_and_stops_when_done(admin_client, data_admin):
    export = ReturnExport.objects.create(
        kind=ExportKind.MONTHLY,
        period="2025-04",
        as_of=date(2025, 4, 30),
        requested_by=data_admin,
        state=ExportState.RUNNING,
        progress=40,
    )
    panel = admin_client.get(reverse("reporting:return-export", args=[export.pk]), HTTP_HX_REQUEST="true")
    text = panel.content.decode()
    assert 'hx-trigger="every 2s"' in text
    assert 'value="40"' in text
    ReturnExport.objects.filter(pk=export.pk).update(state=ExportState.FAILED, error="disk full")
    text = admin_client.get(reverse("reporting:return-export", args=[export.pk]), HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in text.content.decode()
    assert "disk full" in text.content.decode()


# API


def test_api_requests_an_export_then_polls_and_downloads_it(admin_client, django_capture_on_commit_callbacks):
    treated = episode(date(2025, 3, 3), date(2025, 3, 5), person=consenting_person(postcode="SO1"))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/api/v1/return-exports/", {"kind": "monthly", "period": "2025-04"}, content_type="application/json"
        )
    assert response.status_code == 202
    polled = admin_client.get(f"/api/v1/return-exports/{response.json()['id']}/").json()
    assert polled["state"] == "done"
    assert polled["problem_count"] == 1
    assert polled["download"].endswith(f"/api/v1/return-exports/{polled['id']}/file/")
    problems = admin_client.get(f"/api/v1/return-exports/{polled['id']}/problems/").json()
    assert problems[0]["field"] == "PC"
    assert problems[0]["episode_id"] == treated.episode_id
    file = admin_client.get(f"/api/v1/return-exports/{polled['id']}/file/")
    assert rows_of(b"".join(file.streaming_content))[0]["EPISODID"] == treated.episode_id


def test_api_refuses_a_month_that_is_not_one(admin_client):
    response = admin_client.post(
        "/api/v1/return-exports/", {"kind": "monthly", "period": "April"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "is not a month" in str(response.json())


# Permissions: every role other than data admin, on every page and endpoint

OTHER_ROLES = [role for role in Role if role != Role.DATA_ADMIN]


@pytest.fixture
def finished_export(data_admin, tmp_path, settings):
    path = settings.PRIVATE_MEDIA_ROOT / "returns" / "1-x.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(b'"AGNCY"\n')
    return ReturnExport.objects.create(
        kind=ExportKind.MONTHLY,
        period="2025-04",
        as_of=date(2025, 4, 30),
        requested_by=data_admin,
        state=ExportState.DONE,
        file_name="x.csv",
        file_path="returns/1-x.csv",
    )


def _every_way_in(client, export):
    pages = [
        ("get", reverse("reporting:return-months"), {}),
        ("post", reverse("reporting:return-export-new"), {"kind": "transfer"}),
        ("get", reverse("reporting:return-export", args=[export.pk]), {}),
        ("get", reverse("reporting:return-export-download", args=[export.pk]), {}),
        ("post", reverse("reporting:return-export-sent", args=[export.pk]), {"download": "final"}),
        ("get", "/api/v1/return-exports/", {}),
        ("post", "/api/v1/return-exports/", {"kind": "transfer"}),
        ("get", f"/api/v1/return-exports/{export.pk}/", {}),
        ("get", f"/api/v1/return-exports/{export.pk}/problems/", {}),
        ("get", f"/api/v1/return-exports/{export.pk}/file/", {}),
    ]
    return [(url, getattr(client, method)(url, data).status_code) for method, url, data in pages]


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_no_other_role_reaches_any_return_page_or_endpoint(client, role, finished_export):
    client.force_login(make_staff(role))
    for url, status in _every_way_in(client, finished_export):
        assert status == 403, url
    assert ReturnExport.objects.count() == 1
    assert ReturnExport.objects.get().sent_at is None


def test_signed_out_visitors_reach_nothing(client, finished_export):
    for url, status in _every_way_in(client, finished_export):
        assert status in (302, 403), url
        if url.startswith("/api/"):
            assert status == 403, url


def test_data_admin_reaches_every_page_and_endpoint(admin_client, finished_export):
    statuses = dict(_every_way_in(admin_client, finished_export))
    assert set(statuses.values()) <= {200, 202, 302}, statuses
