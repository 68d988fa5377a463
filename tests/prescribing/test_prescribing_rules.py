"""Prescribing rules (specification 10.3): clinical assessment first, prescriber only, dose history, no overlaps,
safe storage before take-home doses, no gap after prison release."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from core.choices import Role
from core.errors import DomainError, StaleEditError
from core.models import AuditEvent
from prescribing import services
from prescribing.choices import Regime, SafeStorageOutcome
from prescribing.factories import SafeStorageFactory
from prescribing.models import Prescription

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessed(episode, prescriber):
    return services.record_clinical_assessment(
        actor=prescriber,
        episode=episode,
        assessed_on=episode.opened_on + timedelta(days=2),
        findings="Opiate dependent",
    )


def _prescribe(prescriber, episode, medication, pharmacy, **overrides):
    fields = {
        "actor": prescriber,
        "episode": episode,
        "medication": medication,
        "dose": "30",
        "regime": Regime.STABILISATION,
        "starts_on": episode.opened_on + timedelta(days=3),
        "pharmacy": pharmacy,
    }
    return services.prescribe(**{**fields, **overrides})


def test_first_prescription_without_a_clinical_assessment_is_refused(episode, prescriber, methadone, pharmacy):
    with pytest.raises(DomainError, match="clinical assessment") as error:
        _prescribe(prescriber, episode, methadone, pharmacy)
    assert error.value.field == "clinical_assessment"
    assert not Prescription.objects.exists()


def test_clinical_assessment_dated_after_the_start_does_not_count(episode, prescriber, methadone, pharmacy, assessed):
    with pytest.raises(DomainError, match="clinical assessment"):
        _prescribe(prescriber, episode, methadone, pharmacy, starts_on=assessed.assessed_on - timedelta(days=1))


def test_prescription_after_clinical_assessment_is_written_with_the_medication_unit_and_audited(
    episode, prescriber, methadone, pharmacy, assessed
):
    prescription = _prescribe(prescriber, episode, methadone, pharmacy)
    assert prescription.clinical_assessment == assessed
    assert prescription.unit == "ml"
    assert prescription.dose == Decimal("30")
    assert AuditEvent.objects.filter(object_type="prescribing.Prescription", action="create").count() == 1


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.PRESCRIBER])
def test_only_prescribers_can_prescribe(role, staff, prescribing_team, episode, methadone, pharmacy, assessed):
    other = staff(role, team=prescribing_team)
    with pytest.raises(PermissionDenied):
        _prescribe(other, episode, methadone, pharmacy)
    with pytest.raises(PermissionDenied):
        services.record_clinical_assessment(actor=other, episode=episode, assessed_on=episode.opened_on, findings="x")
    assert not Prescription.objects.exists()


@pytest.mark.parametrize("dose", ["0", "-5", "abc", "", None, "1.234", "NaN"])
def test_a_dose_that_is_not_a_positive_number_is_refused(dose, episode, prescriber, methadone, pharmacy, assessed):
    with pytest.raises(DomainError) as error:
        _prescribe(prescriber, episode, methadone, pharmacy, dose=dose)
    assert error.value.field == "dose"
    assert not Prescription.objects.exists()


def test_an_end_before_the_start_is_refused(episode, prescriber, methadone, pharmacy, assessed):
    starts_on = assessed.assessed_on + timedelta(days=1)
    with pytest.raises(DomainError) as error:
        _prescribe(prescriber, episode, methadone, pharmacy, starts_on=starts_on, ends_on=starts_on - timedelta(days=1))
    assert error.value.field == "ends_on"
    assert _prescribe(prescriber, episode, methadone, pharmacy, starts_on=starts_on, ends_on=starts_on)


def test_supervised_consumption_needs_a_named_pharmacy(episode, prescriber, methadone, assessed):
    with pytest.raises(DomainError) as error:
        _prescribe(prescriber, episode, methadone, None)
    assert error.value.field == "pharmacy"


def test_overlapping_active_prescriptions_of_the_same_medication_are_refused(
    episode, prescriber, methadone, buprenorphine, pharmacy, assessed
):
    first = _prescribe(prescriber, episode, methadone, pharmacy, ends_on=assessed.assessed_on + timedelta(days=30))
    with pytest.raises(DomainError, match="already has") as error:
        _prescribe(prescriber, episode, methadone, pharmacy, starts_on=first.ends_on)
    assert error.value.field == "starts_on"
    assert _prescribe(prescriber, episode, buprenorphine, pharmacy, starts_on=first.ends_on)
    assert _prescribe(prescriber, episode, methadone, pharmacy, starts_on=first.ends_on + timedelta(days=1))


def test_an_open_ended_prescription_overlaps_every_later_one(episode, prescriber, methadone, pharmacy, assessed):
    first = _prescribe(prescriber, episode, methadone, pharmacy)
    with pytest.raises(DomainError):
        _prescribe(prescriber, episode, methadone, pharmacy, starts_on=first.starts_on + timedelta(days=400))


def test_a_dose_change_is_a_new_row_and_the_old_ends_the_day_before(episode, prescriber, methadone, pharmacy, assessed):
    first = _prescribe(prescriber, episode, methadone, pharmacy)
    change_on = first.starts_on + timedelta(days=7)
    second = services.change_dose(
        actor=prescriber, prescription=first, expected_version=1, dose="40", starts_on=change_on
    )
    first.refresh_from_db()
    assert first.dose == Decimal("30")
    assert first.ends_on == change_on - timedelta(days=1)
    assert second.supersedes == first
    assert second.dose == Decimal("40")
    assert second.ends_on is None
    assert Prescription.objects.filter(person=episode.person).count() == 2


def test_a_stale_dose_change_is_refused(episode, prescriber, methadone, pharmacy, assessed):
    first = _prescribe(prescriber, episode, methadone, pharmacy)
    services.change_dose(
        actor=prescriber, prescription=first, expected_version=1, dose="40", starts_on=first.starts_on + timedelta(1)
    )
    first.refresh_from_db()
    with pytest.raises(DomainError, match="already been changed"):
        services.change_dose(
            actor=prescriber,
            prescription=first,
            expected_version=2,
            dose="50",
            starts_on=first.starts_on + timedelta(2),
        )


def test_a_dose_change_with_an_old_version_is_refused_as_stale(episode, prescriber, methadone, pharmacy, assessed):
    first = _prescribe(prescriber, episode, methadone, pharmacy)
    Prescription.objects.filter(pk=first.pk).update(version=2)
    with pytest.raises(StaleEditError):
        services.change_dose(
            actor=prescriber,
            prescription=first,
            expected_version=1,
            dose="40",
            starts_on=first.starts_on + timedelta(1),
        )
    assert Prescription.objects.count() == 1


def test_a_dose_change_must_be_a_positive_number_and_start_after_the_current_dose(
    episode, prescriber, methadone, pharmacy, assessed
):
    first = _prescribe(prescriber, episode, methadone, pharmacy)
    with pytest.raises(DomainError) as error:
        services.change_dose(
            actor=prescriber,
            prescription=first,
            expected_version=1,
            dose="-1",
            starts_on=first.starts_on + timedelta(1),
        )
    assert error.value.field == "dose"
    with pytest.raises(DomainError) as error:
        services.change_dose(
            actor=prescriber, prescription=first, expected_version=1, dose="20", starts_on=first.starts_on
        )
    assert error.value.field == "starts_on"
    first.refresh_from_db()
    assert first.ends_on is None
    assert Prescription.objects.count() == 1


def test_a_reducing_regime_keeps_its_planned_steps(episode, prescriber, methadone, pharmacy, assessed):
    starts_on = assessed.assessed_on
    prescription = _prescribe(
        prescriber,
        episode,
        methadone,
        pharmacy,
        regime=Regime.REDUCTION,
        starts_on=starts_on,
        planned_steps=[(starts_on + timedelta(days=28), "20"), (starts_on + timedelta(days=14), "25")],
    )
    assert [(s.from_date - starts_on).days for s in prescription.planned_steps.all()] == [14, 28]
    assert [s.dose for s in prescription.planned_steps.all()] == [Decimal("25"), Decimal("20")]


def test_planned_steps_belong_only_to_a_reducing_regime(episode, prescriber, methadone, pharmacy, assessed):
    with pytest.raises(DomainError) as error:
        _prescribe(
            prescriber,
            episode,
            methadone,
            pharmacy,
            regime=Regime.MAINTENANCE,
            planned_steps=[(assessed.assessed_on + timedelta(days=14), "25")],
        )
    assert error.value.field == "planned_steps"
    assert not Prescription.objects.exists()


class TestSafeStorage:
    @pytest.fixture
    def with_children(self, episode, prescriber):
        return services.record_clinical_assessment(
            actor=prescriber,
            episode=episode,
            assessed_on=episode.opened_on + timedelta(days=2),
            findings="Two children live at home",
            children_in_home=True,
        )

    def test_a_take_home_dose_with_children_at_home_and_no_safe_storage_record_is_refused(
        self, episode, prescriber, methadone, with_children
    ):
        with pytest.raises(DomainError, match="safe storage") as error:
            _prescribe(prescriber, episode, methadone, None, supervised=False)
        assert error.value.field == "supervised"
        assert not Prescription.objects.exists()

    def test_a_supervised_dose_needs_no_safe_storage(self, episode, prescriber, methadone, pharmacy, with_children):
        assert _prescribe(prescriber, episode, methadone, pharmacy, supervised=True)

    @pytest.mark.parametrize("outcome", [SafeStorageOutcome.ISSUED, SafeStorageOutcome.DECLINED])
    def test_a_take_home_dose_follows_a_box_issued_or_declined_with_reason(
        self, outcome, episode, prescriber, methadone, with_children
    ):
        services.record_safe_storage(
            actor=prescriber,
            person=episode.person,
            offered_on=with_children.assessed_on,
            outcome=outcome,
            declined_reason="Has a locked cabinet already" if outcome == SafeStorageOutcome.DECLINED else "",
        )
        assert _prescribe(prescriber, episode, methadone, None, supervised=False).take_home

    def test_a_decline_without_a_reason_is_refused(self, episode, prescriber):
        with pytest.raises(DomainError) as error:
            services.record_safe_storage(
                actor=prescriber, person=episode.person, offered_on=date.today(), outcome=SafeStorageOutcome.DECLINED
            )
        assert error.value.field == "declined_reason"

    def test_a_box_offered_after_the_take_home_dose_starts_does_not_count(
        self, episode, prescriber, methadone, with_children
    ):
        starts_on = with_children.assessed_on + timedelta(days=1)
        SafeStorageFactory(person=episode.person, offered_on=starts_on + timedelta(days=1))
        with pytest.raises(DomainError):
            _prescribe(prescriber, episode, methadone, None, supervised=False, starts_on=starts_on)

    def test_moving_to_take_home_by_dose_change_needs_safe_storage(
        self, episode, prescriber, methadone, pharmacy, with_children
    ):
        first = _prescribe(prescriber, episode, methadone, pharmacy)
        with pytest.raises(DomainError, match="safe storage"):
            services.change_dose(
                actor=prescriber,
                prescription=first,
                expected_version=1,
                dose="30",
                supervised=False,
                starts_on=first.starts_on + timedelta(days=14),
            )

    def test_take_home_without_children_needs_no_safe_storage(self, episode, prescriber, methadone, assessed):
        assert _prescribe(prescriber, episode, methadone, None, supervised=False)


class TestPrisonRelease:
    def _released(self, assessed):
        return assessed.assessed_on

    def test_a_maintenance_script_starting_the_day_after_release_is_accepted(
        self, episode, prescriber, methadone, pharmacy, assessed
    ):
        released = self._released(assessed)
        prescription = _prescribe(
            prescriber,
            episode,
            methadone,
            pharmacy,
            regime=Regime.MAINTENANCE,
            released_from_prison_on=released,
            starts_on=released + timedelta(days=1),
        )
        assert prescription.gap_reason == ""

    def test_a_gap_of_two_days_after_release_needs_a_recorded_reason(
        self, episode, prescriber, methadone, pharmacy, assessed
    ):
        released = self._released(assessed)
        fields = {
            "regime": Regime.MAINTENANCE,
            "released_from_prison_on": released,
            "starts_on": released + timedelta(2),
        }
        with pytest.raises(DomainError, match="after release") as error:
            _prescribe(prescriber, episode, methadone, pharmacy, **fields)
        assert error.value.field == "gap_reason"
        prescription = _prescribe(
            prescriber, episode, methadone, pharmacy, gap_reason="Released late on Friday, no pharmacy open", **fields
        )
        assert prescription.gap_reason.startswith("Released late")

    def test_a_non_maintenance_medication_has_no_continuity_rule(self, episode, prescriber, pharmacy, assessed):
        from prescribing.models import Medication

        released = self._released(assessed)
        assert _prescribe(
            prescriber,
            episode,
            Medication.objects.get(code="ACA"),
            pharmacy,
            regime=Regime.RELAPSE_PREVENTION,
            released_from_prison_on=released,
            starts_on=released + timedelta(days=10),
        )
