"""The modality a prescription or detox plan delivers, and the plan a drug test follows."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from core.choices import AuditAction, Role
from core.errors import DomainError
from core.models import AuditEvent, ModalityExitStatus, Substance
from prescribing import services
from prescribing.choices import DetoxSetting, Regime, SampleType, TestResult
from recovery_plans.factories import ModalityFactory
from recovery_plans.models import Intervention, PlanVersion, RecoveryPlan, VersionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def assessed(episode, prescriber):
    return services.record_clinical_assessment(
        actor=prescriber, episode=episode, assessed_on=episode.opened_on, findings="Opiate dependent"
    )


def _prescribe(prescriber, episode, methadone, pharmacy, **overrides):
    fields = {
        "actor": prescriber,
        "episode": episode,
        "medication": methadone,
        "dose": "30",
        "regime": Regime.STABILISATION,
        "starts_on": episode.opened_on + timedelta(days=2),
        "pharmacy": pharmacy,
    }
    return services.prescribe(**{**fields, **overrides})


class TestPrescriptionModality:
    def test_the_first_prescription_starts_the_modality(self, episode, prescriber, methadone, pharmacy, assessed):
        modality = ModalityFactory(episode=episode)
        _prescribe(prescriber, episode, methadone, pharmacy, modality=modality)
        modality.refresh_from_db()
        assert modality.started_on == episode.opened_on + timedelta(days=2)

    def test_a_future_script_leaves_the_start_to_be_recorded(
        self, episode, prescriber, methadone, pharmacy, assessed, today
    ):
        modality = ModalityFactory(episode=episode)
        _prescribe(prescriber, episode, methadone, pharmacy, modality=modality, starts_on=today + timedelta(days=3))
        modality.refresh_from_db()
        assert modality.started_on is None

    def test_a_script_starting_today_starts_the_modality_at_once_and_leaves_the_job_nothing(
        self, episode, prescriber, methadone, pharmacy, assessed, today
    ):
        modality = ModalityFactory(episode=episode)
        _prescribe(prescriber, episode, methadone, pharmacy, modality=modality, starts_on=today)
        modality.refresh_from_db()
        assert modality.started_on == today
        assert services.record_modality_starts(today=today) == 0

    def test_a_psychosocial_modality_is_refused(self, episode, prescriber, methadone, pharmacy, assessed):
        talking = ModalityFactory(episode=episode, intervention=Intervention.objects.get(code="CBT"))
        with pytest.raises(DomainError, match="not a pharmacological modality") as error:
            _prescribe(prescriber, episode, methadone, pharmacy, modality=talking)
        assert error.value.field == "modality"

    def test_an_ended_modality_is_refused(self, episode, prescriber, methadone, pharmacy, assessed):
        ended = ModalityFactory(
            episode=episode,
            started_on=episode.opened_on,
            ended_on=episode.opened_on + timedelta(days=1),
            exit_status=ModalityExitStatus.objects.get(code="A"),
        )
        with pytest.raises(DomainError, match="Choose an open modality") as error:
            _prescribe(prescriber, episode, methadone, pharmacy, modality=ended)
        assert error.value.field == "modality"

    def test_a_script_before_the_referral_to_its_modality_is_refused(
        self, episode, prescriber, methadone, pharmacy, assessed
    ):
        modality = ModalityFactory(episode=episode, referred_on=episode.opened_on + timedelta(days=5))
        with pytest.raises(DomainError, match="before the referral") as error:
            _prescribe(prescriber, episode, methadone, pharmacy, modality=modality)
        assert error.value.field == "starts_on"


class TestModalityStartJob:
    """A script written ahead starts its modality on its first day, from the morning job."""

    @pytest.fixture
    def tomorrow(self, today):
        return today + timedelta(days=1)

    @pytest.fixture
    def written_for_tomorrow(self, episode, prescriber, methadone, pharmacy, assessed, tomorrow):
        modality = ModalityFactory(episode=episode)
        _prescribe(prescriber, episode, methadone, pharmacy, modality=modality, starts_on=tomorrow)
        return modality

    @staticmethod
    def _arrive(monkeypatch, day):
        # The modality service refuses a start after the real today, so the clock moves with the job's day.
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)

    def test_nothing_is_started_the_day_before(self, written_for_tomorrow, today):
        assert services.record_modality_starts(today=today) == 0
        written_for_tomorrow.refresh_from_db()
        assert written_for_tomorrow.started_on is None

    def test_the_first_day_starts_it_once_for_the_prescriber(
        self, written_for_tomorrow, prescriber, tomorrow, monkeypatch
    ):
        self._arrive(monkeypatch, tomorrow)
        assert services.record_modality_starts(today=tomorrow) == 1
        assert services.record_modality_starts(today=tomorrow) == 0
        written_for_tomorrow.refresh_from_db()
        assert written_for_tomorrow.started_on == tomorrow
        assert written_for_tomorrow.version == 2
        events = AuditEvent.objects.filter(object_type="recovery_plans.Modality", action=AuditAction.CHANGE)
        assert [(event.actor, event.details.get("source")) for event in events.order_by("pk")] == [
            (prescriber, None),
            (None, "modality_start_job"),
        ]

    def test_a_missed_morning_still_records_the_scripts_own_date(self, written_for_tomorrow, tomorrow, monkeypatch):
        later = tomorrow + timedelta(days=2)
        self._arrive(monkeypatch, later)
        assert services.record_modality_starts(today=later) == 1
        written_for_tomorrow.refresh_from_db()
        assert written_for_tomorrow.started_on == tomorrow

    def test_a_script_with_no_modality_starts_nothing(
        self, episode, prescriber, methadone, pharmacy, assessed, tomorrow, monkeypatch
    ):
        unlinked = ModalityFactory(episode=episode)
        _prescribe(prescriber, episode, methadone, pharmacy, starts_on=tomorrow)
        self._arrive(monkeypatch, tomorrow)
        assert services.record_modality_starts(today=tomorrow) == 0
        unlinked.refresh_from_db()
        assert unlinked.started_on is None

    def test_a_start_the_prescriber_can_no_longer_record_is_left_for_the_team(
        self,
        written_for_tomorrow,
        episode,
        prescriber,
        staff,
        prescribing_team,
        buprenorphine,
        pharmacy,
        tomorrow,
        monkeypatch,
    ):
        # Two scripts start tomorrow; the prescriber of the first leaves today. The other modality still starts.
        other = ModalityFactory(episode=episode)
        colleague = staff(Role.PRESCRIBER, team=prescribing_team)
        _prescribe(colleague, episode, buprenorphine, pharmacy, modality=other, starts_on=tomorrow)
        type(prescriber).objects.filter(pk=prescriber.pk).update(is_active=False)
        self._arrive(monkeypatch, tomorrow)
        assert services.record_modality_starts(today=tomorrow) == 1
        written_for_tomorrow.refresh_from_db()
        other.refresh_from_db()
        assert (written_for_tomorrow.started_on, other.started_on) == (None, tomorrow)


class TestDetoxModality:
    def test_a_day_detox_plan_refuses_the_home_detox_modality(self, episode, prescriber):
        home = ModalityFactory(episode=episode, intervention=Intervention.objects.get(code="HDETOX"))
        with pytest.raises(DomainError, match="does not match") as error:
            services.create_detox_plan(
                actor=prescriber,
                episode=episode,
                setting=DetoxSetting.DAY,
                planned_start=episode.opened_on,
                planned_end=episode.opened_on + timedelta(days=5),
                modality=home,
            )
        assert error.value.field == "modality"

    def test_a_detox_setting_outside_the_list_is_refused(self, episode, prescriber):
        with pytest.raises(DomainError, match="community, home-based or day") as error:
            services.create_detox_plan(
                actor=prescriber,
                episode=episode,
                setting="hospital",
                planned_start=episode.opened_on,
                planned_end=episode.opened_on,
            )
        assert error.value.field == "setting"


class TestDrugTestPlanLink:
    def _record(self, actor, episode, **overrides):
        heroin = Substance.objects.get(code="1011")
        fields = {
            "actor": actor,
            "episode": episode,
            "tested_on": episode.opened_on,
            "sample_type": SampleType.URINE,
            "purpose": "Monitoring",
            "rationale": "Plan: monthly urine tests",
            "substances_tested": [heroin],
            "results": {heroin: TestResult.NEGATIVE},
            "collected_time": time(9, 30),
        }
        return services.record_drug_test(**{**fields, **overrides})

    def test_with_no_plan_the_test_is_refused_on_the_rationale(self, episode, prescriber):
        with pytest.raises(DomainError, match="no recovery plan") as error:
            self._record(prescriber, episode)
        assert error.value.field == "rationale"

    def test_with_only_a_draft_the_test_links_to_the_latest_version(self, episode, prescriber):
        plan = RecoveryPlan.objects.create(episode=episode)
        PlanVersion.objects.create(plan=plan, number=1, author=prescriber, status=VersionStatus.SUPERSEDED)
        draft = PlanVersion.objects.create(plan=plan, number=2, author=prescriber)
        assert self._record(prescriber, episode).plan_version == draft

    def test_a_test_dated_tomorrow_is_refused(self, episode, prescriber, today):
        with pytest.raises(DomainError, match="future") as error:
            self._record(prescriber, episode, tested_on=today + timedelta(days=1))
        assert error.value.field == "tested_on"

    def test_a_sample_type_outside_the_list_is_refused(self, episode, prescriber):
        with pytest.raises(DomainError, match="sample type") as error:
            self._record(prescriber, episode, sample_type="sweat")
        assert error.value.field == "sample_type"
