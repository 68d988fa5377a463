"""The monthly return and the transfer-of-care file (domain.md 6 and 6b): which rows, in which order, with which
values as at the month's last day E."""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.factories import CompleteAssessmentFactory, TopFactory
from core.factories import UserFactory
from core.models import ModalityExitStatus, TreatmentStage
from harm_reduction.choices import BbvTestKind, HepBOffer
from harm_reduction.models import BbvTest, HepBCourse
from recovery_plans.factories import ModalityFactory, PlanVersionFactory, RecoveryPlanFactory
from recovery_plans.models import ModalityReview, PlanReview
from referrals.choices import ContactMethod, ReferralStatus
from referrals.factories import AllocationFactory, PersonFactory
from referrals.models import ContactAttempt
from reporting.returns.columns import RETURN_COLUMNS, TRANSFER_COLUMNS, Dialect
from reporting.returns.export import ExportSpec
from tests.reporting.return_fixtures import (
    APRIL,
    E,
    april_rows,
    by_client,
    closed_at_triage,
    consenting_person,
    episode,
    export_bytes,
    referral,
    rows_of,
    signed_plan_version,
    transfer_rows,
)

pytestmark = pytest.mark.django_db


def episode_ids(rows):
    return [row["EPISODID"] for row in rows]


# Which rows a monthly return holds (6b)


def test_referral_closed_before_the_month_is_not_in_the_return():
    closed = closed_at_triage(date(2025, 3, 10), date(2025, 3, 31))
    assert closed.episode_id not in episode_ids(april_rows())


def test_referral_closed_on_the_first_day_of_the_month_is_in_the_return():
    closed = closed_at_triage(date(2025, 3, 10), date(2025, 4, 1))
    assert closed.episode_id in episode_ids(april_rows())


def test_referral_still_open_from_before_the_month_is_in_the_return():
    waiting = referral(date(2025, 2, 3))
    assert waiting.episode_id in episode_ids(april_rows())


def test_referral_received_after_the_month_is_not_in_the_return():
    later = referral(date(2025, 5, 1))
    assert later.episode_id not in episode_ids(april_rows())


def test_referral_received_on_the_last_day_is_in_the_return():
    last_day = referral(E)
    assert last_day.episode_id in episode_ids(april_rows())


def test_episode_discharged_in_the_month_is_in_the_return():
    ended = episode(date(2024, 11, 1), date(2024, 11, 5), discharged_on=date(2025, 4, 1))
    (row,) = [row for row in april_rows() if row["EPISODID"] == ended.episode_id]
    assert row["DISD"] == "2025-04-01"
    assert row["DISRSN"] == "80"


def test_episode_discharged_before_the_month_is_not_in_the_return():
    ended = episode(date(2024, 11, 1), date(2024, 11, 5), discharged_on=date(2025, 3, 31))
    assert ended.episode_id not in episode_ids(april_rows())


def test_episode_discharged_after_the_month_is_sent_open():
    later = episode(date(2024, 11, 1), date(2024, 11, 5), discharged_on=date(2025, 5, 2))
    (row,) = [row for row in april_rows() if row["EPISODID"] == later.episode_id]
    assert (row["DISD"], row["DISRSN"]) == ("NA", "NA")


def test_ineligible_referral_is_in_no_return_and_no_transfer_file():
    ineligible = referral(
        date(2025, 4, 2),
        status=ReferralStatus.SIGNPOSTED_INELIGIBLE,
        lives_in_city=False,
        registered_with_city_gp=False,
    )
    assert ineligible.episode_id not in episode_ids(april_rows())
    assert ineligible.episode_id not in episode_ids(transfer_rows())


def test_episode_opened_after_the_month_end_is_sent_as_an_open_referral():
    opened_later = episode(date(2025, 4, 28), date(2025, 5, 2))
    (row,) = [row for row in april_rows() if row["EPISODID"] == opened_later.episode_id]
    assert row["TRIAGED"] == "NA"


