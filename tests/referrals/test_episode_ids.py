"""EPISODID from receipt (domain.md 6): a referral that never entered treatment is still an episode row, so
every referral has its EPISODID when it is received and the episode opened from it carries the same one."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from core.choices import Role
from core.models import AuditEvent, ReferralSource
from referrals.choices import ReferralStatus
from referrals.factories import EpisodeFactory, PersonFactory, ReferralFactory
from referrals.models import Episode, Referral
from referrals.services.intake import referral_create, referral_triage

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
RECEIVED = date(2025, 6, 10)
EPISODE_ID = re.compile(r"^E[0-9]{8,}$")


@pytest.fixture
def assessor(staff, arm_team):
    return staff(Role.ASSESSOR, team=arm_team)


def _refer(actor, **overrides):
    fields = {
        "person": PersonFactory(date_of_birth=date(1980, 1, 1)),
        "received_at": datetime(2025, 6, 10, 10, 0, tzinfo=LONDON),
        "source": ReferralSource.objects.get(code="4"),
        "reason": "Drinking every day",
        "lives_in_city": True,
        "registered_with_city_gp": True,
        "received_date_confirmed": True,
    }
    return referral_create(actor=actor, **{**fields, **overrides})


def test_a_referral_has_its_episode_id_from_receipt(assessor):
    referral = _refer(assessor)
    assert EPISODE_ID.match(referral.episode_id)
    assert Referral.objects.get(pk=referral.pk).episode_id == referral.episode_id


def test_receiving_the_referral_audits_its_episode_id(assessor):
    referral = _refer(assessor)
    event = AuditEvent.objects.get(object_type=Referral._meta.label, object_id=str(referral.pk))
    assert event.details["episode_id"] == referral.episode_id


def test_an_ineligible_referral_that_never_enters_treatment_still_has_an_episode_id(assessor):
    referral = _refer(assessor, lives_in_city=False, registered_with_city_gp=False, signposted_to="Hampshire")
    assert referral.status == ReferralStatus.SIGNPOSTED_INELIGIBLE
    assert EPISODE_ID.match(referral.episode_id)


def test_referrals_bulk_inserted_each_get_a_different_episode_id(arm_team):
    person = PersonFactory()
    template = ReferralFactory.build(person=person, team=arm_team)
    fields = {f.attname: getattr(template, f.attname) for f in Referral._meta.concrete_fields if f.attname != "id"}
    fields.pop("episode_id")
    created = Referral.objects.bulk_create([Referral(**fields) for _ in range(3)])
    ids = [referral.episode_id for referral in created]
    assert len(set(ids)) == 3
    assert all(EPISODE_ID.match(i) for i in ids)
    assert sorted(ids) == sorted(Referral.objects.filter(person=person).values_list("episode_id", flat=True))


def test_accepting_the_referral_opens_an_episode_with_the_same_episode_id(assessor, arm_team):
    referral = ReferralFactory(team=arm_team, received_on=RECEIVED, status=ReferralStatus.AWAITING_TRIAGE)
    given_at_receipt = referral.episode_id
    referral_triage(
        actor=assessor,
        referral=referral,
        outcome=ReferralStatus.ACCEPTED,
        triaged_on=RECEIVED + timedelta(days=2),
        expected_version=referral.version,
    )
    episode = Episode.objects.get(referral=referral)
    assert episode.episode_id == given_at_receipt
    referral.refresh_from_db()
    assert referral.episode_id == given_at_receipt


def test_the_database_gives_an_episode_its_referrals_episode_id_whatever_the_insert_says(arm_team):
    referral = ReferralFactory(team=arm_team, status=ReferralStatus.ACCEPTED)
    episode = EpisodeFactory(referral=referral, episode_id="E99999999")
    assert Episode.objects.get(pk=episode.pk).episode_id == referral.episode_id
    Episode.objects.filter(pk=episode.pk).update(episode_id="E99999998")
    assert Episode.objects.get(pk=episode.pk).episode_id == referral.episode_id


def test_a_referrals_episode_id_never_changes(arm_team):
    referral = ReferralFactory(team=arm_team)
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(episode_id="E00000000")
    assert Referral.objects.get(pk=referral.pk).episode_id == referral.episode_id


def test_saving_a_referral_keeps_its_episode_id(arm_team):
    referral = ReferralFactory(team=arm_team)
    referral.reason = "Changed reason"
    referral.save()
    assert Referral.objects.get(pk=referral.pk).episode_id == referral.episode_id


def test_two_referrals_cannot_share_an_episode_id(arm_team):
    first = ReferralFactory(team=arm_team)
    second = ReferralFactory.build(team=arm_team, person=first.person)
    second.episode_id = first.episode_id
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
