from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import Role
from core.models import Sex
from core.pagination import PAGE_SIZE
from harm_reduction import services
from harm_reduction.choices import BbvTestKind, HepBOffer, VaccinationSchedule
from harm_reduction.models import NspVisit
from referrals.factories import PersonFactory


@pytest.fixture
def male(db):
    return Sex.objects.get(code="M")


def date_parts(name, value):
    return {f"{name}_day": value.day, f"{name}_month": value.month, f"{name}_year": value.year}


def quick_entry(site, male, **extra):
    return {
        "initials": "js",
        **date_parts("date_of_birth", date(1985, 3, 14)),
        "sex": male.pk,
        "site": site.pk,
        **date_parts("visited_on", timezone.localdate()),
        "items_returned": 0,
        "sharps_bins_returned": 0,
        "item_N23B": 10,
        **extra,
    }


def test_quick_entry_records_a_visit_and_recognises_the_attender(client, worker, site, male):
    client.force_login(worker)
    for _ in range(3):
        response = client.post(reverse("harm_reduction:nsp"), quick_entry(site, male))
        assert response.status_code == 302
    assert NspVisit.objects.count() == 3
    assert NspVisit.objects.values("attender").distinct().count() == 1
    page = client.get(reverse("harm_reduction:nsp"), {"code": "js14031985m"})
    assert "JS14031985M" in page.content.decode()


def test_quick_entry_asks_for_sex_and_groups_equipment_issued_after_returns(client, worker, site):
    client.force_login(worker)
    page = client.get(reverse("harm_reduction:nsp")).text
    # Nothing preselected: the worker must ask, since sex is part of the attender code.
    assert '<option value="" selected>Choose</option>' in page
    legends = ["Attender and visit", "Returned", "Equipment issued", "Drugs, advice and referral"]
    positions = [page.index(f">{legend}</legend>") for legend in legends]
    assert positions == sorted(positions)
    assert page.index('name="item_N23B"') < page.index(">Drugs, advice and referral</legend>")


def test_quick_entry_puts_refusals_on_the_field(client, worker, site, male):
    client.force_login(worker)
    response = client.post(reverse("harm_reduction:nsp"), quick_entry(site, male, item_N23B=500))
    assert response.status_code == 200
    assert "At most 200 needles" in response.content.decode()
    assert "issues" not in response.context["form"].fields
    message = "At most 200 needles can be given to an adult attender in one visit."
    assert response.context["form"].errors["item_N23B"] == [message]
    assert f'<a href="#id_item_N23B">{message}</a>' in response.content.decode()
    assert NspVisit.objects.count() == 0


def test_quick_entry_shows_the_over_return_warning(client, worker, site, male):
    client.force_login(worker)
    response = client.post(reverse("harm_reduction:nsp"), quick_entry(site, male, item_N23B=0, items_returned=5))
    assert response.status_code == 200
    assert services.RETURNED_MORE_THAN_ISSUED in response.content.decode()
    assert NspVisit.objects.get().returned_more_than_issued


@pytest.mark.parametrize("name", ["harm_reduction:nsp", "harm_reduction:visits-today", "harm_reduction:doses-due"])
def test_pages_are_for_harm_reduction_workers_and_data_admins(
    client, worker, data_admin, keyworker, commissioner, name
):
    for user, expected in ((worker, 200), (data_admin, 200), (keyworker, 403), (commissioner, 403)):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == expected


def test_todays_visits_run_a_fixed_number_of_queries(
    client, worker, site, male, needle, django_assert_max_num_queries, today
):
    client.force_login(worker)

    def add(n):
        for i in range(n):
            attender, _ = services.find_or_create_attender(
                actor=worker, initials="AB", date_of_birth=date(1960, 1, 1) + timedelta(days=i), sex=male
            )
            services.record_nsp_visit(
                actor=worker, attender=attender, site=site, visited_on=today, issues=[(needle, 3)]
            )

    add(5)
    with django_assert_max_num_queries(12):
        assert len(client.get(reverse("harm_reduction:visits-today")).context["visits"]) == 5
    add(55)
    with django_assert_max_num_queries(12):
        assert len(client.get(reverse("harm_reduction:visits-today")).context["visits"]) == 60