def test_referral_closed_at_triage_has_triaged_na_and_its_closure_in_the_transfer_file():
    closed = closed_at_triage(date(2025, 4, 2), date(2025, 4, 4), status=ReferralStatus.SIGNPOSTED_TIER_1_2)
    (row,) = [row for row in transfer_rows() if row["EPISODID"] == closed.episode_id]
    assert row["TRIAGED"] == "NA"
    assert (row["XREFCLOSED"], row["XREFOUTCOME"]) == ("2025-04-04", "SP")
    brief = closed_at_triage(date(2025, 4, 2), date(2025, 4, 7))
    (row,) = by_client(transfer_rows(), brief.person.client_id)
    assert row["XREFOUTCOME"] == "BI"


@pytest.mark.parametrize(
    ("status", "code"), [(ReferralStatus.CLOSED_NO_CONTACT, "NC"), (ReferralStatus.CLOSED_DECLINED, "DE")]
)
def test_referral_closed_before_triage_is_dated_by_its_closing(status, code):
    closed = referral(date(2025, 3, 3), status=status, closed_on=date(2025, 3, 31))
    (row,) = [row for row in transfer_rows() if row["EPISODID"] == closed.episode_id]
    assert (row["TRIAGED"], row["XREFCLOSED"], row["XREFOUTCOME"]) == ("NA", "2025-03-31", code)
    assert closed.episode_id not in episode_ids(april_rows())
    closed.closed_on = date(2025, 4, 1)
    closed.save()
    assert closed.episode_id in episode_ids(april_rows())


def test_open_referral_and_episode_have_no_closure():
    waiting = referral(date(2025, 4, 2))
    treated = episode(date(2025, 4, 2), date(2025, 4, 3))
    rows = {row["EPISODID"]: row for row in transfer_rows()}
    for episode_id in (waiting.episode_id, treated.episode_id):
        assert (rows[episode_id]["XREFCLOSED"], rows[episode_id]["XREFOUTCOME"]) == ("NA", "NA")


# Consent


def test_person_without_consent_is_sent_once_with_agency_client_and_consent_only():
    person = PersonFactory(consent_national_return=False, consent_asked_on=date(2024, 6, 1))
    first = episode(date(2025, 1, 6), date(2025, 1, 8), person=person, discharged_on=date(2025, 4, 3))
    ModalityFactory(episode=first)
    TopFactory(episode=first, top_date=date(2025, 4, 2))
    referral(date(2025, 4, 10), person=person)
    (row,) = by_client(april_rows(), person.client_id)
    assert row["AGNCY"] == "SOTDA"
    assert row["CONSENT"] == "N"
    assert {value for name, value in row.items() if name not in ("AGNCY", "CLIENTID", "CONSENT")} == {"NA"}


def test_person_asked_about_consent_after_the_month_is_withheld_with_consent_na():
    person = PersonFactory(consent_national_return=True, consent_asked_on=date(2025, 5, 1))
    referral(date(2025, 4, 10), person=person)
    (row,) = by_client(april_rows(), person.client_id)
    assert row["CONSENT"] == "NA"
    assert row["EPISODID"] == "NA"


def test_transfer_file_keeps_everything_of_a_person_without_consent():
    person = PersonFactory(consent_national_return=False, consent_asked_on=date(2024, 6, 1))
    treated = episode(date(2025, 1, 6), date(2025, 1, 8), person=person)
    (row,) = by_client(transfer_rows(), person.client_id)
    assert row["CONSENT"] == "N"
    assert row["EPISODID"] == treated.episode_id
    assert row["TRIAGED"] == "2025-01-08"


# Row order and columns


def test_header_is_the_return_columns_and_the_transfer_adds_the_x_fields():
    assert export_bytes(ExportSpec.monthly(APRIL)).decode().split("\n")[0] == ",".join(
        f'"{name}"' for name in RETURN_COLUMNS
    )
    header = export_bytes(ExportSpec.transfer_as_of(E)).decode().split("\n")[0]
    assert header == ",".join(f'"{name}"' for name in TRANSFER_COLUMNS)


def test_rows_are_ordered_by_client_id_then_episode_id_in_code_point_order():
    # Lower case sorts after upper case in code-point order, before it in most locales' collation.
    late = referral(date(2025, 4, 1), person=consenting_person(client_id="a001"))
    early = referral(date(2025, 4, 1), person=consenting_person(client_id="Z001"))
    middle = referral(date(2025, 4, 2), person=consenting_person(client_id="B001"))
    second = referral(date(2025, 4, 3), person=middle.person)
    rows = april_rows()
    assert [row["CLIENTID"] for row in rows] == ["B001", "B001", "Z001", "a001"]
    assert episode_ids(rows)[:2] == sorted([middle.episode_id, second.episode_id])
    assert {early.episode_id, late.episode_id} <= set(episode_ids(rows))


