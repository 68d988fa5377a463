"""HEPBSTAT, HEPBVAC, HEPCSTAT and HEPCTSTD (domain.md 4a and 6) as the return for a period sends them: only what
was recorded as happening by the period end (or the episode's end), so a past month's return is the same whenever
it is re-run (6a), however much is recorded afterwards."""

from datetime import date, timedelta

import pytest

from core.models import DischargeReason
from harm_reduction import services
from harm_reduction.choices import BbvResult, BbvTestKind, HepBOffer, VaccinationSchedule
from harm_reduction.selectors import episode_bbv_fields
from referrals.factories import EpisodeFactory, PersonFactory
from referrals.models import Episode

MARCH_END = date(2026, 3, 31)
APRIL_END = date(2026, 4, 30)


def fields(episode, as_of):
    return episode_bbv_fields([episode.pk], as_of=as_of)[episode.pk]


def test_fields_for_several_episodes_in_one_query(worker, episode, django_assert_num_queries, today):
    other = PersonFactory()
    course = services.record_hep_b_offer(
        actor=worker,
        person=episode.person,
        offer=HepBOffer.ACCEPTED,
        offered_on=today - timedelta(days=60),
        schedule=VaccinationSchedule.ACCELERATED,
    )
    services.record_hep_b_dose(actor=worker, course=course, dose_number=1, given_on=today - timedelta(days=30))
    services.record_hep_b_dose(actor=worker, course=course, dose_number=2, given_on=today - timedelta(days=20))
    test = services.record_bbv_offer(
        actor=worker, person=episode.person, kind=BbvTestKind.HEP_C_ANTIBODY, offered_on=today, accepted=True
    )
    services.record_bbv_result(actor=worker, test=test, tested_on=today, result=BbvResult.NEGATIVE, result_on=today)
    services.record_hep_b_offer(actor=worker, person=other, offer=HepBOffer.REFUSED, offered_on=today)
    services.record_bbv_offer(
        actor=worker, person=other, kind=BbvTestKind.HEP_C_ANTIBODY, offered_on=today, accepted=False
    )
    other_episode = EpisodeFactory(person=other, referral__person=other)
    bare_episode = EpisodeFactory()

    with django_assert_num_queries(1):
        result = episode_bbv_fields([episode.pk, other_episode.pk, bare_episode.pk], as_of=today)
    assert result[episode.pk] == {"HEPBSTAT": "A", "HEPBVAC": "2", "HEPCSTAT": "A", "HEPCTSTD": "Y"}
    assert result[other_episode.pk] == {"HEPBSTAT": "B", "HEPBVAC": None, "HEPCSTAT": "B", "HEPCTSTD": "N"}
    assert result[bare_episode.pk] == {"HEPBSTAT": "D", "HEPBVAC": None, "HEPCSTAT": "D", "HEPCTSTD": "N"}
    services.record_hep_b_dose(actor=worker, course=course, dose_number=3, given_on=today - timedelta(days=10))
    services.record_hep_b_dose(actor=worker, course=course, dose_number=4, given_on=today)
    assert fields(episode, today)["HEPBVAC"] == "C"


@pytest.mark.parametrize(("offer", "code"), [(HepBOffer.ALREADY_IMMUNISED, "C"), (HepBOffer.ACQUIRED_IMMUNITY, "E")])
def test_already_immunised_is_c_and_immune_after_infection_is_e(worker, episode, offer, code):
    services.record_hep_b_offer(actor=worker, person=episode.person, offer=offer, offered_on=date(2026, 3, 2))
    assert fields(episode, MARCH_END) == {"HEPBSTAT": code, "HEPBVAC": None, "HEPCSTAT": "D", "HEPCTSTD": "N"}
    assert fields(episode, date(2026, 3, 1))["HEPBSTAT"] == "D"


def test_doses_and_completion_after_the_period_end_leave_it_unchanged(worker, episode):
    course = services.record_hep_b_offer(
        actor=worker,
        person=episode.person,
        offer=HepBOffer.ACCEPTED,
        offered_on=date(2026, 3, 2),
        schedule=VaccinationSchedule.STANDARD,
    )
    services.record_hep_b_dose(actor=worker, course=course, dose_number=1, given_on=date(2026, 3, 5))
    march = fields(episode, MARCH_END)
    assert (march["HEPBSTAT"], march["HEPBVAC"]) == ("A", "1")

    services.record_hep_b_dose(actor=worker, course=course, dose_number=2, given_on=date(2026, 4, 6))
    services.record_hep_b_dose(actor=worker, course=course, dose_number=3, given_on=date(2026, 9, 7))
    course.refresh_from_db()
    assert course.course_complete
    assert fields(episode, MARCH_END) == march
    assert fields(episode, APRIL_END)["HEPBVAC"] == "2"
    assert fields(episode, date(2026, 8, 31))["HEPBVAC"] == "2"  # complete in September, not before
    assert fields(episode, date(2026, 9, 30))["HEPBVAC"] == "C"


