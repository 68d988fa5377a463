"""The 15 required DQ items of an open episode, as at E (domain.md sections 6 and 6b)."""

from datetime import date, timedelta

import pytest

from assessment.factories import CompleteAssessmentFactory
from core.models import DischargeReason, Ethnicity
from harm_reduction.models import HepBCourse
from referrals.factories import EpisodeFactory
from reporting import dq

E = date(2026, 11, 30)


def complete_episode(**person):
    person = {"ethnicity": Ethnicity.objects.get(code="A"), "consent_asked_on": E - timedelta(days=65), **person}
    episode = EpisodeFactory(
        opened_on=E - timedelta(days=60),
        referral__received_on=E - timedelta(days=65),
        **{f"referral__person__{name}": value for name, value in person.items()},
    )
    CompleteAssessmentFactory(episode=episode, started_on=E - timedelta(days=50), completed_on=E - timedelta(days=40))
    return episode


def row(episode, as_of=E):
    return dq.with_items(type(episode).objects.filter(pk=episode.pk), as_of).get()


def test_an_episode_with_every_item_recorded_fills_all_15(db):
    assert row(complete_episode()).dq_filled == dq.REQUIRED_ITEMS == 15


def test_postcode_or_local_authority_is_one_item(db):
    assert row(complete_episode(postcode="")).dq_filled == 15
    found = row(complete_episode(postcode="", local_authority=""))
    assert (found.dq_filled, [item.code for item in dq.missing(found)]) == (14, ["PC or LA"])


def test_consent_is_filled_once_asked_on_or_before_e(db):
    episode = complete_episode(consent_asked_on=E + timedelta(days=1))
    assert [item.code for item in dq.missing(row(episode))] == ["CONSENT"]
    assert row(episode, as_of=E + timedelta(days=1)).dq_filled == 15


def test_an_assessment_completed_after_e_leaves_its_six_items_missing(db):
    episode = complete_episode()
    episode.assessments.update(completed_on=E + timedelta(days=1))
    assert [item.code for item in dq.missing(row(episode))] == [
        "DRUG1",
        "ROUTE",
        "INJSTAT",
        "ACCMNEED",
        "EMPSTAT",
        "PRNTSTAT",
    ]


@pytest.mark.parametrize(("answered_on", "filled"), [(None, False), (E, True), (E + timedelta(days=1), False)])
def test_hepatitis_b_offered_and_unanswered_by_e_is_missing(db, data_admin, answered_on, filled):
    episode = complete_episode()
    HepBCourse.objects.create(
        person=episode.person,
        offered_on=E - timedelta(days=10),
        offer="accepted" if answered_on else "offered",
        outcome_on=answered_on,
        recorded_by=data_admin,
    )
    assert row(episode).dq_HEPBSTAT is filled


def test_figure_counts_only_episodes_open_at_e(db):
    complete_episode(ethnicity=None)
    discharged = complete_episode()
    discharged.discharged_on = E - timedelta(days=1)
    discharged.discharge_reason = DischargeReason.objects.first()
    discharged.save()
    assert dq.figure(type(discharged).objects.all(), E) == (14, 15)
