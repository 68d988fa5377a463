"""The file rules of domain.md 6 and 6b: every problem reported with its line, field and reason."""

import io

import pytest

from core.choices import Role
from reporting.returns.columns import TRANSFER_COLUMNS
from reporting.returns.validate import check_rows, read_file, read_rows
from tests.reporting.transfer_files import EPISODE, MODALITY, as_bytes, good_rows, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def keyworker(staff):
    return staff(Role.KEYWORKER, username="old.keyworker")


def problems(content: bytes, **options):
    return [(p.line, p.field) for p in read_file(io.BytesIO(content), **options).problems]


def test_a_good_transfer_file_has_no_problem(keyworker):
    stream = io.BytesIO(as_bytes(good_rows()))
    parsed = read_file(stream)
    assert parsed.problems == []
    assert [line for line, _row in read_rows(stream, parsed)] == [2, 3, 4, 5]


def test_columns_are_read_by_name_in_any_order_and_a_missing_x_column_reads_na(keyworker):
    columns = [name for name in reversed(TRANSFER_COLUMNS) if name != "XREFOUTCOME" and name != "XREFCLOSED"]
    rows = [values for values in good_rows() if values["CLIENTID"] != "OLD-C-0002"]
    stream = io.BytesIO(as_bytes(rows, columns))
    parsed = read_file(stream)
    assert parsed.problems == []
    _line, first = next(read_rows(stream, parsed))
    assert first[TRANSFER_COLUMNS.index("XREFCLOSED")] == "NA"
    assert first[TRANSFER_COLUMNS.index("CLIENTID")] == "OLD-C-0001"


def test_an_unknown_column_and_a_missing_non_x_column_are_both_named_on_line_1(keyworker):
    columns = [name for name in TRANSFER_COLUMNS if name != "REFLD"] + ["FAVCOLOUR"]
    assert problems(as_bytes(good_rows(), columns)) == [(1, "FAVCOLOUR"), (1, "REFLD")]


@pytest.mark.parametrize(
    ("name", "value"),
    [("SEX", "Q"), ("RFLS", "99"), ("DRUG2", "1234"), ("MODAL", "93"), ("DISRSN", "79"), ("HEPBSTAT", "K"),
     ("PREGNANT", "maybe"), ("XCJORDER", "ABC"), ("CONSENT", "yes")],
)  # fmt: skip
def test_an_unknown_code_in_a_coded_field_is_refused(keyworker, name, value):
    rows = good_rows()
    rows[0][name] = value
    if name == "DISRSN":
        rows[0]["DISD"] = rows[1]["DISD"] = "2024-07-01"
        rows[1]["DISRSN"] = value
    found = read_file(io.BytesIO(as_bytes(rows))).problems
    assert (2, name) in [(p.line, p.field) for p in found]
    assert any(f"'{value}' is not a known code" in p.reason for p in found)


@pytest.mark.parametrize("value", ["08/01/2024", "2024-1-8", "2024-02-30", "2023-02-29", "yesterday"])
def test_a_date_in_another_format_or_impossible_is_refused(keyworker, value):
    rows = good_rows()
    rows[3]["REFLD"] = value
    found = read_file(io.BytesIO(as_bytes(rows))).problems
    assert [(p.line, p.field) for p in found] == [(5, "REFLD")]
    assert "YYYY-MM-DD" in found[0].reason


def test_an_identifier_over_20_characters_is_refused(keyworker):
    rows = good_rows()
    rows[2]["TOPID"] = "T" * 21
    found = read_file(io.BytesIO(as_bytes(rows))).problems
    assert [(p.line, p.field) for p in found] == [(4, "TOPID")]
    assert "at most 20 characters" in found[0].reason


def test_rows_of_one_episode_or_one_person_that_disagree_are_each_named(keyworker):
    rows = good_rows()
    rows[1]["REFLD"] = "2024-01-09"
    rows[1]["DOB"] = "1980-05-02"
    found = read_file(io.BytesIO(as_bytes(rows))).problems
    assert [(p.line, p.field) for p in found] == [(3, "DOB"), (3, "REFLD")]
    assert "line 2 says '2024-01-08'" in found[1].reason


