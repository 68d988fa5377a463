"""Young people at the needle exchange are the ESAP age range (SPEC 10.2 "under 24 years", read by domain.md step 9
as under 25 by the same boundary setting as routing): offered the young people's service first, supplied only with
a recorded reason, given fewer needles; under 18 also raises a safeguarding task for the team, once per visit."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import reverse
from django.utils.html import escape

from core.choices import Role, TeamKind
from core.errors import DomainError
from core.factories import TeamFactory
from core.models import AuditEvent, Sex
from harm_reduction import services
from harm_reduction.models import NspSafeguardingTask, NspVisit

pytestmark = pytest.mark.django_db
VISIT = date(2025, 6, 16)
TWENTY_FIFTH_BIRTHDAY = date(2000, 6, 16)  # 25 on the visit
DAY_BEFORE_25 = date(2000, 6, 17)  # 24 on the visit, 25 tomorrow
EIGHTEENTH_BIRTHDAY = date(2007, 6, 16)
DAY_BEFORE_18 = date(2007, 6, 17)
YOUNG = {"young_peoples_service_offered": True, "young_person_issue_reason": "Declined APESS; injecting daily"}
NOT_OFFERED_AT_24 = (
    "The attender is 24 on the visit date, under 25: record that the young people's service was offered first."
)


@pytest.fixture
def male(db):
    return Sex.objects.get(code="M")


@pytest.fixture
def attender_born(worker, male):
    def make(born, initials="AB"):
        return services.find_or_create_attender(actor=worker, initials=initials, date_of_birth=born, sex=male)[0]

    return make


def visit(worker, attender, site, **fields):
    return services.record_nsp_visit(actor=worker, attender=attender, site=site, visited_on=VISIT, **fields)


def test_at_24_the_young_peoples_service_is_offered_first(worker, site, needle, attender_born):
    with pytest.raises(DomainError) as error:
        visit(worker, attender_born(DAY_BEFORE_25), site, issues=[(needle, 5)], young_person_issue_reason="risk")
    assert (error.value.field, error.value.message) == ("young_peoples_service_offered", NOT_OFFERED_AT_24)
    assert not NspVisit.objects.exists()


def test_at_24_equipment_needs_the_recorded_reason(worker, site, needle, attender_born):
    attender = attender_born(DAY_BEFORE_25)
    with pytest.raises(DomainError) as error:
        visit(worker, attender, site, issues=[(needle, 5)], young_peoples_service_offered=True)
    assert error.value.field == "young_person_issue_reason"
    assert "24 on the visit date, under 25" in error.value.message
    result = visit(worker, attender, site, issues=[(needle, 5)], **YOUNG)
    assert result.visit.young_person_issue_reason == YOUNG["young_person_issue_reason"]
    assert result.safeguarding_task is None


def test_at_24_the_smaller_supply_applies(worker, site, needle, attender_born):
    attender = attender_born(DAY_BEFORE_25)
    visit(worker, attender, site, issues=[(needle, 20)], **YOUNG)
    with pytest.raises(DomainError) as error:
        visit(worker, attender, site, issues=[(needle, 21)], **YOUNG)
    assert (error.value.field, error.value.message) == (
        "issues",
        "At most 20 needles can be given to a young person under 25 in one visit.",
    )
    with override_settings(NSP_MAX_NEEDLES_YOUNG_PERSON=30):
        visit(worker, attender, site, issues=[(needle, 30)], **YOUNG)


def test_the_25th_birthday_is_an_adult_visit(worker, site, needle, attender_born):
    result = visit(worker, attender_born(TWENTY_FIFTH_BIRTHDAY), site, issues=[(needle, 50)])
    assert not result.visit.young_peoples_service_offered
    assert result.visit.young_person_issue_reason == ""


def test_the_boundary_is_the_routing_setting(worker, site, needle, attender_born, settings):
    settings.ADULT_SERVICE_MIN_AGE = 24
    visit(worker, attender_born(DAY_BEFORE_25), site, issues=[(needle, 50)])
    settings.ADULT_SERVICE_MIN_AGE = 26
    with pytest.raises(DomainError) as error:
        visit(worker, attender_born(TWENTY_FIFTH_BIRTHDAY, initials="CD"), site, issues=[(needle, 5)])
    assert "25 on the visit date, under 26" in error.value.message


def test_the_day_before_the_18th_birthday_raises_a_safeguarding_task_for_the_team(
    worker, hr_team, site, needle, attender_born, today
):
    result = visit(worker, attender_born(DAY_BEFORE_18), site, issues=[(needle, 5)], **YOUNG)
    task = result.safeguarding_task
    assert (task.visit, task.team, task.due_on, task.done_on) == (result.visit, hr_team, today, None)
    assert AuditEvent.objects.filter(object_type="harm_reduction.NspSafeguardingTask", action="create").exists()


def test_the_18th_birthday_is_a_young_person_without_a_safeguarding_task(worker, site, needle, attender_born):
    attender = attender_born(EIGHTEENTH_BIRTHDAY)
    with pytest.raises(DomainError):
        visit(worker, attender, site, issues=[(needle, 5)])
    result = visit(worker, attender, site, issues=[(needle, 5)], **YOUNG)
    assert result.safeguarding_task is None
    assert not NspSafeguardingTask.objects.exists()
    with pytest.raises(DomainError) as error:
        services.raise_safeguarding_task(actor=worker, visit=result.visit)
    assert error.value.field == "visit"


def test_a_safeguarding_task_is_raised_once_per_visit(worker, site, needle, attender_born):
    attender = attender_born(DAY_BEFORE_18)
    first = visit(worker, attender, site, issues=[(needle, 5)], **YOUNG)
    assert services.raise_safeguarding_task(actor=worker, visit=first.visit) == first.safeguarding_task
    second = visit(worker, attender, site, **YOUNG)
    assert second.safeguarding_task != first.safeguarding_task
    assert NspSafeguardingTask.objects.count() == 2


def test_the_task_goes_to_the_recording_workers_own_harm_reduction_team(staff, site, needle, attender_born, hr_team):
    east = TeamFactory(name="Harm reduction east", kind=TeamKind.HARM_REDUCTION)
    east_worker = staff(Role.HARM_REDUCTION_WORKER, team=east)
    attender = attender_born(DAY_BEFORE_18)
    result = services.record_nsp_visit(
        actor=east_worker, attender=attender, site=site, visited_on=VISIT, issues=[(needle, 5)], **YOUNG
    )
    assert result.safeguarding_task.team == east


def test_a_member_of_the_team_marks_it_done_and_no_one_else(staff, worker, site, needle, attender_born, today):
    task = visit(worker, attender_born(DAY_BEFORE_18), site, issues=[(needle, 5)], **YOUNG).safeguarding_task
    outsider = staff(Role.HARM_REDUCTION_WORKER, team=TeamFactory(name="Elsewhere", kind=TeamKind.HARM_REDUCTION))
    with pytest.raises(DomainError):
        services.safeguarding_task_done(actor=outsider, task=task)
    with pytest.raises(PermissionDenied):
        services.safeguarding_task_done(actor=staff(Role.KEYWORKER), task=task)
    done = services.safeguarding_task_done(actor=worker, task=task)
    assert (done.done_on, done.done_by) == (today, worker)
    with pytest.raises(DomainError):
        services.safeguarding_task_done(actor=worker, task=task)


def _api_body(site, born, **fields):
    return {
        "initials": "EF",
        "date_of_birth": born.isoformat(),
        "sex": "M",
        "site": site.pk,
        "visited_on": VISIT.isoformat(),
        "issues": [{"item": "N23B", "quantity": 5}],
        **fields,
    }


def test_the_api_applies_the_young_person_rules_at_their_boundaries(client, worker, site):
    client.force_login(worker)

    def post(body):
        return client.post("/api/v1/nsp-visits/", body, content_type="application/json")

    refused = post(_api_body(site, DAY_BEFORE_25))
    assert (refused.status_code, refused.json()) == (400, {"young_peoples_service_offered": [NOT_OFFERED_AT_24]})
    no_reason = post(_api_body(site, DAY_BEFORE_25, young_peoples_service_offered=True))
    assert list(no_reason.json()) == ["young_person_issue_reason"]
    too_many = post(_api_body(site, DAY_BEFORE_25, issues=[{"item": "N23B", "quantity": 21}], **YOUNG))
    assert too_many.json() == {"issues": ["At most 20 needles can be given to a young person under 25 in one visit."]}
    young = post(_api_body(site, DAY_BEFORE_25, **YOUNG))
    assert (young.status_code, young.json()["safeguarding_task"]) == (201, None)
    adult = post(_api_body(site, TWENTY_FIFTH_BIRTHDAY, issues=[{"item": "N23B", "quantity": 50}]))
    assert adult.status_code == 201
    child = post(_api_body(site, DAY_BEFORE_18, **YOUNG))
    assert child.status_code == 201
    assert child.json()["safeguarding_task"] == NspSafeguardingTask.objects.get().pk
    assert client.get(f"/api/v1/nsp-visits/{child.json()['id']}/").json()["safeguarding_task"] is not None


def _page_body(site, male, born, **extra):
    return {
        "initials": "gh",
        "date_of_birth_day": born.day,
        "date_of_birth_month": born.month,
        "date_of_birth_year": born.year,
        "sex": male.pk,
        "site": site.pk,
        "visited_on_day": VISIT.day,
        "visited_on_month": VISIT.month,
        "visited_on_year": VISIT.year,
        "items_returned": 0,
        "sharps_bins_returned": 0,
        "item_N23B": 5,
        **extra,
    }


def test_the_nsp_page_shows_each_refusal_in_the_error_summary_against_its_field(client, worker, site, male):
    client.force_login(worker)
    url = reverse("harm_reduction:nsp")
    response = client.post(url, _page_body(site, male, DAY_BEFORE_25))
    assert response.context["form"].errors["young_peoples_service_offered"] == [NOT_OFFERED_AT_24]
    assert f'<a href="#id_young_peoples_service_offered">{escape(NOT_OFFERED_AT_24)}</a>' in response.text
    response = client.post(url, _page_body(site, male, DAY_BEFORE_25, young_peoples_service_offered="on"))
    assert list(response.context["form"].errors) == ["young_person_issue_reason"]
    assert 'href="#id_young_person_issue_reason"' in response.text
    response = client.post(url, _page_body(site, male, DAY_BEFORE_25, item_N23B=21, **YOUNG))
    message = "At most 20 needles can be given to a young person under 25 in one visit."
    assert response.context["form"].errors["item_N23B"] == [message]
    assert f'<a href="#id_item_N23B">{message}</a>' in response.text
    assert not NspVisit.objects.exists()
    assert client.post(url, _page_body(site, male, TWENTY_FIFTH_BIRTHDAY, item_N23B=50)).status_code == 302


def test_an_under_18_visit_on_the_page_lands_on_the_teams_safeguarding_list(client, worker, site, male):
    client.force_login(worker)
    response = client.post(reverse("harm_reduction:nsp"), _page_body(site, male, DAY_BEFORE_18, **YOUNG), follow=True)
    assert "a safeguarding task was raised for the team" in response.text
    task = NspSafeguardingTask.objects.get()
    listing = client.get(reverse("harm_reduction:safeguarding"))
    assert list(listing.context["page"].object_list) == [task]
    assert task.visit.attender.code in listing.text
    assert client.post(reverse("harm_reduction:safeguarding-done", args=[task.pk])).status_code == 302
    assert not client.get(reverse("harm_reduction:safeguarding")).context["page"].object_list


def test_the_safeguarding_list_is_for_workers_and_shows_only_their_teams(
    client, worker, staff, site, attender_born, needle
):
    task = visit(worker, attender_born(DAY_BEFORE_18), site, issues=[(needle, 5)], **YOUNG).safeguarding_task
    other = staff(Role.HARM_REDUCTION_WORKER, team=TeamFactory(name="Elsewhere", kind=TeamKind.HARM_REDUCTION))
    client.force_login(other)
    assert not client.get(reverse("harm_reduction:safeguarding")).context["page"].object_list
    assert client.post(reverse("harm_reduction:safeguarding-done", args=[task.pk])).status_code == 403
    client.force_login(staff(Role.KEYWORKER))
    assert client.get(reverse("harm_reduction:safeguarding")).status_code == 403


@pytest.mark.parametrize("count", [2, 60])
def test_the_safeguarding_list_runs_a_fixed_number_of_queries(
    client, worker, site, needle, male, count, django_assert_max_num_queries
):
    for index in range(count):
        attender = services.find_or_create_attender(
            actor=worker,
            initials="AB",
            date_of_birth=date(2008, 1, 1).replace(day=1 + index % 28, month=1 + index // 28),
            sex=male,
        )[0]
        visit(worker, attender, site, issues=[(needle, 1)], **YOUNG)
    client.force_login(worker)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("harm_reduction:safeguarding"))
    assert len(response.context["page"].object_list) == min(count, 50)
