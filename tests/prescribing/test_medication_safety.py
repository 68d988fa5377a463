"""No medication without a clinical assessment (a detox plan with medication steps, like a script: SPEC 10.3);
discharge ends every prescription still running on the discharge date; a prison release recorded on the person
runs the continuity check without the prescriber typing the date again."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.errors import DomainError
from core.models import DischargeReason
from prescribing import services
from prescribing.choices import DetoxSetting, Regime
from prescribing.factories import ClinicalAssessmentFactory, PrescriptionFactory
from prescribing.models import DetoxPlan, Medication, Prescription
from referrals.models import Episode, Person
from referrals.services.episodes import episode_discharge

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def refused(field, call, *args, **kwargs):
    with pytest.raises(DomainError) as error:
        call(*args, **kwargs)
    assert error.value.field == field, error.value
    return error.value.message


def _summary_has(response, form_name, field):
    form = response.context[form_name]
    html = response.content.decode()
    start = html.index("nhsuk-error-summary")
    summary = html[start : html.index("</ul>", start)]
    return form.errors[field], f'href="#{form[field].error_anchor}"' in summary


class TestDetoxNeedsAnAssessment:
    def _plan(self, prescriber, episode, start, steps=True):
        chlordiazepoxide = Medication.objects.get(code="CDP")
        return services.create_detox_plan(
            actor=prescriber,
            episode=episode,
            setting=DetoxSetting.HOME,
            planned_start=start,
            planned_end=start + timedelta(days=7),
            steps=[(start, chlordiazepoxide, Decimal("20"))] if steps else [],
        )

    def test_refused_without_one_and_with_one_the_day_after_the_start(self, episode, prescriber):
        start = episode.opened_on + timedelta(days=3)
        assert "clinical assessment" in refused("planned_start", self._plan, prescriber, episode, start)
        ClinicalAssessmentFactory(episode=episode, prescriber=prescriber, assessed_on=start + timedelta(days=1))
        refused("planned_start", self._plan, prescriber, episode, start)
        assert not DetoxPlan.objects.exists()

    def test_an_assessment_on_the_start_day_is_enough(self, episode, prescriber):
        start = episode.opened_on + timedelta(days=3)
        ClinicalAssessmentFactory(episode=episode, prescriber=prescriber, assessed_on=start)
        assert self._plan(prescriber, episode, start).steps.count() == 1

    def test_a_plan_with_no_medication_steps_needs_none(self, episode, prescriber):
        assert self._plan(prescriber, episode, episode.opened_on + timedelta(days=3), steps=False)

    def test_the_api_answers_400_on_the_planned_start(self, episode, prescriber):
        start = episode.opened_on + timedelta(days=3)
        body = {
            "episode": episode.pk,
            "setting": "home",
            "planned_start": str(start),
            "planned_end": str(start + timedelta(days=7)),
            "steps": [{"from_date": str(start), "medication": Medication.objects.get(code="CDP").pk, "dose": "20"}],
        }
        response = api(prescriber).post("/api/v1/detox-plans/", body, format="json")
        assert response.status_code == 400
        assert "planned_start" in response.data
        ClinicalAssessmentFactory(episode=episode, prescriber=prescriber, assessed_on=start)
        assert api(prescriber).post("/api/v1/detox-plans/", body, format="json").status_code == 201

    def test_the_page_shows_it_on_the_planned_start(self, client, episode, prescriber):
        start = episode.opened_on + timedelta(days=3)
        end = start + timedelta(days=7)
        client.force_login(prescriber)
        response = client.post(
            reverse("prescribing:detox-new", args=[episode.pk]),
            {
                "setting": "home",
                **{
                    f"planned_start_{k}": v
                    for k, v in (("day", start.day), ("month", start.month), ("year", start.year))
                },
                **{f"planned_end_{k}": v for k, v in (("day", end.day), ("month", end.month), ("year", end.year))},
                "steps": f"{start:%d/%m/%Y} CDP 20",
            },
        )
        errors, linked = _summary_has(response, "form", "planned_start")
        assert "clinical assessment" in errors[0]
        assert linked


def _discharge(episode, by, on):
    return episode_discharge(
        episode=episode,
        reason=DischargeReason.objects.get(code="80"),
        discharged_on=on,
        expected_version=Episode.objects.get(pk=episode.pk).version,
        by=by,
    )


class TestDischargeEndsPrescriptions:
    def test_running_scripts_end_on_the_discharge_date_and_ended_ones_are_kept(
        self, episode, allocation, prescriber, buprenorphine
    ):
        assessment = ClinicalAssessmentFactory(episode=episode, prescriber=prescriber)
        on = assessment.assessed_on + timedelta(days=10)
        open_ended = PrescriptionFactory(clinical_assessment=assessment)
        ends_later = PrescriptionFactory(
            clinical_assessment=assessment, medication=buprenorphine, ends_on=on + timedelta(days=20)
        )
        ended_before = PrescriptionFactory(
            clinical_assessment=assessment,
            medication=Medication.objects.get(code="CDP"),
            ends_on=on - timedelta(days=1),
        )
        ends_that_day = PrescriptionFactory(
            clinical_assessment=assessment, medication=Medication.objects.get(code="ACA"), ends_on=on
        )
        _discharge(episode, allocation.keyworker, on)
        ends = dict(Prescription.objects.values_list("pk", "ends_on"))
        assert ends[open_ended.pk] == on
        assert ends[ends_later.pk] == on
        assert ends[ended_before.pk] == on - timedelta(days=1)
        assert ends[ends_that_day.pk] == on

    def test_a_script_starting_after_the_discharge_date_refuses_the_discharge(self, episode, allocation, prescriber):
        assessment = ClinicalAssessmentFactory(episode=episode, prescriber=prescriber)
        on = assessment.assessed_on + timedelta(days=5)
        PrescriptionFactory(clinical_assessment=assessment, starts_on=on + timedelta(days=1))
        assert "start after the discharge date" in refused(
            "discharged_on", _discharge, episode, allocation.keyworker, on
        )
        assert Episode.objects.get(pk=episode.pk).discharged_on is None
        # Discharged on the day it starts, it is ended that day.
        _discharge(Episode.objects.get(pk=episode.pk), allocation.keyworker, on + timedelta(days=1))
        assert Prescription.objects.get().ends_on == on + timedelta(days=1)

    def test_the_api_and_the_page_refuse_on_the_discharge_date(self, client, episode, allocation, prescriber):
        assessment = ClinicalAssessmentFactory(episode=episode, prescriber=prescriber)
        on = assessment.assessed_on + timedelta(days=5)
        PrescriptionFactory(clinical_assessment=assessment, starts_on=on + timedelta(days=1))
        reason = DischargeReason.objects.get(code="80")
        response = api(allocation.keyworker).post(
            f"/api/v1/episodes/{episode.pk}/discharge/",
            {"reason": reason.pk, "discharged_on": str(on), "version": episode.version},
            format="json",
        )
        assert response.status_code == 400
        assert "discharged_on" in response.data
        client.force_login(allocation.keyworker)
        page = client.post(
            reverse("referrals:episode-discharge", args=[episode.pk]),
            {
                "version": episode.version,
                "reason": reason.pk,
                "discharged_on_day": on.day,
                "discharged_on_month": on.month,
                "discharged_on_year": on.year,
            },
        )
        errors, linked = _summary_has(page, "form", "discharged_on")
        assert "start after the discharge date" in errors[0]
        assert linked


class TestPrisonReleaseOnThePerson:
    def _released(self, episode, on, flagged=True):
        Person.objects.filter(pk=episode.person_id).update(recent_prison_release=flagged, released_from_prison_on=on)

    def _prescribe(self, prescriber, episode, pharmacy, starts_on, **extra):
        return services.prescribe(
            actor=prescriber,
            episode=episode,
            medication=Medication.objects.get(code="MET"),
            dose="30",
            regime=Regime.MAINTENANCE,
            starts_on=starts_on,
            pharmacy=pharmacy,
            **extra,
        )

    def test_the_day_after_release_is_accepted_and_two_days_after_needs_the_reason(self, episode, prescriber, pharmacy):
        released = episode.opened_on + timedelta(days=1)
        ClinicalAssessmentFactory(episode=episode, prescriber=prescriber, assessed_on=released)
        self._released(episode, released)
        message = refused("gap_reason", self._prescribe, prescriber, episode, pharmacy, released + timedelta(days=2))
        assert "2 days after release" in message
        script = self._prescribe(prescriber, episode, pharmacy, released + timedelta(days=1))
        assert script.released_from_prison_on == released

    def test_the_reason_for_a_gap_lets_it_through(self, episode, prescriber, pharmacy):
        released = episode.opened_on + timedelta(days=1)
        ClinicalAssessmentFactory(episode=episode, prescriber=prescriber, assessed_on=released)
        self._released(episode, released)
        script = self._prescribe(
            prescriber, episode, pharmacy, released + timedelta(days=3), gap_reason="Released on a Friday"
        )
        assert script.gap_reason == "Released on a Friday"

    def test_no_flag_no_check_and_only_the_first_script_since_release(self, episode, prescriber, pharmacy):
        released = episode.opened_on + timedelta(days=1)
        ClinicalAssessmentFactory(episode=episode, prescriber=prescriber, assessed_on=released)
        self._released(episode, released, flagged=False)
        first = self._prescribe(
            prescriber, episode, pharmacy, released + timedelta(days=5), ends_on=released + timedelta(9)
        )
        assert first.released_from_prison_on is None
        self._released(episode, released)
        later = self._prescribe(prescriber, episode, pharmacy, released + timedelta(days=10))
        assert later.released_from_prison_on is None

    def test_the_api_refuses_on_the_gap_reason_without_the_date_typed(self, episode, prescriber, pharmacy):
        released = episode.opened_on + timedelta(days=1)
        ClinicalAssessmentFactory(episode=episode, prescriber=prescriber, assessed_on=released)
        self._released(episode, released)
        body = {
            "episode": episode.pk,
            "medication": Medication.objects.get(code="MET").pk,
            "dose": "30",
            "regime": "maintenance",
            "starts_on": str(released + timedelta(days=2)),
            "pharmacy": pharmacy.pk,
        }
        response = api(prescriber).post("/api/v1/prescriptions/", body, format="json")
        assert response.status_code == 400
        assert "gap_reason" in response.data

    def test_the_person_form_keeps_the_date_with_the_flag(self, episode, data_admin):
        from referrals.services.people import person_update

        person = Person.objects.get(pk=episode.person_id)
        released = episode.opened_on
        refused(
            "released_from_prison_on",
            person_update,
            actor=data_admin,
            person=person,
            data={"released_from_prison_on": released},
            expected_version=person.version,
        )
        updated = person_update(
            actor=data_admin,
            person=person,
            data={"recent_prison_release": True, "released_from_prison_on": released},
            expected_version=person.version,
        )
        assert (updated.recent_prison_release, updated.released_from_prison_on) == (True, released)