def test_episode_rows_by_modid_then_top_rows_by_date_and_lines_end_with_newline():
    treated = episode(date(2025, 3, 3), date(2025, 3, 5))
    modalities = [ModalityFactory(episode=treated) for _ in range(3)]
    later_top = TopFactory(episode=treated, top_date=date(2025, 4, 20))
    earlier_top = TopFactory(episode=treated, top_date=date(2025, 3, 6))
    data = export_bytes(ExportSpec.monthly(APRIL))
    rows = rows_of(data)
    assert [row["MODID"] for row in rows] == [*sorted(str(m.pk) for m in modalities), "NA", "NA"]
    assert [row["TOPID"] for row in rows] == ["NA"] * 3 + [str(earlier_top.pk), str(later_top.pk)]
    assert data.endswith(b'"\n')
    assert b"\r" not in data


def test_top_row_carries_its_keys_and_top_fields_and_nothing_else():
    treated = episode(date(2025, 3, 3), date(2025, 3, 5))
    top = TopFactory(episode=treated, top_date=date(2025, 4, 2), alcohol=12, sharing=True)
    (top_row,) = [row for row in april_rows() if row["TOPID"] != "NA"]
    assert (top_row["AGNCY"], top_row["CLIENTID"], top_row["EPISODID"]) == (
        "SOTDA",
        treated.person.client_id,
        treated.episode_id,
    )
    assert (top_row["TOPID"], top_row["TOPDATE"], top_row["TRSTAGE"]) == (str(top.pk), "2025-04-02", "S")
    assert (top_row["ALCUSE"], top_row["SHARING"], top_row["QUALLIFE"]) == ("12", "Y", "7")
    filled = {"AGNCY", "CLIENTID", "EPISODID", *RETURN_COLUMNS[RETURN_COLUMNS.index("TOPID") :]}
    assert {value for name, value in top_row.items() if name not in filled} == {"NA"}


def test_top_dated_after_the_month_is_not_in_the_return():
    treated = episode(date(2025, 3, 3), date(2025, 3, 5))
    TopFactory(episode=treated, top_date=date(2025, 5, 1), stage=TreatmentStage.objects.get(code="R"))
    assert [row["TOPID"] for row in april_rows()] == ["NA"]


def test_same_month_exported_twice_gives_the_same_bytes():
    treated = episode(date(2025, 3, 3), date(2025, 3, 5))
    ModalityFactory(episode=treated)
    TopFactory(episode=treated, top_date=date(2025, 4, 2))
    closed_at_triage(date(2025, 4, 2), date(2025, 4, 9))
    first = export_bytes(ExportSpec.monthly(APRIL))
    assert export_bytes(ExportSpec.monthly(APRIL)) == first
    assert first.count(b"\n") == 4


# Values as at E and the codes of 6b


def test_hepbstat_is_d_when_no_course_was_offered_by_e_never_na():
    person = consenting_person()
    episode(date(2025, 3, 3), date(2025, 3, 5), person=person)
    HepBCourse.objects.create(
        person=person, offer=HepBOffer.ACCEPTED, offered_on=date(2025, 5, 2), recorded_by=UserFactory()
    )
    (row,) = by_client(april_rows(), person.client_id)
    assert (row["HEPBSTAT"], row["HEPBVAC"]) == ("D", "NA")


def test_hepbstat_is_the_answer_recorded_by_e():
    person = consenting_person()
    episode(date(2025, 3, 3), date(2025, 3, 5), person=person)
    HepBCourse.objects.create(
        person=person,
        offer=HepBOffer.REFUSED,
        offered_on=date(2025, 4, 2),
        outcome_on=date(2025, 4, 2),
        recorded_by=UserFactory(),
    )
    (row,) = by_client(april_rows(), person.client_id)
    assert row["HEPBSTAT"] == "B"