def test_a_refusal_after_the_period_end_leaves_it_unchanged(worker, episode):
    services.record_hep_b_offer(
        actor=worker,
        person=episode.person,
        offer=HepBOffer.ACCEPTED,
        offered_on=date(2026, 1, 12),
        schedule=VaccinationSchedule.ACCELERATED,
    )
    waiting = services.record_hep_b_offer(
        actor=worker, person=episode.person, offer=HepBOffer.OFFERED, offered_on=date(2026, 3, 20)
    )
    march = fields(episode, MARCH_END)
    assert march["HEPBSTAT"] == "A"  # the March offer was still waiting: the January answer stands

    services.record_hep_b_outcome(
        actor=worker,
        course=waiting,
        offer=HepBOffer.REFUSED,
        outcome_on=date(2026, 4, 2),
        expected_version=waiting.version,
    )
    assert fields(episode, MARCH_END) == march
    assert fields(episode, APRIL_END)["HEPBSTAT"] == "B"


def test_a_test_after_the_period_end_leaves_it_unchanged(worker, episode):
    march = fields(episode, MARCH_END)
    assert (march["HEPCSTAT"], march["HEPCTSTD"]) == ("D", "N")

    test = services.record_bbv_offer(
        actor=worker, person=episode.person, kind=BbvTestKind.HEP_C_PCR, offered_on=date(2026, 4, 1), accepted=True
    )
    services.record_bbv_result(
        actor=worker, test=test, tested_on=date(2026, 4, 1), result=BbvResult.NEGATIVE, result_on=date(2026, 4, 9)
    )
    assert fields(episode, MARCH_END) == march
    assert (fields(episode, APRIL_END)["HEPCSTAT"], fields(episode, APRIL_END)["HEPCTSTD"]) == ("A", "Y")


def test_a_hep_c_answer_after_the_period_end_leaves_it_unchanged(worker, episode):
    services.record_bbv_offer(
        actor=worker,
        person=episode.person,
        kind=BbvTestKind.HEP_C_ANTIBODY,
        offered_on=date(2026, 1, 12),
        accepted=False,
    )
    waiting = services.record_bbv_offer(
        actor=worker, person=episode.person, kind=BbvTestKind.HEP_C_PCR, offered_on=date(2026, 3, 20), accepted=None
    )
    march = fields(episode, MARCH_END)
    assert march["HEPCSTAT"] == "B"  # the March offer was still waiting: the January refusal stands

    services.record_bbv_answer(
        actor=worker, test=waiting, accepted=True, answered_on=date(2026, 4, 2), expected_version=waiting.version
    )
    assert fields(episode, MARCH_END) == march
    assert fields(episode, APRIL_END)["HEPCSTAT"] == "A"


@pytest.mark.parametrize("accepted", [True, False])
def test_a_first_hep_c_offer_waiting_at_the_period_end_has_nothing_to_report_whatever_the_later_answer(
    worker, episode, accepted
):
    # Offered in March, answered in April: March's return sends neither D (it was offered) nor the April answer.
    services.record_bbv_offer(
        actor=worker,
        person=episode.person,
        kind=BbvTestKind.HEP_C_ANTIBODY,
        offered_on=date(2026, 3, 30),
        accepted=accepted,
        answered_on=date(2026, 4, 1),
    )
    assert fields(episode, MARCH_END)["HEPCSTAT"] is None
    assert fields(episode, APRIL_END)["HEPCSTAT"] == ("A" if accepted else "B")


def test_taken_after_the_period_end_an_earlier_test_is_not_yet_tested(worker, episode):
    test = services.record_bbv_offer(
        actor=worker,
        person=episode.person,
        kind=BbvTestKind.HEP_C_ANTIBODY,
        offered_on=date(2026, 3, 24),
        accepted=True,
    )
    services.record_bbv_result(
        actor=worker, test=test, tested_on=date(2026, 4, 3), result=BbvResult.NEGATIVE, result_on=date(2026, 4, 10)
    )
    assert (fields(episode, MARCH_END)["HEPCSTAT"], fields(episode, MARCH_END)["HEPCTSTD"]) == ("A", "N")
    assert fields(episode, APRIL_END)["HEPCTSTD"] == "Y"


def test_a_discharged_episode_is_sent_as_it_stood_when_it_ended(worker, episode):
    Episode.objects.filter(pk=episode.pk).update(
        opened_on=date(2026, 1, 5), discharged_on=date(2026, 3, 20), discharge_reason=DischargeReason.objects.first()
    )
    test = services.record_bbv_offer(
        actor=worker,
        person=episode.person,
        kind=BbvTestKind.HEP_C_ANTIBODY,
        offered_on=date(2026, 3, 10),
        accepted=True,
    )
    services.record_bbv_result(
        actor=worker, test=test, tested_on=date(2026, 3, 25), result=BbvResult.NEGATIVE, result_on=date(2026, 3, 30)
    )
    services.record_hep_b_offer(
        actor=worker, person=episode.person, offer=HepBOffer.REFUSED, offered_on=date(2026, 3, 21)
    )
    assert fields(episode, MARCH_END) == {"HEPBSTAT": "D", "HEPBVAC": None, "HEPCSTAT": "A", "HEPCTSTD": "N"}
    assert fields(episode, APRIL_END) == fields(episode, MARCH_END)
