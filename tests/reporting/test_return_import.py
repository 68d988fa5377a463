"""Transfer-of-care import (domain.md 6, 6b): what it creates, all or nothing, twice changes nothing."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assessment.models import Assessment, Top
from core.calendar import add_working_days
from core.chain import verify_chain
from core.choices import Role, TeamKind
from core.factories import TeamFactory
from core.models import AuditEvent, ModalityChange, PersonChange, ReferralChange, User
from harm_reduction.models import BbvTest, HepBCourse
from prescribing import waits
from recovery_plans.factories import ModalityFactory
from recovery_plans.models import Modality, PlanVersion
from referrals.choices import ReferralStatus
from referrals.factories import EpisodeFactory, PersonFactory, ReferralFactory
from referrals.models import Allocation, CommunityOrder, ContactAttempt, Episode, Person, Referral, Task
from reporting.returns import importer
from reporting.returns.importer import TRANSFERRED_RECORDS_USERNAME, import_file
from tests.reporting.transfer_files import CLOSED_REFERRAL, EPISODE, MODALITY, as_bytes, good_rows, row

pytestmark = pytest.mark.django_db

TABLES = (Person, Referral, Episode, Assessment, Modality, Top, HepBCourse, BbvTest, Allocation, ContactAttempt)


@pytest.fixture
def service(arm_team, esap_team, staff):
    delivery = TeamFactory(name="Delivery", kind=TeamKind.DELIVERY)
    keyworker = staff(Role.KEYWORKER, username="old.keyworker", team=delivery)
    return {"delivery": delivery, "keyworker": keyworker}


def counts():
    return {model.__name__: model.objects.count() for model in TABLES}


def run(content: bytes, **options):
    return import_file(io.BytesIO(content), **options)


def test_a_good_file_creates_what_6b_lists_record_by_record(service):
    report = run(as_bytes(good_rows()))
    assert report.problems == []
    person = Person.objects.get(client_id="OLD-C-0001")
    assert (person.given_name, person.family_name, person.date_of_birth) == ("A", "B", date(1980, 5, 1))
    assert person.consent_national_return
    assert person.consent_asked_on == date(2024, 1, 8)
    referral = Referral.objects.get(episode_id="OLD-E-0001")
    assert referral.received_on == date(2024, 1, 8)
    assert referral.status == ReferralStatus.ACCEPTED
    episode = Episode.objects.get(episode_id="OLD-E-0001")
    assert episode.opened_on == date(2024, 1, 15)
    assert episode.discharged_on is None
    assert ContactAttempt.objects.get(referral=referral).made_on == date(2024, 1, 10)
    assessment = Assessment.objects.get(episode=episode)
    assert assessment.completed_on == date(2024, 1, 22)
    assert [(s.rank, s.substance.code) for s in assessment.substances.all()] == [(1, "1011"), (2, "3201")]
    assert assessment.alcohol_units is None  # NA in the file: not recorded, so DQ shows the gap
    allocation = Allocation.objects.get(episode=episode)
    assert allocation.keyworker == service["keyworker"]
    assert allocation.allocated_on == date(2024, 1, 15)
    assert episode.partner_involvements.get().recorded_on == date(2024, 1, 15)
    order = CommunityOrder.objects.get(episode=episode)
    assert (order.kind, order.order_date) == ("DRR", date(2024, 1, 5))
    version = PlanVersion.objects.get(plan__episode=episode)
    assert version.signed_on == date(2024, 2, 1)
    assert version.signed_by.username == TRANSFERRED_RECORDS_USERNAME
    assert not version.signed_by.is_active
    assert version.plan.reviews.get().reviewed_on == date(2024, 4, 20)
    modalities = {m.external_id: m for m in Modality.objects.filter(episode=episode)}
    assert set(modalities) == {"OLD-M-0001", "OLD-M-0002"}
    assert modalities["OLD-M-0002"].ended_on == date(2024, 6, 28)
    assert modalities["OLD-M-0001"].reviews.get().reviewed_on == date(2024, 4, 1)
    top = Top.objects.get(external_id="OLD-T-0001")
    assert (top.opiates, top.injected, top.housing_risk, top.quality_of_life) == (20, 20, True, 7)
    course = HepBCourse.objects.get(person=person)
    assert course.offer == "accepted"
    assert course.offered_on == date(2024, 1, 15)
    assert course.doses.count() == 2
    assert BbvTest.objects.get(person=person).tested_on == date(2024, 1, 15)
    closed = Referral.objects.get(episode_id="OLD-E-0002")
    assert closed.status == ReferralStatus.BRIEF_INTERVENTION
    assert closed.triaged_on == date(2024, 3, 6)
    assert not Episode.objects.filter(referral=closed).exists()
    assert closed.person.consent_asked_on == date(2024, 3, 4)
    assert not closed.person.consent_national_return
    assert report.created["people"] == 2
    assert report.created["modalities"] == 2
    event = AuditEvent.objects.get(object_type="reporting.TransferImport")
    assert event.details["checksum"] == report.checksum
    assert event.details["rows"] == 4


def test_every_imported_row_is_in_the_change_history(service):
    """Issue 15: the bulk write is recorded by the statement-level triggers, one event per row."""
    run(as_bytes(good_rows()))
    for model, change in ((Person, PersonChange), (Referral, ReferralChange), (Modality, ModalityChange)):
        ids = set(model.objects.values_list("pk", flat=True))
        recorded = set(change.objects.filter(pgh_label="insert").values_list("pgh_obj_id", flat=True))
        assert ids
        assert ids <= recorded
    person = Person.objects.get(client_id="OLD-C-0001")
    assert PersonChange.objects.get(pgh_obj_id=person.pk).client_id == "OLD-C-0001"


def test_rows_in_any_order_written_a_few_people_at_a_time_give_the_same_records(service, monkeypatch):
    monkeypatch.setattr(importer, "PEOPLE_PER_WRITE", 1)
    report = run(as_bytes(list(reversed(good_rows()))))
    assert report.problems == []
    assert report.created["people"] == 2
    assert report.created["modalities"] == 2
    assert report.created["TOPs"] == Top.objects.count() == 1
    assert Modality.objects.filter(episode__episode_id="OLD-E-0001").count() == 2


def test_the_imported_records_audit_rows_are_in_the_chain_when_it_commits(service):
    """Staged, then chained onto the log as the import ends: none waits for a sealing after the commit."""
    run(as_bytes(good_rows()))
    people = Person.objects.values_list("pk", flat=True)
    rows = AuditEvent.objects.filter(object_type="referrals.Person", object_id__in=[str(pk) for pk in people])
    assert rows.count() == 2
    assert not rows.filter(chain_position__isnull=True).exists()
    assert verify_chain().intact


def test_what_only_the_database_refuses_is_reported_and_nothing_is_written(service, monkeypatch):
    """The second open episode of a person already here is refused by the database, as the batch it is in is
    written (a thread of its own): the import reports it, and nothing of any batch stays, audit rows included."""
    monkeypatch.setattr(importer, "PEOPLE_PER_WRITE", 1)
    held = EpisodeFactory(referral__person__client_id="OLD-C-0001").person
    before, audit_rows = counts(), AuditEvent.objects.count()
    report = run(as_bytes(good_rows()))
    assert [(p["line"], p["field"]) for p in report.problems] == [(1, "file")]
    assert "episode_one_open_per_person" in report.problems[0]["reason"]
    assert report.created == {}
    assert counts() == before
    assert AuditEvent.objects.count() == audit_rows
    assert held.episodes.count() == 1


def test_importing_the_same_file_twice_changes_nothing(service):
    content = as_bytes(good_rows())
    run(content)
    before = counts()
    again = run(content)
    assert again.problems == []
    assert counts() == before
    assert again.people_matched == 2
    assert again.episodes_already_held == 2
    assert sum(again.created.values()) == 0


def test_a_dry_run_reports_what_would_be_created_and_writes_nothing(service):
    before = counts()
    report = run(as_bytes(good_rows()), dry_run=True)
    assert report.created["people"] == 2
    assert report.created["TOPs"] == 1
    assert counts() == before


def test_a_person_with_the_same_initials_birth_date_and_sex_is_flagged_never_merged(service):
    held = PersonFactory(given_name="Alan", family_name="Brown", date_of_birth=date(1980, 5, 1), sex__code="M")
    report = run(as_bytes(good_rows()))
    assert report.possible_duplicates == [{"client_id": "OLD-C-0001", "matches": held.client_id}]
    transferred = Person.objects.get(client_id="OLD-C-0001")
    assert transferred.merged_into is None
    assert held.referrals.count() == 0
    assert Task.objects.get(person=transferred).title.startswith("Possible duplicate")


def test_an_existing_person_is_matched_by_client_id(service):
    held = PersonFactory(client_id="OLD-C-0001")
    report = run(as_bytes(good_rows()))
    assert report.people_matched == 1
    assert Referral.objects.get(episode_id="OLD-E-0001").person == held


def test_create_staff_makes_an_inactive_keyworker(arm_team, esap_team):
    TeamFactory(name="Delivery", kind=TeamKind.DELIVERY)
    report = run(as_bytes(good_rows()), create_staff=True)
    assert report.staff_created == ["old.keyworker"]
    user = User.objects.get(username="old.keyworker")
    assert not user.is_active
    assert user.groups.filter(name=Role.KEYWORKER.label).exists()
    assert Allocation.objects.get().keyworker == user


def test_new_records_continue_the_numbering_after_imported_identifiers(service):
    rows = [row(EPISODE, MODALITY, CLIENTID="C00000900", EPISODID="E00000900", MODID="900")]
    run(as_bytes(rows))
    later = PersonFactory()
    assert later.pk > 900
    assert ReferralFactory(person=later).episode_id > "E00000900"
    assert ModalityFactory().pk > 900


@pytest.mark.parametrize(
    ("change", "line", "field"),
    [
        (lambda rows: rows[0].update(SEX="Q"), 2, "SEX"),
        (lambda rows: rows[3].update(REFLD="08/03/2024"), 5, "REFLD"),
        (lambda rows: rows[3].update(REFLD="2024-02-30"), 5, "REFLD"),
        (lambda rows: rows[2].update(TOPID="T" * 21), 4, "TOPID"),
        (lambda rows: rows[1].update(TRIAGED="2024-01-16"), 3, "TRIAGED"),
        (lambda rows: rows[1].update(ETHNIC="B"), 3, "ETHNIC"),
        (lambda rows: rows[1].update(MODEND="2024-02-01", SUBMODDT="NA"), 3, "MODEND"),
        (lambda rows: rows[0].update(REFMODDT="2024-01-14", FAOMODDT="NA"), 2, "REFMODDT"),
        (lambda rows: rows[0].update(MODST="2024-01-19", FAOMODDT="NA"), 2, "MODST"),
        (lambda rows: [r.update(DISD="2024-01-14", DISRSN="80") for r in rows[:2]], 2, "DISD"),
        (lambda rows: rows[2].update(TRSTAGE="Q"), 4, "TRSTAGE"),
        (lambda rows: [r.update(CPLANDT="2024-02-02") for r in rows[:2]], 2, "CPLANDT"),
        (lambda rows: [r.update(XCOMPASSESS="NA") for r in rows[:2]], 2, "XCOMPASSESS"),
        (lambda rows: [r.update(XKEYWORKER="nobody.here") for r in rows[:2]], 2, "XKEYWORKER"),
    ],
    ids=[
        "unknown-code",
        "date-other-format",
        "impossible-date",
        "identifier-over-20",
        "episode-rows-disagree",
        "person-rows-disagree",
        "modality-ends-before-start",
        "modality-referred-before-episode",
        "modality-starts-before-referral",
        "discharge-before-opening",
        "unknown-top-stage",
        "cplandt-not-xrapsigned",
        "assessment-without-xcompassess",
        "unknown-keyworker",
    ],
)
def test_a_bad_file_is_refused_with_line_and_field_and_nothing_is_written(service, change, line, field):
    rows = good_rows()
    change(rows)
    before = counts()
    report = run(as_bytes(rows))
    assert (line, field) in [(p["line"], p["field"]) for p in report.problems]
    assert all(p["reason"] for p in report.problems)
    assert counts() == before
    assert not AuditEvent.objects.filter(object_type="reporting.TransferImport").exists()


@pytest.mark.parametrize(
    ("content", "line"),
    [(b"", 1), (as_bytes([]), 2), (as_bytes(good_rows()).replace(b'"OLD-C-0002"', b'"OLD-C-\xff2"'), 5)],
    ids=["empty", "header-only", "not-utf8"],
)
def test_an_empty_or_non_utf8_file_is_refused(service, content, line):
    before = counts()
    report = run(content)
    assert [(p["line"], p["field"]) for p in report.problems] == [(line, "file")]
    assert counts() == before


def test_a_missing_or_unknown_header_column_is_refused(service):
    columns = [name for name in as_bytes([]).decode().strip().replace('"', "").split(",") if name != "DISD"]
    report = run(as_bytes(good_rows(), [*columns, "EXTRA"]))
    assert [(p["line"], p["field"]) for p in report.problems] == [(1, "EXTRA"), (1, "DISD")]
    assert Person.objects.count() == 0


def test_the_command_imports_reports_and_refuses(service, tmp_path, capsys):
    good = tmp_path / "transfer.csv"
    good.write_bytes(as_bytes(good_rows()))
    call_command("import_return", str(good), "--dry-run")
    assert "Would create:" in capsys.readouterr().out
    assert Person.objects.count() == 0
    call_command("import_return", str(good))
    assert Person.objects.count() == 2
    bad = tmp_path / "bad.csv"
    rows = good_rows()
    rows[0]["SEX"] = "Q"
    bad.write_bytes(as_bytes(rows))
    with pytest.raises(CommandError, match="refused: 2 problem"):
        call_command("import_return", str(bad))
    assert "Line 2, SEX: 'Q' is not a known code" in capsys.readouterr().out


def test_a_modality_closed_without_a_start_is_imported_withdrawn_or_unplanned_only(service):
    closed = {**MODALITY, "MODST": "NA", "SUBMODDT": "NA", "MODEND": "2024-02-10", "MODEXIT": "C"}
    report = run(as_bytes([row(EPISODE, closed)]))
    assert report.problems == []
    modality = Modality.objects.get(external_id="OLD-M-0001")
    assert modality.started_on is None
    assert modality.end_reason
    planned = {**closed, "MODID": "OLD-M-0009", "MODEXIT": "A"}
    refused = run(as_bytes([row(EPISODE, planned, CLIENTID="OLD-C-0009", EPISODID="OLD-E-0009")]))
    assert [(p["line"], p["field"]) for p in refused.problems] == [(2, "MODEXIT")]


def test_the_same_substance_in_two_ranks_is_refused(service):
    rows = good_rows()
    for values in rows[:2]:
        values["DRUG2"] = "1011"
    report = run(as_bytes(rows))
    assert [(p["line"], p["field"]) for p in report.problems] == [(2, "DRUG2"), (3, "DRUG2")]


@pytest.mark.parametrize(
    ("outcome", "contact", "status"),
    [("NC", "NA", ReferralStatus.CLOSED_NO_CONTACT), ("DE", "2024-03-05", ReferralStatus.CLOSED_DECLINED)],
)
def test_a_referral_closed_before_triage_is_imported_with_its_closing_date(service, outcome, contact, status):
    closed = row(CLOSED_REFERRAL, XREFOUTCOME=outcome, XFIRSTCONTACT=contact)
    assert run(as_bytes([closed])).problems == []
    referral = Referral.objects.get(episode_id="OLD-E-0002")
    assert (referral.status, referral.closed_on, referral.triaged_on) == (status, date(2024, 3, 6), None)
    assert referral.closed_by.username == TRANSFERRED_RECORDS_USERNAME
    assert ContactAttempt.objects.filter(referral=referral).count() == (contact != "NA")


def test_no_contact_with_a_first_contact_is_refused_by_the_pages_rule(service):
    report = run(as_bytes([row(CLOSED_REFERRAL, XREFOUTCOME="NC")]))
    assert [(p["line"], p["field"]) for p in report.problems] == [(2, "XREFOUTCOME")]
    assert "Contact was made on 5 March 2024" in report.problems[0]["reason"]
    assert Referral.objects.count() == 0


def test_a_closing_before_the_referral_is_refused(service):
    report = run(as_bytes([row(CLOSED_REFERRAL, XREFOUTCOME="DE", XREFCLOSED="2024-03-03")]))
    assert [(p["line"], p["field"]) for p in report.problems] == [(2, "XREFCLOSED")]


def test_the_import_stores_the_prescribing_due_date_by_the_one_rule(service):
    run(as_bytes(good_rows()))
    prescribing, other = (Modality.objects.get(external_id=mod_id) for mod_id in ("OLD-M-0001", "OLD-M-0002"))
    # The episode's DRR order of Friday 5 January 2024 clocks its prescribing modality (referred 20 January):
    # 5 working days; the other modality type has no prescribing clock.
    assert (prescribing.start_due_on, other.start_due_on) == (date(2024, 1, 12), None)
    assert prescribing.start_due_on == add_working_days(date(2024, 1, 5), waits.DRR_WAIT_WORKING_DAYS)
