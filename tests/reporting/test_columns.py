import csv
import io
from datetime import date

from reporting.returns.columns import (
    LOCAL_FIELDS,
    RETURN_COLUMNS,
    TRANSFER_COLUMNS,
    Dialect,
    cell,
    file_name,
)


def test_return_columns_are_the_section_6_fields_in_order_without_local_fields():
    assert RETURN_COLUMNS[:3] == ("AGNCY", "CLIENTID", "EPISODID")
    assert RETURN_COLUMNS[-1] == "QUALLIFE"
    assert not any(column.startswith("X") for column in RETURN_COLUMNS)
    assert len(set(RETURN_COLUMNS)) == len(RETURN_COLUMNS) == 36 + 9 + 23


def test_transfer_columns_add_the_local_fields_at_the_end():
    assert TRANSFER_COLUMNS[len(RETURN_COLUMNS) :] == tuple(LOCAL_FIELDS)
    assert TRANSFER_COLUMNS[-1] == "XREFOUTCOME"


def test_file_name_follows_section_6():
    assert file_name("SOTDA", date(2025, 4, 1), date(2025, 4, 30)) == "SOTDA-20250401-20250430-TREAT-IN.csv"


def test_every_value_is_quoted_and_lines_end_with_a_newline():
    out = io.StringIO()
    csv.writer(out, dialect=Dialect).writerow([cell("C00000001"), cell(None), cell(date(2025, 4, 1)), cell(True)])
    assert out.getvalue() == '"C00000001","NA","2025-04-01","Y"\n'


def test_zero_is_written_as_zero_not_na():
    assert cell(0) == "0"