def test_hepcstat_is_na_for_an_offer_unanswered_by_e_and_d_when_none_was_offered():
    offered = consenting_person()
    never = consenting_person()
    episode(date(2025, 3, 3), date(2025, 3, 5), person=offered)
    episode(date(2025, 3, 3), date(2025, 3, 5), person=never)
    BbvTest.objects.create(
        person=offered,
        kind=BbvTestKind.HEP_C_ANTIBODY,
        offered_on=date(2025, 4, 20),
        accepted=True,
        answered_on=date(2025, 5, 3),
        recorded_by=UserFactory(),
    )
    rows = april_rows()
    assert by_client(rows, offered.client_id)[0]["HEPCSTAT"] == "NA"
    assert by_client(rows, never.client_id)[0]["HEPCSTAT"] == "D"
    assert by_client(rows, never.client_id)[0]["HEPCTSTD"] == "N"


def test_person_level_facts_are_the_same_on_every_row_of_one_person():
    person = consenting_person()
    episode(date(2024, 10, 1), date(2024, 10, 2), person=person, discharged_on=date(2025, 4, 2))
    episode(date(2025, 4, 10), date(2025, 4, 11), person=person)
    HepBCourse.objects.create(
        person=person,
        offer=HepBOffer.ACCEPTED,
        offered_on=date(2025, 4, 15),
        outcome_on=date(2025, 4, 15),
        recorded_by=UserFactory(),
    )
    rows = by_client(april_rows(), person.client_id)
    assert len(rows) == 2
    assert {row["HEPBSTAT"] for row in rows} == {"A"}


@pytest.mark.parametrize(
    ("answer", "code"), [("yes", "Y"), ("no", "N"), ("declined", "Z"), ("not_applicable", "NA"), ("", "NA")]
)
def test_pregnant_codes(answer, code):
    treated = episode(date(2025, 3, 3), date(2025, 3, 5))
    assessment = CompleteAssessmentFactory(episode=treated, completed_on=date(2025, 3, 20))
    assessment.pregnant = answer
    assessment.save()
    (row,) = april_rows()
    assert row["PREGNANT"] == code


def test_assessment_fields_come_from_the_latest_assessment_completed_by_e():
    treated = episode(date(2025, 3, 3), date(2025, 3, 5))
    CompleteAssessmentFactory(episode=treated, completed_on=date(2025, 3, 20), alcohol_days=4)
    later = CompleteAssessmentFactory(episode=treated, completed_on=date(2025, 5, 20))
    later.alcohol_days = 20
    later.save()
    (row,) = april_rows()
    assert (row["DRUG1"], row["ROUTE"], row["DRUG1AGE"], row["INJSTAT"]) == ("1011", "3", "19", "N")
    assert row["ALCDDAYS"] == "4"
    (transfer,) = transfer_rows()
    assert transfer["XCOMPASSESS"] == "2025-03-20"


def test_no_assessment_completed_by_e_leaves_its_fields_na():
    treated = episode(date(2025, 3, 3), date(2025, 3, 5))
    CompleteAssessmentFactory(episode=treated, completed_on=None)
    (row,) = april_rows()
    assert (row["DRUG1"], row["INJSTAT"], row["EMPSTAT"]) == ("NA", "NA", "NA")


@pytest.mark.parametrize(("stored", "sent"), [("so14 7ly", "SO14 7LY"), ("SO147LY", "SO14 7LY"), ("", "NA")])
def test_postcode_is_upper_case_with_one_space(stored, sent):
    referral(date(2025, 4, 2), person=consenting_person(postcode=stored))
    (row,) = april_rows()
    assert row["PC"] == sent


def test_cplandt_is_the_first_sign_off_and_equals_xrapsigned():
    treated = episode(date(2025, 3, 3), date(2025, 3, 5))
    plan = RecoveryPlanFactory(episode=treated)
    signed_plan_version(treated, date(2025, 3, 20), plan=plan)
    PlanVersionFactory(plan=plan, number=2)  # a draft is not yet a plan
    PlanReview.objects.create(
        plan=plan, reviewed_on=date(2025, 4, 10), reviewed_version=plan.versions.first(), by=UserFactory()
    )
    (row,) = april_rows()
    assert row["CPLANDT"] == "2025-03-20"
    (transfer,) = transfer_rows()
    assert transfer["CPLANDT"] == transfer["XRAPSIGNED"] == "2025-03-20"
    assert transfer["XRAPREVIEW"] == "2025-04-10"


