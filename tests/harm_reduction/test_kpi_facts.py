"""HBO, HBR, HBC, HB1 and HCV (domain.md 5) from recorded dates: what was true by the period end, never later."""

from datetime import date

import pytest

from assessment.factories import AssessmentFactory
from core.models import InjectingStatus
from harm_reduction import services
from harm_reduction.choices import HEP_B_IMMUNE, BbvTestKind, HepBOffer, VaccinationSchedule
from harm_reduction.models import HepBCourse
from harm_reduction.selectors import episode_hep_kpi_facts
from referrals.factories import EpisodeFactory

MARCH_END = date(2026, 3, 31)
JUNE_END = date(2026, 6, 30)


@pytest.fixture
def course(worker, episode):
    return services.record_hep_b_offer(
        actor=worker, person=episode.person, offer=HepBOffer.OFFERED, offered_on=date(2026, 3, 10)
    )


def test_answer_counts_from_its_own_date(worker, episode, course):
    services.record_hep_b_outcome(
        actor=worker,
        course=course,
        offer=HepBOffer.REFUSED,
        outcome_on=date(2026, 4, 2),
        expected_version=course.version,
    )
    march = episode_hep_kpi_facts([episode.pk], period_end=MARCH_END)[episode.pk]
    assert march["hep_b_offered"] is True  # HBO: offered by the period end
    assert march["hep_b_refused"] is False  # HBR: refused in April, not yet in March
    june = episode_hep_kpi_facts([episode.pk], period_end=JUNE_END)[episode.pk]
    assert june["hep_b_refused"] is True
    assert episode_hep_kpi_facts([episode.pk], period_end=date(2026, 3, 9))[episode.pk]["hep_b_offered"] is False


def test_first_dose_and_completion_by_the_period_end(worker, episode, course):
    services.record_hep_b_outcome(
        actor=worker,
        course=course,
        offer=HepBOffer.ACCEPTED,
        schedule=VaccinationSchedule.STANDARD,
        outcome_on=date(2026, 3, 10),
        expected_version=course.version,
    )
    for number, given in ((1, date(2026, 3, 10)), (2, date(2026, 4, 10)), (3, date(2026, 9, 10))):
        services.record_hep_b_dose(actor=worker, course=course, dose_number=number, given_on=given)
    course.refresh_from_db()
    assert course.completed_on == date(2026, 9, 10)
    march = episode_hep_kpi_facts([episode.pk], period_end=MARCH_END)[episode.pk]
    assert (march["hep_b_accepted"], march["first_dose_on"], march["completed_on"]) == (True, date(2026, 3, 10), None)
    september = episode_hep_kpi_facts([episode.pk], period_end=date(2026, 9, 30))[episode.pk]
    assert september["completed_on"] == date(2026, 9, 10)  # HBC
    assert episode_hep_kpi_facts([episode.pk], period_end=date(2026, 3, 9))[episode.pk]["first_dose_on"] is None


@pytest.mark.parametrize("immune", HEP_B_IMMUNE)
def test_already_immune_either_way_leaves_the_hbo_population(worker, episode, immune):
    services.record_hep_b_offer(actor=worker, person=episode.person, offer=immune, offered_on=date(2026, 2, 1))
    facts = episode_hep_kpi_facts([episode.pk], period_end=MARCH_END)[episode.pk]
    assert (facts["already_immune"], facts["hep_b_refused"], facts["hep_b_accepted"]) == (True, False, False)
    assert HepBCourse.objects.get().outcome_on == date(2026, 2, 1)
    assert episode_hep_kpi_facts([episode.pk], period_end=date(2026, 1, 31))[episode.pk]["already_immune"] is False


def test_injector_and_hep_c_offer(worker, episode):
    current = InjectingStatus.objects.get(code="C")
    AssessmentFactory(episode=episode, started_on=date(2026, 3, 1), injecting_status=current)
    facts = episode_hep_kpi_facts([episode.pk], period_end=MARCH_END)[episode.pk]
    assert (facts["injector"], facts["hep_c_offered"]) == (True, False)
    assert episode_hep_kpi_facts([episode.pk], period_end=date(2026, 2, 28))[episode.pk]["injector"] is False
    services.record_bbv_offer(
        actor=worker, person=episode.person, kind=BbvTestKind.HEP_C_ANTIBODY, offered_on=date(2026, 4, 1), accepted=None
    )
    assert episode_hep_kpi_facts([episode.pk], period_end=MARCH_END)[episode.pk]["hep_c_offered"] is False
    assert episode_hep_kpi_facts([episode.pk], period_end=JUNE_END)[episode.pk]["hep_c_offered"] is True


@pytest.mark.parametrize("accepted", [True, False, None])
def test_hcv_counts_the_offer_whatever_the_answer_and_whenever_it_comes(worker, episode, accepted):
    # HCV (domain.md 5) counts a hepatitis C test offered, so an offer refused, or answered only after the period
    # end, still counts from its own date.
    test = services.record_bbv_offer(
        actor=worker,
        person=episode.person,
        kind=BbvTestKind.HEP_C_ANTIBODY,
        offered_on=date(2026, 3, 20),
        accepted=None,
    )
    if accepted is not None:
        services.record_bbv_answer(
            actor=worker, test=test, accepted=accepted, answered_on=date(2026, 4, 2), expected_version=test.version
        )
    assert episode_hep_kpi_facts([episode.pk], period_end=MARCH_END)[episode.pk]["hep_c_offered"] is True
    assert episode_hep_kpi_facts([episode.pk], period_end=date(2026, 3, 19))[episode.pk]["hep_c_offered"] is False


def test_facts_take_four_queries_for_many_episodes(worker, episode, django_assert_num_queries):
    episodes = [episode, *EpisodeFactory.create_batch(6)]
    for other in episodes:
        services.record_hep_b_offer(actor=worker, person=other.person, offer=HepBOffer.OFFERED, offered_on=MARCH_END)
    with django_assert_num_queries(4):
        facts = episode_hep_kpi_facts([e.pk for e in episodes], period_end=MARCH_END)
    assert all(f["hep_b_offered"] for f in facts.values())
    assert len(facts) == 7
