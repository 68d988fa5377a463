"""`python manage.py export_return`: the return for a month or the transfer file, to a file or standard output."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from core.models import AuditEvent
from tests.reporting.return_fixtures import episode, rows_of

pytestmark = pytest.mark.django_db


def test_month_written_to_a_folder_takes_the_section_6_file_name(tmp_path):
    treated = episode(date(2025, 3, 3), date(2025, 3, 5))
    call_command("export_return", "--month", "2025-04", "--out", str(tmp_path))
    written = tmp_path / "SOTDA-20250401-20250430-TREAT-IN.csv"
    (row,) = rows_of(written.read_bytes())
    assert row["EPISODID"] == treated.episode_id
    assert "XKEYWORKER" not in row


def test_month_to_standard_output(capfdbinary):
    episode(date(2025, 3, 3), date(2025, 3, 5))
    call_command("export_return", "--month", "2025-04", "--out", "-")
    out = capfdbinary.readouterr().out
    assert out.startswith(b'"AGNCY","CLIENTID"')
    assert len(rows_of(out)) == 1


def test_transfer_as_at_a_day_carries_the_x_fields(tmp_path):
    treated = episode(date(2025, 3, 3), date(2025, 3, 5))
    target = tmp_path / "transfer.csv"
    call_command("export_return", "--transfer", "--as-of", "2025-04-30", "--out", str(target))
    (row,) = rows_of(target.read_bytes())
    assert row["EPISODID"] == treated.episode_id
    assert row["XJOINTWORK"] == "N"


def test_every_export_is_audited_with_checksum_and_row_counts(tmp_path):
    episode(date(2025, 3, 3), date(2025, 3, 5))
    call_command("export_return", "--month", "2025-04", "--out", str(tmp_path / "april.csv"))
    event = AuditEvent.objects.get(action="export")
    assert event.details["period"] == "2025-04"
    assert event.details["episode_rows"] == 1
    assert event.details["top_rows"] == 0
    assert len(event.details["checksum"]) == 64


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--month", "2025-13"], "2025-13 is not a month"),
        (["--month", "FY2025Q1"], "FY2025Q1 is not a month"),
        ([], "Say which month"),
        (["--transfer", "--month", "2025-04"], "leave out --month"),
        (["--month", "2025-04", "--as-of", "2025-04-30"], "--as-of goes with --transfer"),
        (["--transfer", "--as-of", "30/04/2025"], "is not a date"),
    ],
)
def test_wrong_arguments_are_refused_with_a_message(arguments, message, tmp_path):
    with pytest.raises(CommandError, match=message):
        call_command("export_return", *arguments, "--out", str(tmp_path / "x.csv"))
