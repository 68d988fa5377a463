"""The person's harm reduction page and its hepatitis B and test forms: rules, messages on the named field,
stale edits, permissions by persona and audit rows."""

from datetime import timedelta

import pytest
from django.urls import reverse

from core.choices import AuditAction
from core.models import AuditEvent
from harm_reduction import services
from harm_reduction.choices import BbvResult, BbvTestKind, HepBOffer, VaccinationSchedule
from harm_reduction.models import BbvTest, HepBCourse, HepBDose
from referrals.choices import TaskKind
from referrals.models import Task

STALE = "Someone else saved this"


def errors(response):
    return response.context["form"].errors


@pytest.fixture
def person(hr_episode):
    return hr_episode.person


@pytest.fixture
def offered(worker, person, today):
    return services.record_hep_b_offer(
        actor=worker, person=person, offer=HepBOffer.OFFERED, offered_on=today - timedelta(days=30)
    )


@pytest.fixture
def accepted(worker, person, today):
    return services.record_hep_b_offer(
        actor=worker,
        person=person,
        offer=HepBOffer.ACCEPTED,
        offered_on=today - timedelta(days=60),
        schedule=VaccinationSchedule.STANDARD,
    )


def test_person_page_by_persona_and_audited(
    client, worker, data_admin, keyworker, unrelated, commissioner, person, today
):
    services.record_hep_b_offer(actor=worker, person=person, offer=HepBOffer.REFUSED, offered_on=today)
    url = reverse("harm_reduction:person-bbv", args=[person.pk])
    for user, status in ((worker, 200), (data_admin, 200), (keyworker, 200), (unrelated, 404), (commissioner, 404)):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status, user
        if status == 200:
            assert "Refused" in response.content.decode()
            event = AuditEvent.objects.filter(actor=user, action=AuditAction.VIEW, object_type="referrals.Person")
            assert event.filter(object_id=str(person.pk), details__page="harm reduction").exists()
    # Only workers and data admins get the recording links.
    client.force_login(keyworker)
    assert "Offer hepatitis B vaccination" not in client.get(url).content.decode()
    client.force_login(worker)
    assert "Offer hepatitis B vaccination" in client.get(url).content.decode()


@pytest.mark.parametrize("name", ["hep-b-new", "bbv-test-new"], ids=["hepatitis B offer", "test offer"])
def test_recording_forms_are_for_workers_only(client, keyworker, unrelated, commissioner, data_admin, person, name):
    url = reverse(f"harm_reduction:{name}", args=[person.pk])
    for user, status in ((keyworker, 403), (unrelated, 403), (commissioner, 403), (data_admin, 200)):
        client.force_login(user)
        assert client.get(url).status_code == status
        assert client.post(url, {}).status_code in (status, 200)
    assert not HepBCourse.objects.exists()
    assert not BbvTest.objects.exists()


def test_hep_b_offer_accepted_needs_a_schedule(client, worker, person, parts, today):
    client.force_login(worker)
    url = reverse("harm_reduction:hep-b-new", args=[person.pk])
    body = {"offer": HepBOffer.ACCEPTED, **parts("offered_on", today)}
    response = client.post(url, body)
    assert response.status_code == 200
    assert errors(response)["schedule"] == ["Choose the accelerated or the standard schedule."]
    assert "There is a problem" in response.content.decode()
    response = client.post(url, {**body, "schedule": VaccinationSchedule.ACCELERATED})
    assert response.status_code == 302
    course = HepBCourse.objects.get()
    assert (course.offer, course.schedule, course.outcome_on) == (HepBOffer.ACCEPTED, "accelerated", today)


def test_hep_b_offer_in_the_future_is_refused(client, worker, person, parts, today):
    client.force_login(worker)
    url = reverse("harm_reduction:hep-b-new", args=[person.pk])
    response = client.post(url, {"offer": HepBOffer.OFFERED, **parts("offered_on", today + timedelta(days=1))})
    assert errors(response)["offered_on"] == ["The offer date cannot be in the future."]


def test_answer_to_an_offer_is_dated_and_refused_when_stale(client, worker, person, offered, parts, today):
    client.force_login(worker)
    url = reverse("harm_reduction:hep-b-answer", args=[offered.pk])
    body = {"version": offered.version, "offer": HepBOffer.REFUSED, **parts("outcome_on", today - timedelta(days=31))}
    response = client.post(url, body)
    assert errors(response)["outcome_on"] == ["The answer cannot come before the offer was made."]
    response = client.post(url, {**body, **parts("outcome_on", today - timedelta(days=2))})
    assert response.status_code == 302
    offered.refresh_from_db()
    assert (offered.offer, offered.outcome_on) == (HepBOffer.REFUSED, today - timedelta(days=2))
    # A second answer from a page opened before the first was saved changes nothing.
    response = client.post(
        url, {**body, "offer": HepBOffer.ACCEPTED, "schedule": "standard", **parts("outcome_on", today)}
    )
    assert response.status_code == 200
    assert STALE in response.content.decode()
    offered.refresh_from_db()
    assert offered.offer == HepBOffer.REFUSED
    # With the current version, an answered offer is still not answered again.
    response = client.post(url, {**body, "version": offered.version, **parts("outcome_on", today)})
    assert "already answered" in errors(response)["offer"][0]


