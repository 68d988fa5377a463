from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessment.factories import AssessmentFactory
from core.errors import DomainError
from core.models import InjectingStatus
from harm_reduction import services
from harm_reduction.choices import BbvResult, BbvTestKind, HepBOffer, OutreachSetting, VaccinationSchedule
from harm_reduction.models import BbvTest
from harm_reduction.selectors import doses_due_between, outreach_counts, people_due_hep_c_offer
from referrals.choices import TaskKind


def accepted_course(worker, person, schedule=VaccinationSchedule.ACCELERATED, offered_on=None):
    return services.record_hep_b_offer(
        actor=worker,
        person=person,
        offer=HepBOffer.ACCEPTED,
        offered_on=offered_on or timezone.localdate() - timedelta(days=60),
        schedule=schedule,
    )


def test_accelerated_schedule_is_0_7_21_days_and_booster_at_12_months(worker, episode):
    course = accepted_course(worker, episode.person)
    first = date(2026, 1, 5)
    services.record_hep_b_dose(actor=worker, course=course, dose_number=1, given_on=first)
    course.refresh_from_db()
    assert course.next_dose_due == date(2026, 1, 12)
    assert course.episode == episode
    services.record_hep_b_dose(actor=worker, course=course, dose_number=2, given_on=date(2026, 1, 12))
    course.refresh_from_db()
    assert course.next_dose_due == date(2026, 1, 26)
    services.record_hep_b_dose(actor=worker, course=course, dose_number=3, given_on=date(2026, 1, 26))
    course.refresh_from_db()
    assert (course.next_dose_due, course.course_complete) == (date(2027, 1, 5), False)


def test_standard_schedule_is_0_1_6_months_then_complete(worker, episode):
    course = accepted_course(worker, episode.person, VaccinationSchedule.STANDARD, offered_on=date(2025, 1, 1))
    services.record_hep_b_dose(actor=worker, course=course, dose_number=1, given_on=date(2025, 1, 31))
    course.refresh_from_db()
    assert course.next_dose_due == date(2025, 2, 28)
    services.record_hep_b_dose(actor=worker, course=course, dose_number=2, given_on=date(2025, 3, 3))
    course.refresh_from_db()
    assert course.next_dose_due == date(2025, 7, 31)
    services.record_hep_b_dose(actor=worker, course=course, dose_number=3, given_on=date(2025, 8, 1))
    course.refresh_from_db()
    assert course.course_complete
    assert course.next_dose_due is None
    with pytest.raises(DomainError, match="already complete"):
        services.record_hep_b_dose(actor=worker, course=course, dose_number=4, given_on=date(2025, 9, 1))


def test_accepted_vaccination_needs_a_schedule(worker, episode, today):
    with pytest.raises(DomainError) as error:
        services.record_hep_b_offer(actor=worker, person=episode.person, offer=HepBOffer.ACCEPTED, offered_on=today)
    assert error.value.field == "schedule"


def test_dose_before_the_previous_one_is_refused(worker, episode, today):
    course = accepted_course(worker, episode.person)
    services.record_hep_b_dose(actor=worker, course=course, dose_number=1, given_on=today - timedelta(days=10))
    with pytest.raises(DomainError) as error:
        services.record_hep_b_dose(actor=worker, course=course, dose_number=2, given_on=today - timedelta(days=11))
    assert error.value.field == "given_on"


def test_dose_number_out_of_order_is_refused(worker, episode, today):
    course = accepted_course(worker, episode.person)
    with pytest.raises(DomainError) as error:
        services.record_hep_b_dose(actor=worker, course=course, dose_number=2, given_on=today)
    assert error.value.field == "dose_number"
    assert "dose 1" in error.value.message


def test_refused_vaccination_takes_no_doses(worker, episode, today):
    course = services.record_hep_b_offer(actor=worker, person=episode.person, offer=HepBOffer.REFUSED, offered_on=today)
    with pytest.raises(DomainError):
        services.record_hep_b_dose(actor=worker, course=course, dose_number=1, given_on=today)


