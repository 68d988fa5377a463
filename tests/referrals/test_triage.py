"""Triage outcomes: brief intervention, tier 1/2 signpost, or acceptance opening one episode."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from core.choices import Role
from core.errors import DomainError, StaleEditError
from core.models import DischargeReason, Substance
from referrals.choices import ReferralStatus
from referrals.factories import EpisodeFactory, ReferralFactory
from referrals.models import Episode
from referrals.services import intake
from referrals.services.intake import TIER_1_2_SERVICE, referral_triage

pytestmark = pytest.mark.django_db
RECEIVED = date(2025, 3, 3)


@pytest.fixture
def assessor(staff, arm_team):
    return staff(Role.ASSESSOR, team=arm_team)


@pytest.fixture
def referral(arm_team):
    """Drinking only: the one kind of referral every outcome, tier 1/2 included, can close."""
    referral = ReferralFactory(team=arm_team, received_on=RECEIVED, status=ReferralStatus.AWAITING_TRIAGE)
    referral.presenting_substances.set([Substance.objects.get(code="7000")])
    return referral


def triage(actor, referral, outcome, **fields):
    fields = {"triaged_on": RECEIVED + timedelta(days=3), "expected_version": referral.version, **fields}
    return referral_triage(actor=actor, referral=referral, outcome=outcome, **fields)


def test_brief_intervention_closes_the_referral_with_the_advice_given(assessor, referral):
    triage(assessor, referral, ReferralStatus.BRIEF_INTERVENTION, advice_given="Units and safer drinking")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.BRIEF_INTERVENTION
    assert referral.advice_given == "Units and safer drinking"
    assert referral.triaged_by == assessor
    assert not Episode.objects.exists()


def test_brief_intervention_without_advice_is_refused(assessor, referral):
    with pytest.raises(DomainError) as error:
        triage(assessor, referral, ReferralStatus.BRIEF_INTERVENTION)
    assert error.value.field == "advice_given"


def test_signpost_to_tier_1_2_alcohol_service(assessor, referral):
    triage(assessor, referral, ReferralStatus.SIGNPOSTED_TIER_1_2)
    referral.refresh_from_db()
    assert (referral.status, referral.signposted_to) == (ReferralStatus.SIGNPOSTED_TIER_1_2, TIER_1_2_SERVICE)


def test_acceptance_opens_an_episode_on_the_triage_date(assessor, referral):
    triage(assessor, referral, ReferralStatus.ACCEPTED, triaged_on=date(2025, 3, 7))
    episode = Episode.objects.get(referral=referral)
    assert episode.opened_on == date(2025, 3, 7)
    assert episode.episode_id == referral.episode_id
    assert (episode.person, episode.team) == (referral.person, referral.team)


def test_a_second_open_episode_is_refused_with_a_clear_message(assessor, referral):
    EpisodeFactory(referral__person=referral.person, referral__team=referral.team)
    with pytest.raises(DomainError) as error:
        triage(assessor, referral, ReferralStatus.ACCEPTED)
    assert "already has an open episode" in error.value.message
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AWAITING_TRIAGE


def test_a_second_open_episode_racing_past_the_check_is_stopped_by_the_database(assessor, referral, monkeypatch):
    EpisodeFactory(referral__person=referral.person, referral__team=referral.team)
    monkeypatch.setattr(intake, "has_open_episode", lambda person_id: False)
    with pytest.raises(DomainError) as error:
        triage(assessor, referral, ReferralStatus.ACCEPTED)
    assert "already has an open episode" in error.value.message
    assert Episode.objects.count() == 1


def test_acceptance_after_a_discharged_episode_is_allowed(assessor, referral):
    old = EpisodeFactory(referral__person=referral.person, referral__team=referral.team)
    Episode.objects.filter(pk=old.pk).update(
        discharged_on=old.opened_on,
        discharge_reason=DischargeReason.objects.first(),
    )
    triage(assessor, referral, ReferralStatus.ACCEPTED)
    assert Episode.objects.filter(person=referral.person).count() == 2


def test_triage_before_first_contact_is_refused(assessor, arm_team):
    waiting = ReferralFactory(team=arm_team, received_on=RECEIVED)
    with pytest.raises(DomainError) as error:
        triage(assessor, waiting, ReferralStatus.SIGNPOSTED_TIER_1_2)
    assert "first contact" in error.value.message


def test_triage_before_the_referral_date_is_refused(assessor, referral):
    with pytest.raises(DomainError) as error:
        triage(assessor, referral, ReferralStatus.SIGNPOSTED_TIER_1_2, triaged_on=RECEIVED - timedelta(days=1))
    assert error.value.field == "triaged_on"


def test_triage_in_the_future_is_refused(assessor, referral):
    with pytest.raises(DomainError):
        triage(
            assessor, referral, ReferralStatus.SIGNPOSTED_TIER_1_2, triaged_on=timezone.localdate() + timedelta(days=1)
        )


def test_stale_triage_is_refused(assessor, referral):
    with pytest.raises(StaleEditError):
        triage(assessor, referral, ReferralStatus.SIGNPOSTED_TIER_1_2, expected_version=referral.version + 1)


def test_a_closed_referral_cannot_be_triaged_again(assessor, referral):
    triage(assessor, referral, ReferralStatus.SIGNPOSTED_TIER_1_2)
    referral.refresh_from_db()
    with pytest.raises(DomainError):
        triage(assessor, referral, ReferralStatus.ACCEPTED)


def test_a_referrer_cannot_triage(staff, referral):
    with pytest.raises(DomainError):
        triage(staff(Role.REFERRER), referral, ReferralStatus.SIGNPOSTED_TIER_1_2)