def test_answer_says_which_kind_of_immunity(client, worker, person, offered, parts, today):
    client.force_login(worker)
    url = reverse("harm_reduction:hep-b-answer", args=[offered.pk])
    page = client.get(url).content.decode()
    assert "Not appropriate: already immunised (vaccinated before)" in page
    assert "Not appropriate: immune after infection" in page
    body = {"version": offered.version, "offer": HepBOffer.ACQUIRED_IMMUNITY, **parts("outcome_on", today)}
    assert client.post(url, body).status_code == 302
    offered.refresh_from_db()
    assert (offered.offer, offered.outcome_on, offered.schedule) == (HepBOffer.ACQUIRED_IMMUNITY, today, "")
    assert (
        "Not appropriate: immune after infection"
        in client.get(reverse("harm_reduction:person-bbv", args=[person.pk])).content.decode()
    )


def test_doses_in_order_then_course_complete(client, worker, person, accepted, parts, today):
    client.force_login(worker)
    url = reverse("harm_reduction:hep-b-dose", args=[accepted.pk])
    first = today - timedelta(days=200)
    response = client.post(url, {"version": accepted.version, "dose_number": 2, **parts("given_on", first)})
    assert errors(response)["dose_number"] == ["The next dose in this course is dose 1."]
    assert (
        client.post(url, {"version": accepted.version, "dose_number": 1, **parts("given_on", first)}).status_code == 302
    )
    accepted.refresh_from_db()
    page = client.get(reverse("harm_reduction:person-bbv", args=[person.pk])).content.decode()
    assert f"Next dose due {accepted.next_dose_due:%-d %B %Y}" in page
    response = client.post(
        url, {"version": accepted.version, "dose_number": 2, **parts("given_on", first - timedelta(days=1))}
    )
    assert errors(response)["given_on"][0].startswith("Dose 2 cannot be before dose 1")
    for number, days in ((2, 170), (3, 20)):
        accepted.refresh_from_db()
        body = {"version": accepted.version, "dose_number": number, **parts("given_on", today - timedelta(days=days))}
        assert client.post(url, body).status_code == 302
    accepted.refresh_from_db()
    assert accepted.course_complete
    assert accepted.completed_on == today - timedelta(days=20)
    assert "Course complete" in client.get(reverse("harm_reduction:person-bbv", args=[person.pk])).content.decode()


def test_dose_from_a_stale_page_is_refused(client, worker, person, accepted, parts, today):
    client.force_login(worker)
    url = reverse("harm_reduction:hep-b-dose", args=[accepted.pk])
    stale = accepted.version
    services.record_hep_b_dose(actor=worker, course=accepted, dose_number=1, given_on=today - timedelta(days=40))
    response = client.post(url, {"version": stale, "dose_number": 2, **parts("given_on", today)})
    assert STALE in response.content.decode()
    assert HepBDose.objects.count() == 1


def test_dose_pages_are_for_workers(client, keyworker, unrelated, commissioner, accepted):
    url = reverse("harm_reduction:hep-b-dose", args=[accepted.pk])
    for user in (keyworker, unrelated, commissioner):
        client.force_login(user)
        assert client.get(url).status_code == 403