def test_doses_due_this_week(worker, episode, keyworker, commissioner, today):
    course = accepted_course(worker, episode.person)
    services.record_hep_b_dose(actor=worker, course=course, dose_number=1, given_on=today - timedelta(days=5))
    due = list(doses_due_between(user=worker, start=today, end=today + timedelta(days=6)))
    assert [c.pk for c in due] == [course.pk]
    assert due[0].doses_given == 1
    assert doses_due_between(user=keyworker, start=today, end=today + timedelta(days=6)).count() == 1
    assert doses_due_between(user=commissioner, start=today, end=today + timedelta(days=6)).count() == 0


def test_result_without_a_test_is_refused(worker, episode, today):
    test = services.record_bbv_offer(
        actor=worker, person=episode.person, kind=BbvTestKind.HEP_C_ANTIBODY, offered_on=today, accepted=True
    )
    with pytest.raises(DomainError) as error:
        services.record_bbv_result(actor=worker, test=test, tested_on=None, result=BbvResult.NEGATIVE, result_on=today)
    assert error.value.field == "tested_on"
    refused = services.record_bbv_offer(
        actor=worker, person=episode.person, kind=BbvTestKind.HIV, offered_on=today, accepted=False
    )
    with pytest.raises(DomainError) as error:
        services.record_bbv_result(
            actor=worker, test=refused, tested_on=today, result=BbvResult.NEGATIVE, result_on=today
        )
    assert error.value.field == "result"


def positive(worker, person, kind):
    today = timezone.localdate()
    test = services.record_bbv_offer(actor=worker, person=person, kind=kind, offered_on=today, accepted=True)
    return services.record_bbv_result(
        actor=worker, test=test, tested_on=today, result=BbvResult.POSITIVE, result_on=today
    )


def test_positive_hep_c_result_becomes_a_hepatology_referral_with_consent(worker, episode):
    test = positive(worker, episode.person, BbvTestKind.HEP_C_PCR)
    task = services.refer_positive_result(actor=worker, test=test, consent=True)
    assert task.kind == TaskKind.HEPATOLOGY_REFERRAL
    assert task.person == episode.person
    test.refresh_from_db()
    assert test.referral_task == task
    assert test.referral_consent is True
    assert services.refer_positive_result(actor=worker, test=test, consent=True) == task


def test_positive_hiv_result_becomes_an_hiv_referral(worker, episode):
    task = services.refer_positive_result(
        actor=worker, test=positive(worker, episode.person, BbvTestKind.HIV), consent=True
    )
    assert task.kind == TaskKind.HIV_REFERRAL


@pytest.mark.parametrize("consent", [None, False])
def test_referral_without_consent_is_refused(worker, episode, consent):
    test = positive(worker, episode.person, BbvTestKind.HEP_C_ANTIBODY)
    with pytest.raises(DomainError) as error:
        services.refer_positive_result(actor=worker, test=test, consent=consent)
    assert error.value.field == "referral_consent"
    assert BbvTest.objects.get(pk=test.pk).referral_task is None


def test_naloxone_supply_to_a_hostel_with_training(worker, episode, today):
    supply = services.record_naloxone(
        actor=worker, person=episode.person, supplied_on=today, form="nasal", recipient="hostel", training_given=True
    )
    assert supply.training_given
    assert supply.get_recipient_display() == "A hostel"
    with pytest.raises(DomainError) as error:
        services.record_naloxone(actor=worker, supplied_on=today, form="nasal", recipient="person", training_given=True)
    assert error.value.field == "person"


def test_outreach_counts_by_setting_including_people_not_in_treatment(worker, episode, today):
    services.record_outreach(actor=worker, setting=OutreachSetting.STREET, contacted_on=today, description="Man, 40s")
    services.record_outreach(actor=worker, setting=OutreachSetting.STREET, contacted_on=today, person=episode.person)
    services.record_outreach(actor=worker, setting=OutreachSetting.CUSTODY, contacted_on=today, description="Cell 4")
    services.record_outreach(
        actor=worker, setting=OutreachSetting.HOSTEL, contacted_on=today - timedelta(days=40), description="Old"
    )
    counts = outreach_counts(start=today - timedelta(days=30), end=today)
    assert counts == {
        "street": {"contacts": 2, "not_in_treatment": 1},
        "custody": {"contacts": 1, "not_in_treatment": 1},
    }
    with pytest.raises(DomainError) as error:
        services.record_outreach(actor=worker, setting=OutreachSetting.STREET, contacted_on=today)
    assert error.value.field == "description"