def test_a_modality_ending_before_it_starts_or_starting_before_its_referral_is_refused(keyworker):
    rows = good_rows()
    rows[1]["MODEND"] = "2024-02-01"
    rows[1]["SUBMODDT"] = "NA"
    rows[0]["MODST"] = "2024-01-19"
    rows[0]["FAOMODDT"] = "NA"
    found = read_file(io.BytesIO(as_bytes(rows))).problems
    assert [(p.line, p.field) for p in found] == [(2, "MODST"), (3, "MODEND")]
    assert found[0].reason == "The start date cannot be before the referral date."
    assert found[1].reason == "The end date cannot be before the start date."


def test_a_discharge_before_the_episode_opened_is_refused(keyworker):
    rows = [row(EPISODE, MODALITY, MODEND="2024-01-30", MODEXIT="A", DISD="2024-01-14", DISRSN="80")]
    found = read_file(io.BytesIO(as_bytes(rows))).problems
    assert (2, "DISD") in [(p.line, p.field) for p in found]
    assert any("cannot be before the episode opened on 15 January 2024" in p.reason for p in found)


def test_a_top_with_an_unknown_stage_is_refused(keyworker):
    rows = good_rows()
    rows[2]["TRSTAGE"] = "X"
    assert problems(as_bytes(rows)) == [(4, "TRSTAGE")]


def test_cplandt_differing_from_xrapsigned_is_refused(keyworker):
    rows = good_rows()
    for values in rows[:2]:
        values["CPLANDT"] = "2024-02-02"
    found = read_file(io.BytesIO(as_bytes(rows))).problems
    assert [(p.line, p.field) for p in found] == [(2, "CPLANDT"), (3, "CPLANDT")]


def test_assessment_fields_without_xcompassess_are_refused(keyworker):
    rows = good_rows()
    for values in rows[:2]:
        values["XCOMPASSESS"] = "NA"
    found = read_file(io.BytesIO(as_bytes(rows))).problems
    assert [(p.line, p.field) for p in found] == [(2, "XCOMPASSESS"), (3, "XCOMPASSESS")]
    assert found[0].reason.startswith("DRUG1, DRUG2, DRUG1AGE, ROUTE")


def test_an_unknown_keyworker_is_refused_unless_staff_may_be_created(db):
    content = as_bytes(good_rows())
    found = read_file(io.BytesIO(content)).problems
    assert [(p.line, p.field) for p in found] == [(2, "XKEYWORKER"), (3, "XKEYWORKER")]
    assert "--create-staff" in found[0].reason
    assert read_file(io.BytesIO(content), create_staff=True).problems == []


def test_an_empty_file_is_refused(keyworker):
    assert problems(b"") == [(1, "file")]
    assert problems(as_bytes([])) == [(2, "file")]


def test_a_file_that_is_not_utf8_names_the_line_of_the_bad_byte(keyworker):
    lines = as_bytes(good_rows()).split(b"\n")
    lines[3] = lines[3].replace(b'"OLD01"', b'"OLD\xe901"')
    found = read_file(io.BytesIO(b"\n".join(lines))).problems
    assert [(p.line, p.field) for p in found] == [(4, "file")]
    assert "not UTF-8" in found[0].reason


def test_every_problem_is_reported_not_only_the_first(keyworker):
    rows = good_rows()
    rows[0]["SEX"] = "Q"
    rows[2]["TOPDATE"] = "2024-13-01"
    rows[3]["CLIENTID"] = "C" * 25
    assert problems(as_bytes(rows)) == [(2, "SEX"), (3, "SEX"), (4, "TOPDATE"), (5, "CLIENTID")]


def test_the_export_runs_the_same_rules_on_its_rows(keyworker):
    rows = good_rows()
    rows[1]["MODEND"] = "2024-02-01"
    rows[1]["SUBMODDT"] = "NA"
    found = check_rows((line, [values[name] for name in TRANSFER_COLUMNS]) for line, values in enumerate(rows, 2))
    assert [(p.line, p.field, p.episode_id) for p in found] == [(3, "MODEND", "OLD-E-0001")]