def test_test_offer_answer_result_and_referral(client, worker, person, parts, today):
    client.force_login(worker)
    response = client.post(
        reverse("harm_reduction:bbv-test-new", args=[person.pk]),
        {"kind": BbvTestKind.HEP_C_ANTIBODY, **parts("offered_on", today - timedelta(days=10)), "accepted": ""},
    )
    assert response.status_code == 302
    test = BbvTest.objects.get()
    assert test.accepted is None
    answer = reverse("harm_reduction:bbv-test-answer", args=[test.pk])
    assert errors(client.post(answer, {"version": test.version, **parts("answered_on", today)}))["accepted"]
    response = client.post(answer, {"version": test.version, "accepted": "yes", **parts("answered_on", today)})
    assert response.status_code == 302
    test.refresh_from_db()
    assert (test.accepted, test.answered_on) == (True, today)

    result = reverse("harm_reduction:bbv-test-result", args=[test.pk])
    body = {"version": test.version, "result": BbvResult.POSITIVE, **parts("result_on", today)}
    response = client.post(result, body)
    assert errors(response)["tested_on"] == ["A result needs a test: enter the date the test was taken."]
    response = client.post(result, {**body, **parts("tested_on", today - timedelta(days=2))})
    assert response.status_code == 302

    page = client.get(reverse("harm_reduction:person-bbv", args=[person.pk])).content.decode()
    assert "Positive" in page
    assert reverse("harm_reduction:bbv-test-refer", args=[test.pk]) in page
    refer = reverse("harm_reduction:bbv-test-refer", args=[test.pk])
    test.refresh_from_db()
    response = client.post(refer, {"version": test.version})
    assert errors(response)["referral_consent"] == ["Record the person's consent to the referral before referring."]
    assert not Task.objects.filter(kind=TaskKind.HEPATOLOGY_REFERRAL).exists()
    assert client.post(refer, {"version": test.version, "referral_consent": "on"}).status_code == 302
    task = Task.objects.get(kind=TaskKind.HEPATOLOGY_REFERRAL)
    assert task.person == person
    assert (
        "Referred with consent" in client.get(reverse("harm_reduction:person-bbv", args=[person.pk])).content.decode()
    )


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (-11, "The answer cannot come before the offer was made."),
        (1, "The date of the answer cannot be in the future."),
    ],
)
def test_answer_to_a_test_offer_is_dated_and_the_date_is_checked(client, worker, person, parts, today, days, message):
    test = services.record_bbv_offer(
        actor=worker, person=person, kind=BbvTestKind.HIV, offered_on=today - timedelta(days=10), accepted=None
    )
    client.force_login(worker)
    url = reverse("harm_reduction:bbv-test-answer", args=[test.pk])
    assert client.get(url).context["form"]["answered_on"].value() == today
    body = {"version": test.version, "accepted": "no"}
    response = client.post(url, {**body, **parts("answered_on", today + timedelta(days=days))})
    assert errors(response)["answered_on"] == [message]
    test.refresh_from_db()
    assert (test.accepted, test.answered_on) == (None, None)
    assert client.post(url, {**body, **parts("answered_on", today - timedelta(days=3))}).status_code == 302
    test.refresh_from_db()
    assert (test.accepted, test.answered_on) == (False, today - timedelta(days=3))
    page = client.get(reverse("harm_reduction:person-bbv", args=[person.pk])).content.decode()
    assert f"Refused {today - timedelta(days=3):%-d %B %Y}" in page


def test_result_of_a_refused_test_is_refused_on_the_result_field(client, worker, person, parts, today):
    test = services.record_bbv_offer(
        actor=worker, person=person, kind=BbvTestKind.HIV, offered_on=today, accepted=False
    )
    client.force_login(worker)
    response = client.post(
        reverse("harm_reduction:bbv-test-result", args=[test.pk]),
        {"version": test.version, "result": "negative", **parts("tested_on", today), **parts("result_on", today)},
    )
    assert errors(response)["result"] == ["A result needs a test: the test was not accepted."]


def test_result_from_a_stale_page_is_refused(client, worker, person, parts, today):
    test = services.record_bbv_offer(actor=worker, person=person, kind=BbvTestKind.HIV, offered_on=today, accepted=True)
    client.force_login(worker)
    body = {"version": test.version, "result": "negative", **parts("tested_on", today), **parts("result_on", today)}
    services.record_bbv_result(actor=worker, test=test, tested_on=today, result="positive", result_on=today)
    response = client.post(reverse("harm_reduction:bbv-test-result", args=[test.pk]), body)
    assert STALE in response.content.decode()
    test.refresh_from_db()
    assert test.result == "positive"


def test_test_pages_are_for_workers(client, worker, keyworker, unrelated, commissioner, person, today):
    test = services.record_bbv_offer(actor=worker, person=person, kind=BbvTestKind.HIV, offered_on=today, accepted=True)
    for name in ("bbv-test-answer", "bbv-test-result", "bbv-test-refer"):
        for user in (keyworker, unrelated, commissioner):
            client.force_login(user)
            assert client.get(reverse(f"harm_reduction:{name}", args=[test.pk])).status_code == 403


def test_person_page_runs_a_fixed_number_of_queries(
    client, worker, person, site, needle, male_attender_for, django_assert_max_num_queries, today
):
    attender = male_attender_for(person)
    client.force_login(worker)
    url = reverse("harm_reduction:person-bbv", args=[person.pk])

    def add(n):
        for i in range(n):
            services.record_nsp_visit(
                actor=worker, attender=attender, site=site, visited_on=today - timedelta(days=i), issues=[(needle, 2)]
            )
            course = services.record_hep_b_offer(
                actor=worker, person=person, offer=HepBOffer.ACCEPTED, offered_on=today, schedule="accelerated"
            )
            services.record_hep_b_dose(actor=worker, course=course, dose_number=1, given_on=today)
            services.record_bbv_offer(
                actor=worker, person=person, kind=BbvTestKind.HIV, offered_on=today, accepted=True
            )
            services.record_naloxone(
                actor=worker, person=person, supplied_on=today, form="nasal", recipient="person", training_given=True
            )

    add(3)
    with django_assert_max_num_queries(20) as small:
        assert client.get(url).context["visit_count"] == 3
    add(40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.context["visit_count"] == 43
    assert len(response.context["courses"]) == 43
