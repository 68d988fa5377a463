"""A modality that never starts (declined, never attended) is closed withdrawn (C) or unplanned (B) with a date
and a reason, through the service, the page and the API; the episode can then be discharged, and the
modality counts in no waiting-time figure."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.choices import Role
from core.errors import DomainError
from core.models import DischargeReason, ModalityExitStatus
from prescribing import waits
from prescribing.factories import ClinicalAssessmentFactory, PrescriptionFactory
from prescribing.services import raise_prescribing_wait_tasks
from recovery_plans.factories import ModalityFactory
from recovery_plans.models import Intervention, Modality
from recovery_plans.services import modalities
from referrals.choices import TaskKind
from referrals.models import Episode, Task
from referrals.services.episodes import episode_discharge
from tests.referrals.episode_fixtures import *  # noqa: F403 (shared fixtures: teams, personas, episodes)

pytestmark = pytest.mark.django_db


@pytest.fixture
def prescriber(staff, arm_team):
    return staff(Role.PRESCRIBER, team=arm_team)


def today():
    return timezone.localdate()


def exit_status(code):
    return ModalityExitStatus.objects.get(code=code)


def waiting(episode, days, code="CBT", **fields):
    return ModalityFactory(
        episode=episode,
        intervention=Intervention.objects.get(code=code),
        referred_on=today() - timedelta(days=days),
        **fields,
    )


def close(modality, by, *, on=None, code="C", reason="Declined the group", version=None):
    return modalities.close_unstarted_modality(
        modality=modality,
        ended_on=on if on is not None else modality.referred_on,
        exit_status=exit_status(code) if code else None,
        reason=reason,
        by=by,
        expected_version=version or modality.version,
    )


def refused(field, call, *args, **kwargs):
    with pytest.raises(DomainError) as error:
        call(*args, **kwargs)
    assert error.value.field == field, error.value
    return str(error.value)


def _discharge(episode, by):
    return episode_discharge(
        episode=episode,
        reason=DischargeReason.objects.get(code="85"),
        discharged_on=today(),
        expected_version=Episode.objects.get(pk=episode.pk).version,
        by=by,
    )


class TestService:
    def test_closed_on_the_referral_day_is_accepted_and_the_day_before_refused(self, allocated_episode, keyworker):
        modality = waiting(allocated_episode, 10)
        refused("ended_on", close, modality, keyworker, on=modality.referred_on - timedelta(days=1))
        closed = close(modality, keyworker, on=modality.referred_on)
        assert (closed.ended_on, closed.started_on, closed.exit_status.code) == (modality.referred_on, None, "C")
        assert closed.end_reason == "Declined the group"

    def test_unplanned_is_accepted_and_planned_refused_without_a_start(self, allocated_episode, keyworker):
        modality = waiting(allocated_episode, 10)
        assert "planned exit needs a start" in refused("exit_status", close, modality, keyworker, code="A")
        refused("exit_status", close, modality, keyworker, code=None)
        assert close(modality, keyworker, code="B").exit_status.code == "B"

    def test_the_reason_is_required(self, allocated_episode, keyworker):
        refused("reason", close, waiting(allocated_episode, 10), keyworker, reason="  ")

    def test_today_is_accepted_and_tomorrow_refused(self, allocated_episode, keyworker):
        modality = waiting(allocated_episode, 10)
        refused("ended_on", close, modality, keyworker, on=today() + timedelta(days=1))
        assert close(modality, keyworker, on=today()).ended_on == today()

    def test_not_before_the_first_appointment_offered(self, allocated_episode, keyworker):
        modality = waiting(allocated_episode, 10, first_offered_on=today() - timedelta(days=5))
        refused("ended_on", close, modality, keyworker, on=today() - timedelta(days=6))
        assert close(modality, keyworker, on=today() - timedelta(days=5)).ended_on == today() - timedelta(days=5)

    def test_a_started_modality_cannot_be_withdrawn_as_if_never_started(self, allocated_episode, keyworker):
        modality = waiting(allocated_episode, 10, started_on=today() - timedelta(days=8))
        assert "started on" in refused("ended_on", close, modality, keyworker)
        assert Modality.objects.get(pk=modality.pk).ended_on is None

    def test_a_modality_whose_script_began_cannot_be_closed_as_never_started(self, episode, keyworker, prescriber):
        modality = waiting(episode, 10, code="PRESC")
        assessment = ClinicalAssessmentFactory(episode=episode, prescriber=prescriber, assessed_on=modality.referred_on)
        PrescriptionFactory(clinical_assessment=assessment, modality=modality, starts_on=today() - timedelta(days=3))
        # Closed before the script began: it never started. Closed on the day it began: it did.
        assert "was prescribed for it" in refused(
            "ended_on", close, modality, keyworker, on=today() - timedelta(days=3)
        )
        assert close(modality, keyworker, on=today() - timedelta(days=4)).ended_on == today() - timedelta(days=4)

    def test_an_ended_modality_cannot_be_closed_again(self, allocated_episode, keyworker):
        modality = close(waiting(allocated_episode, 10), keyworker)
        refused("ended_on", close, modality, keyworker)

    def test_the_episode_can_then_be_discharged(self, allocated_episode, keyworker):
        modality = waiting(allocated_episode, 10)
        assert "End these modalities" in refused("open_modalities", _discharge, allocated_episode, keyworker)
        close(modality, keyworker)
        assert _discharge(allocated_episode, keyworker).discharged_on == today()

    def test_its_waiting_alerts_are_closed(self, allocated_episode, keyworker):
        modality = waiting(allocated_episode, 30)
        for key in (modalities.wait_task_key(modality.pk), f"prescribing_wait:{modality.pk}"):
            Task.objects.create(
                person=allocated_episode.person,
                episode=allocated_episode,
                kind=TaskKind.MODALITY_WAIT,
                title="Waiting",
                team=allocated_episode.team,
                due_on=today(),
                source_key=key,
            )
        close(modality, keyworker)
        assert not Task.objects.filter(done_on__isnull=True).exists()

    def test_the_database_refuses_an_end_without_a_start_or_a_reason(self, allocated_episode):
        modality = waiting(allocated_episode, 10)
        for ended_on, reason in ((modality.referred_on - timedelta(days=1), "Declined"), (modality.referred_on, "")):
            with pytest.raises(IntegrityError), transaction.atomic():
                Modality.objects.filter(pk=modality.pk).update(
                    ended_on=ended_on, exit_status=exit_status("C"), end_reason=reason
                )


class TestNoWaitingTimeFigure:
    def test_a_closed_prescribing_modality_is_in_no_clock_even_with_an_unlinked_script(
        self, episode, keyworker, prescriber
    ):
        modality = waiting(episode, 40, code="PRESC")
        close(modality, keyworker, on=today() - timedelta(days=30))
        assessment = ClinicalAssessmentFactory(episode=episode, prescriber=prescriber, assessed_on=today())
        PrescriptionFactory(clinical_assessment=assessment, starts_on=today())
        row = waits.with_clock(Modality.objects.filter(pk=modality.pk)).get()
        assert row.prescribing_started_on is None
        assert waits.started_in_period(today() - timedelta(days=60), today()) == []
        assert waits.open_clocks(Modality.objects.all(), today()) == []
        assert raise_prescribing_wait_tasks(today=today()) == 0


def _post(client, modality, **data):
    body = {"version": modality.version, "reason": "Did not attend", "exit_status": exit_status("C").pk}
    day = data.pop("ended_on", modality.referred_on)
    body.update({"ended_on_day": day.day, "ended_on_month": day.month, "ended_on_year": day.year})
    body.update(data)
    return client.post(reverse("recovery_plans:modality-close-unstarted", args=[modality.pk]), body)


def _summary_links(response, field):
    form = response.context["form"]
    html = response.content.decode()
    summary = html[html.index("nhsuk-error-summary") : html.index("</ul>", html.index("nhsuk-error-summary"))]
    return form.errors[field], f'href="#{form[field].error_anchor}"' in summary


class TestPage:
    def test_a_waiting_modality_has_the_link_and_closes(self, client, allocated_episode, keyworker):
        modality = waiting(allocated_episode, 10)
        client.force_login(keyworker)
        page = client.get(reverse("recovery_plans:modality-list", args=[allocated_episode.pk])).content.decode()
        assert reverse("recovery_plans:modality-close-unstarted", args=[modality.pk]) in page
        assert _post(client, modality).status_code == 302
        page = client.get(reverse("recovery_plans:modality-list", args=[allocated_episode.pk])).content.decode()
        assert "Closed: never started" in page
        assert "Did not attend" in page

    def test_a_date_before_the_referral_shows_in_the_summary_against_the_date(
        self, client, allocated_episode, keyworker
    ):
        modality = waiting(allocated_episode, 10)
        client.force_login(keyworker)
        response = _post(client, modality, ended_on=modality.referred_on - timedelta(days=1))
        errors, linked = _summary_links(response, "ended_on")
        assert errors == [f"The date closed cannot be before the referral ({modality.referred_on:%-d %B %Y})."]
        assert linked

    def test_a_started_modality_is_refused_against_the_date(self, client, allocated_episode, keyworker):
        modality = waiting(allocated_episode, 10, started_on=today() - timedelta(days=8))
        client.force_login(keyworker)
        errors, linked = _summary_links(_post(client, modality), "ended_on")
        assert "end it with its end date" in errors[0]
        assert linked

    def test_no_reason_is_asked_for_against_the_reason(self, client, allocated_episode, keyworker):
        modality = waiting(allocated_episode, 10)
        client.force_login(keyworker)
        errors, linked = _summary_links(_post(client, modality, reason=""), "reason")
        assert errors == ["Say why the modality never started"]
        assert linked

    def test_planned_is_not_offered(self, client, allocated_episode, keyworker):
        modality = waiting(allocated_episode, 10)
        client.force_login(keyworker)
        response = _post(client, modality, exit_status=exit_status("A").pk)
        errors, linked = _summary_links(response, "exit_status")
        assert errors
        assert linked


class TestApi:
    def _close(self, client, modality, **data):
        body = {"version": modality.version, "ended_on": str(modality.referred_on), "exit_status": exit_status("C").pk}
        body["reason"] = "Declined"
        body.update(data)
        return client.post(f"/api/v1/modalities/{modality.pk}/close-unstarted/", body, content_type="application/json")

    def test_closes_and_answers_with_the_reason(self, client, allocated_episode, keyworker):
        modality = waiting(allocated_episode, 10)
        client.force_login(keyworker)
        response = self._close(client, modality)
        assert response.status_code == 200, response.json()
        assert (response.json()["exit_status_code"], response.json()["end_reason"]) == ("C", "Declined")
        assert response.json()["started_on"] is None

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"ended_on": "REFERRAL-1"}, "ended_on"),
            ({"exit_status": "A"}, "exit_status"),
            ({"reason": ""}, "reason"),
        ],
    )
    def test_refusals_name_the_field(self, client, allocated_episode, keyworker, data, field):
        modality = waiting(allocated_episode, 10)
        if data.get("ended_on") == "REFERRAL-1":
            data = {"ended_on": str(modality.referred_on - timedelta(days=1))}
        if data.get("exit_status") == "A":
            data = {"exit_status": exit_status("A").pk}
        client.force_login(keyworker)
        response = self._close(client, modality, **data)
        assert response.status_code == 400
        assert field in response.json()

    def test_a_started_modality_is_refused(self, client, allocated_episode, keyworker):
        modality = waiting(allocated_episode, 10, started_on=today() - timedelta(days=8))
        client.force_login(keyworker)
        response = self._close(client, modality)
        assert response.status_code == 400
        assert "ended_on" in response.json()

    def test_a_stale_version_is_409(self, client, allocated_episode, keyworker):
        modality = waiting(allocated_episode, 10)
        client.force_login(keyworker)
        assert self._close(client, modality, version=modality.version + 1).status_code == 409
