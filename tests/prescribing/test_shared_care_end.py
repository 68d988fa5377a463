"""Ending GP shared care (specification 10.3): the GP refers the person back to specialist prescribing, or
shared care ends before the discharge. The rule, its refusals, who may do it on the page and the API, and
discharge refused while shared care is still open."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.choices import AuditAction, Role
from core.errors import DomainError, StaleEditError
from core.models import AuditEvent, DischargeReason
from prescribing import services
from prescribing.choices import SharedCareEndReason
from prescribing.models import SharedCareTransfer
from referrals.models import Allocation, Episode
from referrals.services.episodes import episode_discharge

pytestmark = pytest.mark.django_db

REFERRED_BACK = SharedCareEndReason.REFERRED_BACK


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def transfer(episode, allocation, prescriber, today):
    return services.transfer_to_shared_care(
        actor=prescriber,
        episode=episode,
        gp_practice="Bitterne Health Centre",
        agreed_criteria="Stable on 60ml methadone for 6 months, no illicit use on testing",
        transferred_on=today - timedelta(days=30),
        next_review_on=today + timedelta(days=60),
    )


def _end(actor, transfer, **overrides):
    fields = {
        "actor": actor,
        "transfer": transfer,
        "expected_version": transfer.version,
        "ended_on": timezone.localdate(),
        "end_reason": REFERRED_BACK,
    }
    return services.shared_care_end(**{**fields, **overrides})


def _date(prefix, day):
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def _page(user):
    client = Client()
    client.force_login(user)
    return client


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


class TestTheRule:
    def test_the_gp_refers_back_and_the_keyworker_keeps_the_review_duty(self, transfer, allocation, prescriber, today):
        ended = _end(prescriber, transfer)
        assert (ended.ended_on, ended.end_reason, ended.ended_by) == (today, REFERRED_BACK, prescriber)
        assert ended.version == 2
        ended.refresh_from_db()
        assert ended.review_keyworker == allocation.keyworker
        assert Allocation.objects.get(episode=transfer.episode, ended_on__isnull=True).keyworker == allocation.keyworker
        event = AuditEvent.objects.get(object_type="prescribing.SharedCareTransfer", action=AuditAction.CHANGE)
        assert event.actor == prescriber
        assert event.details == {
            "ended_on": today.isoformat(),
            "end_reason": REFERRED_BACK,
            "gp_practice": "Bitterne Health Centre",
        }

    def test_ending_on_the_transfer_day_is_accepted(self, transfer, prescriber):
        assert _end(prescriber, transfer, ended_on=transfer.transferred_on).ended_on == transfer.transferred_on

    def test_after_the_end_a_new_transfer_again_leaves_reviews_with_the_current_keyworker(
        self, transfer, episode, allocation, prescriber, today
    ):
        _end(prescriber, transfer, ended_on=today - timedelta(days=1))
        again = services.transfer_to_shared_care(
            actor=prescriber,
            episode=episode,
            gp_practice="Portswood Surgery",
            agreed_criteria="Stable again",
            transferred_on=today,
            next_review_on=today + timedelta(days=90),
        )
        assert again.review_keyworker == allocation.keyworker


class TestRefusals:
    def test_an_end_before_the_transfer_is_refused(self, transfer, prescriber):
        with pytest.raises(DomainError, match="before it started") as error:
            _end(prescriber, transfer, ended_on=transfer.transferred_on - timedelta(days=1))
        assert error.value.field == "ended_on"

    def test_an_end_tomorrow_is_refused(self, transfer, prescriber, today):
        with pytest.raises(DomainError, match="future") as error:
            _end(prescriber, transfer, ended_on=today + timedelta(days=1))
        assert error.value.field == "ended_on"

    def test_shared_care_ends_once(self, transfer, prescriber):
        ended = _end(prescriber, transfer)
        with pytest.raises(DomainError, match="already ended") as error:
            _end(prescriber, ended)
        assert error.value.field == "ended_on"

    def test_a_reason_outside_the_list_is_refused(self, transfer, prescriber):
        with pytest.raises(DomainError) as error:
            _end(prescriber, transfer, end_reason="moved_away")
        assert error.value.field == "end_reason"

    def test_an_end_from_a_stale_page_is_refused(self, transfer, prescriber):
        SharedCareTransfer.objects.filter(pk=transfer.pk).update(version=2)
        with pytest.raises(StaleEditError):
            _end(prescriber, transfer, expected_version=1)
        assert SharedCareTransfer.objects.get(pk=transfer.pk).ended_on is None

    def test_shared_care_left_open_on_a_discharged_episode_ends_by_the_discharge(self, transfer, prescriber, today):
        # Recorded before discharge refused open shared care: it can still be closed, but not after the discharge.
        Episode.objects.filter(pk=transfer.episode_id).update(
            discharged_on=today - timedelta(days=2), discharge_reason=DischargeReason.objects.get(code="80")
        )
        with pytest.raises(DomainError, match="discharged") as error:
            _end(prescriber, transfer, ended_on=today)
        assert error.value.field == "ended_on"
        assert _end(prescriber, transfer, ended_on=today - timedelta(days=2)).ended_on == today - timedelta(days=2)


class TestWhoMayEnd:
    def test_the_prescriber_of_the_team_ends_it_on_the_page(self, transfer, prescriber, today):
        client = _page(prescriber)
        history = client.get(reverse("prescribing:person-history", args=[transfer.person_id]))
        url = reverse("prescribing:shared-care-end", args=[transfer.pk])
        assert url in history.text
        response = client.post(
            url, {"version": transfer.version, "end_reason": REFERRED_BACK, **_date("ended_on", today)}
        )
        assert response.status_code == 302
        history = client.get(reverse("prescribing:person-history", args=[transfer.person_id]))
        assert "Referred back to specialist prescribing" in history.text
        assert "Reviews stay with the keyworker" in history.text
        assert url not in history.text

    def test_the_page_shows_a_refusal_on_its_field(self, transfer, prescriber, today):
        response = _page(prescriber).post(
            reverse("prescribing:shared-care-end", args=[transfer.pk]),
            {"version": transfer.version, "end_reason": REFERRED_BACK, **_date("ended_on", today + timedelta(days=1))},
        )
        assert "future" in response.context["form"].errors["ended_on"][0]
        assert SharedCareTransfer.objects.get().ended_on is None

    def test_the_prescriber_of_the_team_ends_it_through_the_api(self, transfer, prescriber, today):
        url = f"/api/v1/shared-care/{transfer.pk}/end/"
        body = {"version": transfer.version, "ended_on": today.isoformat(), "end_reason": REFERRED_BACK}
        response = _api(prescriber).post(url, body, format="json")
        assert response.status_code == 200, response.data
        assert (response.data["ended_on"], response.data["end_reason"]) == (today.isoformat(), REFERRED_BACK)
        assert response.data["review_keyworker"] == transfer.review_keyworker_id
        again = _api(prescriber).post(url, body, format="json")
        assert again.status_code == 400
        assert "already ended" in again.data["ended_on"][0]

    def test_a_stale_version_through_the_api_is_a_conflict(self, transfer, prescriber, today):
        SharedCareTransfer.objects.filter(pk=transfer.pk).update(version=2)
        response = _api(prescriber).post(
            f"/api/v1/shared-care/{transfer.pk}/end/",
            {"version": 1, "ended_on": today.isoformat(), "end_reason": REFERRED_BACK},
            format="json",
        )
        assert response.status_code == 409

    def test_the_keyworker_holding_the_person_sees_it_but_cannot_end_it(self, transfer, allocation, today):
        keyworker = allocation.keyworker
        with pytest.raises(PermissionDenied):
            _end(keyworker, transfer)
        assert _page(keyworker).get(reverse("prescribing:person-history", args=[transfer.person_id])).status_code == 200
        assert _page(keyworker).get(reverse("prescribing:shared-care-end", args=[transfer.pk])).status_code == 403
        response = _api(keyworker).post(
            f"/api/v1/shared-care/{transfer.pk}/end/",
            {"version": transfer.version, "ended_on": today.isoformat(), "end_reason": REFERRED_BACK},
            format="json",
        )
        assert response.status_code == 403
        assert SharedCareTransfer.objects.get().ended_on is None

    def test_a_prescriber_of_another_team_cannot_find_it(self, transfer, staff, today):
        stranger = staff(Role.PRESCRIBER)
        assert _page(stranger).get(reverse("prescribing:shared-care-end", args=[transfer.pk])).status_code == 404
        response = _api(stranger).post(
            f"/api/v1/shared-care/{transfer.pk}/end/",
            {"version": transfer.version, "ended_on": today.isoformat(), "end_reason": REFERRED_BACK},
            format="json",
        )
        assert response.status_code == 404

    def test_a_commissioner_sees_no_record_and_ends_nothing(self, transfer, commissioner, today):
        assert _page(commissioner).get(reverse("prescribing:shared-care-end", args=[transfer.pk])).status_code == 403
        response = _api(commissioner).post(
            f"/api/v1/shared-care/{transfer.pk}/end/",
            {"version": transfer.version, "ended_on": today.isoformat(), "end_reason": REFERRED_BACK},
            format="json",
        )
        # Refused like the page: the role holds no prescribing permission, before any record is looked up.
        assert response.status_code == 403
        with pytest.raises(PermissionDenied):
            _end(commissioner, transfer)
        assert SharedCareTransfer.objects.get().ended_on is None


class TestDischarge:
    def _discharge(self, episode, by, on):
        return episode_discharge(
            episode=episode,
            reason=DischargeReason.objects.get(code="80"),
            discharged_on=on,
            expected_version=Episode.objects.get(pk=episode.pk).version,
            by=by,
        )

    def test_discharge_is_refused_while_shared_care_is_open_and_allowed_once_it_ends(
        self, transfer, episode, allocation, prescriber, today
    ):
        with pytest.raises(DomainError, match="GP shared care with Bitterne Health Centre") as error:
            self._discharge(episode, allocation.keyworker, today)
        assert error.value.field == "open_modalities"
        assert Episode.objects.get(pk=episode.pk).discharged_on is None
        _end(prescriber, transfer, end_reason=SharedCareEndReason.EPISODE_ENDING)
        assert self._discharge(episode, allocation.keyworker, today).discharged_on == today