def test_doses_due_page_lists_courses_due_this_week(client, worker, episode, keyworker, today):
    course = services.record_hep_b_offer(
        actor=worker,
        person=episode.person,
        offer=HepBOffer.ACCEPTED,
        offered_on=today - timedelta(days=30),
        schedule=VaccinationSchedule.ACCELERATED,
    )
    monday = today - timedelta(days=today.weekday())
    services.record_hep_b_dose(actor=worker, course=course, dose_number=1, given_on=monday - timedelta(days=7))
    client.force_login(worker)
    response = client.get(reverse("harm_reduction:doses-due"))
    assert [c.pk for c in response.context["courses"]] == [course.pk]
    assert "Dose 2" in response.content.decode()


def test_api_visits_by_persona(client, worker, keyworker, commissioner, data_admin, site, male, needle, episode, today):
    anonymous, _ = services.find_or_create_attender(
        actor=worker, initials="AB", date_of_birth=date(1980, 1, 1), sex=male
    )
    services.record_nsp_visit(actor=worker, attender=anonymous, site=site, visited_on=today, issues=[(needle, 3)])
    linked, _ = services.find_or_create_attender(
        actor=worker, initials="CD", date_of_birth=episode.person.date_of_birth, sex=male
    )
    linked_visit = services.record_nsp_visit(
        actor=worker, attender=linked, site=site, visited_on=today, issues=[(needle, 3)]
    ).visit
    services.link_attender(actor=worker, attender=linked, person=episode.person)
    url = "/api/v1/nsp-visits/"
    for user, count in ((worker, 2), (data_admin, 2), (keyworker, 1), (commissioner, 0)):
        client.force_login(user)
        assert client.get(url).json()["count"] == count
    client.force_login(keyworker)
    assert client.get(f"{url}{linked_visit.pk}/").status_code == 200
    anonymous_visit = NspVisit.objects.get(attender=anonymous)
    assert client.get(f"{url}{anonymous_visit.pk}/").status_code == 404
    assert client.get("/api/v1/nsp-attenders/").json()["count"] == 1


def test_api_records_a_visit_and_refuses_like_the_page(client, worker, keyworker, site, today):
    client.force_login(worker)
    body = {
        "initials": "EF",
        "date_of_birth": "1990-05-05",
        "sex": "F",
        "site": site.pk,
        "visited_on": today.isoformat(),
        "issues": [{"item": "N23B", "quantity": 10}],
        "drugs_injected": ["STER"],
    }
    response = client.post("/api/v1/nsp-visits/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["warnings"] == []
    too_many = {**body, "issues": [{"item": "N23B", "quantity": 201}]}
    response = client.post("/api/v1/nsp-visits/", too_many, content_type="application/json")
    assert response.status_code == 400
    assert "issues" in response.json()
    client.force_login(keyworker)
    assert client.post("/api/v1/nsp-visits/", body, content_type="application/json").status_code == 403


def test_api_bbv_records_follow_the_person(client, worker, keyworker, commissioner, staff, episode, today):
    test = services.record_bbv_offer(
        actor=worker, person=episode.person, kind=BbvTestKind.HIV, offered_on=today, accepted=True
    )
    unrelated = staff(Role.KEYWORKER)
    for user, status in ((worker, 200), (keyworker, 200), (unrelated, 404), (commissioner, 404)):
        client.force_login(user)
        assert client.get(f"/api/v1/bbv-tests/{test.pk}/").status_code == status


def test_schema_describes_the_harm_reduction_api(client, worker):
    client.force_login(worker)
    schema = client.get("/api/v1/schema/").content.decode()
    for path in ("nsp-visits", "nsp-attenders", "hep-b-vaccinations", "bbv-tests", "naloxone-supplies", "outreach"):
        assert f"/api/v1/{path}" in schema


def test_doses_due_page_runs_a_fixed_number_of_queries(client, worker, django_assert_max_num_queries, today):

    monday = today - timedelta(days=today.weekday())

    def add(n):
        for _ in range(n):
            course = services.record_hep_b_offer(
                actor=worker,
                person=PersonFactory(),
                offer=HepBOffer.ACCEPTED,
                offered_on=monday - timedelta(days=7),
                schedule=VaccinationSchedule.ACCELERATED,
            )
            services.record_hep_b_dose(actor=worker, course=course, dose_number=1, given_on=monday - timedelta(days=7))

    client.force_login(worker)
    add(5)
    with django_assert_max_num_queries(14):
        assert len(client.get(reverse("harm_reduction:doses-due")).context["courses"]) == 5
    add(55)
    with django_assert_max_num_queries(14):
        assert len(client.get(reverse("harm_reduction:doses-due")).context["courses"]) == PAGE_SIZE
