"""Tier 1/2 alcohol signposting only for adults whose only presenting substance is alcohol (SPEC 11, issue 11)."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils.html import escape
from rest_framework.test import APIClient

from core.choices import Role
from core.errors import DomainError
from core.models import Substance
from referrals.choices import ReferralStatus
from referrals.factories import ReferralFactory
from referrals.services.intake import referral_triage

pytestmark = pytest.mark.django_db
RECEIVED = date(2025, 3, 3)
TRIAGED = date(2025, 3, 6)
EIGHTEENTH_BIRTHDAY_ON_TRIAGE = date(2007, 3, 6)
NO_SUBSTANCE = (
    "Tier 1/2 signposting is for alcohol only, and no presenting substance is recorded: "
    "tick the substances the person uses, or choose another outcome."
)
UNDER_18 = (
    "This person is 17 on the triage date and the tier 1/2 alcohol service is for adults (18 and over): "
    "choose a brief intervention or accept them into treatment."
)


def substances(*codes):
    return [Substance.objects.get(code=code) for code in codes]


@pytest.fixture
def assessor(staff, arm_team):
    return staff(Role.ASSESSOR, team=arm_team)


@pytest.fixture
def make_referral(arm_team):
    def make(*codes, date_of_birth=date(1980, 5, 1)):
        referral = ReferralFactory(
            team=arm_team,
            received_on=RECEIVED,
            status=ReferralStatus.AWAITING_TRIAGE,
            person__date_of_birth=date_of_birth,
        )
        referral.presenting_substances.set(substances(*codes))
        return referral

    return make


def signpost(actor, referral, **fields):
    return referral_triage(
        actor=actor,
        referral=referral,
        outcome=ReferralStatus.SIGNPOSTED_TIER_1_2,
        triaged_on=TRIAGED,
        expected_version=referral.version,
        **fields,
    )


def test_an_alcohol_only_adult_is_signposted_on_their_eighteenth_birthday(assessor, make_referral):
    referral = make_referral("7000", date_of_birth=EIGHTEENTH_BIRTHDAY_ON_TRIAGE)
    signpost(assessor, referral)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SIGNPOSTED_TIER_1_2


def test_the_day_before_the_eighteenth_birthday_is_refused_on_the_outcome(assessor, make_referral):
    referral = make_referral("7000", date_of_birth=date(2007, 3, 7))
    with pytest.raises(DomainError) as error:
        signpost(assessor, referral)
    assert (error.value.field, error.value.message) == ("outcome", UNDER_18)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AWAITING_TRIAGE


def test_no_substance_recorded_is_refused_on_the_substances(assessor, make_referral):
    referral = make_referral()
    with pytest.raises(DomainError) as error:
        signpost(assessor, referral)
    assert (error.value.field, error.value.message) == ("presenting_substances", NO_SUBSTANCE)


@pytest.mark.parametrize(("codes", "named"), [(("7000", "3200"), "Cocaine"), (("1011",), "Heroin")])
def test_any_substance_besides_alcohol_is_refused_naming_it(assessor, make_referral, codes, named):
    referral = make_referral(*codes)
    with pytest.raises(DomainError) as error:
        signpost(assessor, referral)
    assert error.value.field == "presenting_substances"
    assert f"this person also uses {named}:" in error.value.message
    assert "Alcohol" not in error.value.message


def test_substances_found_at_triage_replace_the_referrals_and_are_judged(assessor, make_referral):
    referral = make_referral("1011")
    signpost(assessor, referral, presenting_substances=substances("7000"))
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SIGNPOSTED_TIER_1_2
    assert [s.code for s in referral.presenting_substances.all()] == ["7000"]
    drinking_and_cannabis = make_referral("7000")
    with pytest.raises(DomainError):
        signpost(assessor, drinking_and_cannabis, presenting_substances=substances("7000", "5000"))
    assert [s.code for s in drinking_and_cannabis.presenting_substances.all()] == ["7000"]


def test_other_outcomes_still_close_any_referral(assessor, make_referral):
    referral = make_referral("1011", date_of_birth=date(2010, 1, 1))
    referral_triage(
        actor=assessor,
        referral=referral,
        outcome=ReferralStatus.BRIEF_INTERVENTION,
        triaged_on=TRIAGED,
        expected_version=referral.version,
        advice_given="Safer use",
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.BRIEF_INTERVENTION


def _post_page(client, referral, **fields):
    return client.post(
        reverse("referrals:referral-triage", args=[referral.pk]),
        {
            "outcome": ReferralStatus.SIGNPOSTED_TIER_1_2,
            "triaged_on_day": TRIAGED.day,
            "triaged_on_month": TRIAGED.month,
            "triaged_on_year": TRIAGED.year,
            "version": referral.version,
            **fields,
        },
    )


def test_the_triage_page_shows_each_refusal_in_the_error_summary_against_its_field(client, assessor, make_referral):
    client.force_login(assessor)
    page = client.get(reverse("referrals:referral-triage", args=[make_referral("7000").pk])).content.decode()
    assert 'name="presenting_substances"' in page

    nothing = _post_page(client, make_referral())
    assert nothing.status_code == 200
    assert nothing.context["form"].errors["presenting_substances"] == [NO_SUBSTANCE]
    assert f'<a href="#id_presenting_substances_0">{escape(NO_SUBSTANCE)}</a>' in nothing.content.decode()

    child = make_referral("7000", date_of_birth=date(2007, 3, 7))
    young = _post_page(client, child, presenting_substances=[substances("7000")[0].pk])
    assert young.context["form"].errors["outcome"] == [UNDER_18]
    assert f'<a href="#id_outcome_0">{escape(UNDER_18)}</a>' in young.content.decode()

    adult = make_referral("7000", date_of_birth=EIGHTEENTH_BIRTHDAY_ON_TRIAGE)
    assert _post_page(client, adult, presenting_substances=[substances("7000")[0].pk]).status_code == 302


def test_the_api_answers_400_on_the_field_of_each_refusal(assessor, make_referral):
    client = APIClient()
    client.force_authenticate(assessor)

    def post(referral, **fields):
        return client.post(
            reverse("referral-triage", args=[referral.pk]),
            {"outcome": "signposted_tier_1_2", "triaged_on": TRIAGED, "version": referral.version, **fields},
            format="json",
        )

    assert post(make_referral()).json() == {"presenting_substances": [NO_SUBSTANCE]}
    mixed = post(make_referral("7000"), presenting_substances=[s.pk for s in substances("7000", "3201")])
    assert mixed.status_code == 400
    assert "this person also uses Crack" in mixed.json()["presenting_substances"][0]
    young = post(make_referral("7000", date_of_birth=date(2007, 3, 7)))
    assert (young.status_code, young.json()) == (400, {"outcome": [UNDER_18]})
    adult = post(make_referral("7000", date_of_birth=EIGHTEENTH_BIRTHDAY_ON_TRIAGE))
    assert adult.status_code == 200
    assert adult.json()["status"] == "signposted_tier_1_2"
