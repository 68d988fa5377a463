"""`seed_scale`: staff in proportion, valid by the system's own rules, the same for a seed, and made in chunks.

The rows are loaded here with every database trigger on (foreign keys checked, the episode's EPISODID trigger
run): the command's trusted load (triggers off) writes exactly these rows, so this is what makes it safe.
"""

import inspect
import io
from collections import Counter
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from assessment.models import Top
from assessment.services import check_top_date
from core import scale
from core.chain import verify_chain
from core.choices import Role
from core.demo import DEMO_PASSWORD, STAFF
from core.models import AuditEvent, Team, User
from harm_reduction.choices import HEP_B_IMMUNE, BbvTestKind, HepBOffer
from harm_reduction.models import HepBCourse, HepBDose, NspVisit
from prescribing.models import Prescription
from prescribing.selectors import clinic_list
from recovery_plans.models import Modality, ModalityReview, PlanVersion
from referrals.models import Allocation, Episode, FollowUp, Person, Referral, Task
from reporting.kpis import engine, snapshots
from reporting.periods import quarter_containing
from reporting.returns import validate
from reporting.returns.export import ExportSpec, write_file
from reporting.tasks import reporting_teams

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)
PEOPLE = 2500


@pytest.fixture
def seeded():
    return scale.seed_scale(people=PEOPLE, seed=3, today=TODAY, chunk_people=1000, stream=io.StringIO())


def _caseloads():
    return Counter(
        Allocation.objects.filter(ended_on__isnull=True, episode__discharged_on__isnull=True).values_list(
            "keyworker__username", flat=True
        )
    )