def test_plan_signed_after_e_gives_no_cplandt():
    treated = episode(date(2025, 3, 3), date(2025, 3, 5))
    signed_plan_version(treated, date(2025, 5, 2))
    (row,) = april_rows()
    assert row["CPLANDT"] == "NA"


def test_modality_dates_after_e_are_not_yet_recorded():
    treated = episode(date(2025, 3, 3), date(2025, 3, 5))
    modality = ModalityFactory(
        episode=treated,
        referred_on=date(2025, 3, 6),
        first_offered_on=date(2025, 3, 10),
        started_on=date(2025, 4, 1),
        ended_on=date(2025, 5, 2),
        exit_status=ModalityExitStatus.objects.get(code="A"),
    )
    ModalityReview.objects.create(modality=modality, reviewed_on=date(2025, 4, 15), by=UserFactory())
    ModalityReview.objects.create(modality=modality, reviewed_on=date(2025, 5, 1), by=UserFactory())
    ModalityFactory(episode=treated, referred_on=date(2025, 5, 3))
    (row,) = april_rows()
    assert [row[name] for name in ("MODAL", "MODSET", "REFMODDT", "FAOMODDT", "MODST")] == [
        "94",
        "6",
        "2025-03-06",
        "2025-03-10",
        "2025-04-01",
    ]
    assert (row["MODEND"], row["MODEXIT"], row["SUBMODDT"]) == ("NA", "NA", "2025-04-15")


def test_transfer_local_fields():
    treated = episode(date(2025, 3, 3), date(2025, 3, 5))
    AllocationFactory(episode=treated, allocated_on=date(2025, 3, 5), keyworker=UserFactory(username="kw.one"))
    ContactAttempt.objects.create(
        referral=treated.referral, made_on=date(2025, 3, 3), method=ContactMethod.LETTER, recorded_by=UserFactory()
    )
    ContactAttempt.objects.create(
        referral=treated.referral, made_on=date(2025, 3, 4), method=ContactMethod.PHONE, recorded_by=UserFactory()
    )
    (row,) = transfer_rows()
    assert (row["XFIRSTCONTACT"], row["XKEYWORKER"], row["XJOINTWORK"]) == ("2025-03-04", "kw.one", "N")
    assert (row["XCJORDER"], row["XCJORDERDT"]) == ("NA", "NA")


def test_transfer_file_holds_every_referral_ever_recorded_as_at_its_day():
    old = episode(date(2020, 3, 3), date(2020, 3, 5), discharged_on=date(2020, 9, 1))
    closed = closed_at_triage(date(2021, 1, 4), date(2021, 1, 5))
    rows = transfer_rows()
    assert {old.episode_id, closed.episode_id} <= set(episode_ids(rows))
    assert old.episode_id not in episode_ids(april_rows())
    assert episode_ids(transfer_rows(as_of=date(2020, 12, 31))) == [old.episode_id]


# A fixed number of queries, whatever the rows


def _export_queries(people: int) -> int:
    for _ in range(people):
        treated = episode(date(2025, 3, 3), date(2025, 3, 5))
        ModalityFactory(episode=treated)
        ModalityFactory(episode=treated)
        TopFactory(episode=treated, top_date=date(2025, 4, 2))
    with CaptureQueriesContext(connection) as queries:
        export_bytes(ExportSpec.transfer_as_of(E))
    return len(queries)


def test_export_queries_do_not_grow_with_rows():
    few = _export_queries(2)
    assert _export_queries(12) == few


def test_a_value_with_a_quote_or_a_line_break_is_written_as_csv_writer_writes_it():
    person = consenting_person()
    person.postcode = 'say "hi"'
    person.local_authority = "a\nb"
    person.save()
    referral(person=person, received_on=date(2025, 4, 2))
    data = export_bytes(ExportSpec.transfer_as_of(E)).decode()
    row = next(row for row in csv.DictReader(io.StringIO(data), dialect=Dialect) if row["CLIENTID"] == person.client_id)
    assert row["LA"] == "a\nb"
    assert '"' in row["PC"]
    expected = io.StringIO()
    csv.writer(expected, dialect=Dialect).writerow(row.values())
    assert expected.getvalue() in data