def test_hep_c_test_is_due_for_everyone_who_has_ever_injected(worker, hr_episode, male_attender_for, today):
    person = hr_episode.person
    assert list(people_due_hep_c_offer(user=worker)) == []
    male_attender_for(person)
    assert list(people_due_hep_c_offer(user=worker)) == [person]
    services.record_bbv_offer(
        actor=worker, person=person, kind=BbvTestKind.HEP_C_ANTIBODY, offered_on=today, accepted=False
    )
    assert list(people_due_hep_c_offer(user=worker)) == []


def test_hep_c_test_is_due_when_the_assessment_says_previously_injected(worker, hr_episode):
    AssessmentFactory(episode=hr_episode, injecting_status=InjectingStatus.objects.get(code="P"))
    assert list(people_due_hep_c_offer(user=worker)) == [hr_episode.person]


def test_hep_c_test_is_due_once_however_many_reasons_and_never_for_someone_who_never_injected(
    worker, hr_episode, male_attender_for, today
):
    def assessed(code, completed_on=None):
        status = InjectingStatus.objects.get(code=code)
        AssessmentFactory(episode=hr_episode, injecting_status=status, completed_on=completed_on)

    assessed("N", completed_on=today - timedelta(days=60))
    assert list(people_due_hep_c_offer(user=worker)) == []
    assessed("C", completed_on=today - timedelta(days=30))
    assessed("P")
    male_attender_for(hr_episode.person)
    assert list(people_due_hep_c_offer(user=worker)) == [hr_episode.person]


def test_a_test_offer_answered_at_once_is_dated_the_offer_unless_given(worker, episode, today):
    offered_on = today - timedelta(days=5)
    test = services.record_bbv_offer(
        actor=worker, person=episode.person, kind=BbvTestKind.HIV, offered_on=offered_on, accepted=False
    )
    assert test.answered_on == offered_on
    later = services.record_bbv_offer(
        actor=worker,
        person=episode.person,
        kind=BbvTestKind.HIV,
        offered_on=offered_on,
        accepted=True,
        answered_on=today,
    )
    assert later.answered_on == today
    waiting = services.record_bbv_offer(
        actor=worker, person=episode.person, kind=BbvTestKind.HIV, offered_on=offered_on, accepted=None
    )
    assert waiting.answered_on is None


@pytest.mark.parametrize(
    ("days", "message"),
    [(-6, "The answer cannot come before the offer was made."), (1, "The date of the answer cannot be in the future.")],
)
def test_an_answer_before_the_offer_or_in_the_future_is_refused(worker, episode, today, days, message):
    offered_on = today - timedelta(days=5)
    with pytest.raises(DomainError) as error:
        services.record_bbv_offer(
            actor=worker,
            person=episode.person,
            kind=BbvTestKind.HEP_C_ANTIBODY,
            offered_on=offered_on,
            accepted=True,
            answered_on=today + timedelta(days=days),
        )
    assert (error.value.field, str(error.value)) == ("answered_on", message)
    assert not BbvTest.objects.exists()
    waiting = services.record_bbv_offer(
        actor=worker, person=episode.person, kind=BbvTestKind.HEP_C_ANTIBODY, offered_on=offered_on, accepted=None
    )
    with pytest.raises(DomainError) as error:
        services.record_bbv_answer(
            actor=worker,
            test=waiting,
            accepted=False,
            answered_on=today + timedelta(days=days),
            expected_version=waiting.version,
        )
    assert (error.value.field, str(error.value)) == ("answered_on", message)
    waiting.refresh_from_db()
    assert (waiting.accepted, waiting.answered_on, waiting.version) == (None, None, 1)


@pytest.mark.parametrize(
    ("accepted", "answered_on"),
    [(True, None), (None, date(2026, 3, 2)), (False, date(2026, 2, 28))],
)
def test_the_database_keeps_the_answer_and_its_date_together(worker, episode, accepted, answered_on):
    # Rows written around the services (imports, the demo's bulk_create) cannot break the rule either.
    with pytest.raises(IntegrityError), transaction.atomic():
        BbvTest.objects.create(
            person=episode.person,
            kind=BbvTestKind.HIV,
            offered_on=date(2026, 3, 1),
            accepted=accepted,
            answered_on=answered_on,
            recorded_by=worker,
        )