def test_staff_in_proportion_and_every_worker_signs_in(seeded, client):
    # A keyworker holds 30-60, but the newest, whose caseload is still filling.
    caseloads = _caseloads()
    assert len(caseloads) >= 8
    under = [name for name, held in caseloads.items() if held < scale.CASELOAD[0]]
    assert len(under) <= 1
    assert max(caseloads.values()) <= scale.CASELOAD[1]
    # The demo's sign-ins hold realistic caseloads, so a benchmark signs in as a real keyworker.
    for name in ("keyworker", "keyworker.m", "keyworker.south", "keyworker.esap"):
        assert scale.CASELOAD[0] <= caseloads[name] <= scale.CASELOAD[1]
    # A delivery team has 6-12 keyworkers (but the newest) and a manager.
    teams = Team.objects.filter(name__startswith="Delivery ").annotate(
        keyworkers=Count("members", filter=Q(members__groups__name=Role.KEYWORKER.label)),
        managers=Count("members", filter=Q(members__groups__name=Role.TEAM_MANAGER.label)),
    )
    sizes = {team.name: (team.keyworkers, team.managers) for team in teams}
    assert len(sizes) >= 2
    newest = max(sizes)
    for name, (keyworkers, managers) in sizes.items():
        assert keyworkers <= scale.KEYWORKERS_PER_TEAM[1], name
        assert name == newest or keyworkers >= scale.KEYWORKERS_PER_TEAM[0], name
        assert managers == 1, name
    # Generated staff sign in with the demo password, as the demo's do.
    username = Allocation.objects.filter(keyworker__username__startswith="keyworker.000-N.").values_list(
        "keyworker__username", flat=True
    )[0]
    response = client.post("/sign-in/", {"username": username, "password": DEMO_PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/")


def test_ten_years_of_history_in_order_with_national_shares(seeded):
    assert Person.objects.count() == PEOPLE
    received = Referral.objects.order_by("received_on").values_list("received_on", flat=True)
    assert (TODAY - received.first()).days > 9 * 365
    per_person = Counter(Referral.objects.values_list("person_id", flat=True))
    came_back = sum(1 for count in per_person.values() if count > 1) / PEOPLE
    assert 0.25 < came_back < 0.5
    # One open episode each at most (also a database constraint), and episodes in order without overlap.
    episodes = Episode.objects.order_by("person_id", "opened_on").values_list("person_id", "opened_on", "discharged_on")
    previous = {}
    for person_id, opened, discharged in episodes:
        if person_id in previous:
            assert previous[person_id] is not None
            assert previous[person_id] < opened
        previous[person_id] = discharged
        assert discharged is None or discharged >= opened
    assert not Episode.objects.filter(opened_on__lt=F("referral__received_on")).exists()
    assert not Allocation.objects.filter(allocated_on__lt=F("episode__opened_on")).exists()
    assert not Modality.objects.filter(ended_on__gt=F("episode__discharged_on")).exists()
    assert not PlanVersion.objects.filter(signed_on__gt=Coalesce("plan__episode__discharged_on", Value(TODAY))).exists()
    assert not ModalityReview.objects.filter(reviewed_on__lt=F("modality__started_on")).exists()
    # Shares like the national figures.
    discharged = Episode.objects.filter(discharged_on__isnull=False)
    completed = discharged.filter(discharge_reason__outcome="successful").count() / discharged.count()
    assert 0.3 < completed < 0.6
    self_referred = Referral.objects.filter(source__code="4").count() / Referral.objects.count()
    assert 0.45 < self_referred < 0.65
    started = Modality.objects.filter(started_on__isnull=False)
    waits = [(m.started_on - m.referred_on).days for m in started.only("referred_on", "started_on")]
    assert sum(1 for days in waits if days <= 21) / len(waits) > 0.9


def test_the_return_and_the_kpi_engine_work_on_it(seeded):
    # The transfer file written from it breaks none of the import's rules.
    checker = validate.RowChecker(local_fields=True)
    result = write_file(ExportSpec.transfer_as_of(TODAY), None, checker=checker)
    problems = checker.finish()
    assert result.episode_rows > PEOPLE
    assert result.top_rows > PEOPLE  # the TOPs, and with them the hepatitis fields, go through the same rules
    assert problems == [], problems[:5]
    results = engine.compute(quarter_containing(date(2026, 3, 1)))
    assert results
    assert results["W21"].denominator > 0
    # Plans are signed and reviewed, mostly on time, so the plan KPIs have something to count either way.
    for code in ("RAP3", "RAP12"):
        assert 0 < results[code].numerator < results[code].denominator, code
    # Scripts, hepatitis B and C: each KPI has people to count, and some fall short, as services do.
    for code in ("RX10", "HBO", "HB1", "HCV"):
        assert 0 < results[code].numerator <= results[code].denominator, code


def test_scripts_harm_reduction_tops_and_tasks_as_the_pages_record_them(seeded):
    opiate = Episode.objects.filter(referral__presenting_substances__group="opiate").distinct()
    # Most opiate episodes that started prescribing have a script, each a chain of rows: a change supersedes the
    # row before, which ends the day before it, and the clinic has open scripts with reviews coming.
    started = opiate.filter(modalities__intervention__code="PRESC", modalities__started_on__isnull=False).distinct()
    scripted = started.filter(prescriptions__isnull=False).distinct().count()
    assert scripted == started.count() > 0
    assert not Prescription.objects.filter(starts_on__lt=F("clinical_assessment__assessed_on")).exists()
    assert not Prescription.objects.filter(superseded_by__starts_on__lte=F("ends_on")).exists()
    assert not Prescription.objects.filter(ends_on__gt=F("episode__discharged_on")).exists()
    current = Prescription.objects.filter(ends_on__isnull=True, episode__discharged_on__isnull=True)
    assert current.filter(review_on__gt=TODAY).exists()
    assert current.filter(review_on__lte=TODAY).exists()
    # The prescribing and harm reduction teams are involved with those they hold records for, so they see them.
    prescriber = User.objects.get(username="prescriber")
    assert clinic_list(prescriber, TODAY).exists()
    # Hepatitis B: offered to most new episodes, seldom refused; most who accept have a dose, some doses fall due.
    offered = HepBCourse.objects.exclude(offer__in=HEP_B_IMMUNE)
    assert 0.5 < offered.count() / Episode.objects.count() < 0.95
    assert offered.filter(offer=HepBOffer.REFUSED).count() / offered.count() < 0.2
    accepted = HepBCourse.objects.filter(offer=HepBOffer.ACCEPTED)
    assert accepted.filter(doses__isnull=False).distinct().count() / accepted.count() > 0.8
    assert accepted.filter(course_complete=True).exists()
    assert HepBCourse.objects.filter(course_complete=False, next_dose_due__gte=TODAY).exists()
    assert not HepBDose.objects.filter(given_on__gt=TODAY).exists()
    # Hepatitis C tests for most who inject or have injected; naloxone for most of the opiate group.
    injectors = Episode.objects.filter(assessments__injecting_status__code__in=["C", "P"]).distinct()
    tested = injectors.filter(bbv_tests__kind=BbvTestKind.HEP_C_ANTIBODY).distinct().count()
    assert tested / injectors.count() > 0.8
    with_naloxone = opiate.filter(person__naloxone_supplies__isnull=False).distinct().count()
    assert with_naloxone / opiate.count() > 0.5
    assert NspVisit.objects.filter(attender__person__isnull=False).exists()
    assert NspVisit.objects.filter(attender__person__isnull=True).exists()
    # TOPs: one start at most per episode, each within its episode (the rule the pages and the import share).
    starts = Counter(Top.objects.filter(stage__code="S").values_list("episode_id", flat=True))
    assert starts
    assert max(starts.values()) == 1
    assert Top.objects.filter(stage__code="R").exists()
    assert Top.objects.filter(stage__code="E").exists()
    for top in Top.objects.select_related("stage", "episode"):
        check_top_date(
            opened_on=top.episode.opened_on,
            discharged_on=top.episode.discharged_on,
            stage_code=top.stage.code,
            top_date=top.top_date,
        )
    # Follow-ups after completions, owned by the last keyworker; open tasks on keyworkers' lists; audit sealed.
    assert FollowUp.objects.filter(done_on__isnull=True, keyworker__isnull=False).exists()
    assert not FollowUp.objects.exclude(episode__discharge_reason__outcome="successful").exists()
    assert Task.objects.filter(done_on__isnull=True, assigned_to__isnull=False).exists()
    assert not Task.objects.filter(done_on__gt=TODAY).exists()
    assert AuditEvent.objects.exists()
    assert verify_chain().intact


def test_the_same_seed_makes_the_same_people_and_another_seed_others():
    def fingerprint(seed):
        context = scale.context_for(people=300, seed=seed, today=TODAY)
        rows = []
        for chunk in scale.chunks(context, chunk_people=150):
            for table in chunk.tables.values():
                # Ids come from the database's sequences; everything else comes from the seed.
                keep = [n for n, column in enumerate(table.columns) if not _from_a_sequence(column)]
                rows.append((table.model.__name__, [tuple(row[n] for n in keep) for row in table.rows]))
        return rows

    assert fingerprint(5) == fingerprint(5)
    assert fingerprint(5) != fingerprint(6)


def _from_a_sequence(column: str) -> bool:
    # A task's source key and an audit row's details name a record by its id.
    return column in ("id", "client_id", "nhs_number", "episode_id", "source_key", "details") or column.endswith("_id")


def test_people_are_made_and_written_a_chunk_at_a_time():
    """Memory stays flat because no more than one chunk of people is ever held: the generator is lazy, and each
    chunk holds its own share of people and their rows only."""
    context = scale.context_for(people=1200, seed=5, today=TODAY)
    generator = scale.chunks(context, chunk_people=500)
    assert inspect.isgenerator(generator)
    sizes = []
    for chunk in generator:
        people = next(table for (model, _), table in chunk.tables.items() if model is Person)
        assert len(people.rows) == chunk.people
        assert {episode.person_id for episode in chunk.episodes} <= {row[0] for row in people.rows}
        sizes.append(chunk.people)
    assert sizes == [500, 500, 200]


def test_the_command_prints_the_logins_and_refuses_a_second_load(capsys):
    call_command("seed_scale", people=120, seed=2, checked=True)
    output = capsys.readouterr().out
    for username, *_ in STAFF:
        assert username in output
    assert "120 people" in output
    assert User.objects.filter(username="keyworker").exists()
    # It ends as the nightly job does for the current quarter: every KPI stored, whole service and each reporting
    # team, so the team KPIs page reads stored figures rather than working them out live.
    quarter = quarter_containing(timezone.localdate())
    assert snapshots.stored(quarter) is not None
    for team in reporting_teams():
        assert snapshots.stored(quarter, team=team) is not None
    with pytest.raises(CommandError, match="already loaded"):
        call_command("seed_scale", people=120, seed=2, checked=True)
