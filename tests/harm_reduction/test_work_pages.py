"""Naloxone, outreach, attender linking and return-rate pages: rules, messages on the named field, permissions,
query counts and audit rows."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import AuditAction
from core.models import AuditEvent, Sex
from harm_reduction import services
from harm_reduction.choices import OutreachSetting
from harm_reduction.models import Attender, NaloxoneSupply, OutreachContact
from referrals.factories import PersonFactory
from referrals.models import TeamInvolvement


def errors(response):
    return response.context["form"].errors


@pytest.fixture
def male(db):
    return Sex.objects.get(code="M")


@pytest.fixture
def person(hr_episode):
    return hr_episode.person


@pytest.fixture
def anonymous(worker, site, needle, person, today):
    """An attender with the person's date of birth who has not said who they are."""
    attender, _ = services.find_or_create_attender(
        actor=worker, initials="QX", date_of_birth=person.date_of_birth, sex=person.sex
    )
    services.record_nsp_visit(actor=worker, attender=attender, site=site, visited_on=today, issues=[(needle, 7)])
    return attender


@pytest.mark.parametrize("name", ["naloxone-new", "outreach", "link-attender", "return-rates"])
def test_worker_pages_by_persona(client, worker, data_admin, keyworker, unrelated, commissioner, name):
    url = reverse(f"harm_reduction:{name}")
    for user, status in ((worker, 200), (data_admin, 200), (keyworker, 403), (unrelated, 403), (commissioner, 403)):
        client.force_login(user)
        assert client.get(url).status_code == status, user
        assert client.post(url, {}).status_code in (status, 200)


def naloxone_body(parts, **extra):
    return {
        **parts("supplied_on", timezone.localdate()),
        "form": "nasal",
        "recipient": "family",
        "quantity": 1,
        **extra,
    }


def test_naloxone_for_a_person(client, worker, person, parts):
    client.force_login(worker)
    url = f"{reverse('harm_reduction:naloxone-new')}?person={person.pk}"
    response = client.get(url)
    assert "attender_code" not in response.context["form"].fields
    response = client.post(url, naloxone_body(parts, quantity=0))
    assert errors(response)["quantity"] == ["Enter how many kits were supplied."]
    response = client.post(url, naloxone_body(parts, training_given="on"))
    assert response.status_code == 302
    supply = NaloxoneSupply.objects.get()
    assert (supply.person, supply.recipient, supply.training_given) == (person, "family", True)


def test_naloxone_for_a_person_out_of_view_is_404(client, worker):
    client.force_login(worker)
    stranger = PersonFactory()
    assert client.get(f"{reverse('harm_reduction:naloxone-new')}?person={stranger.pk}").status_code == 404


def test_naloxone_for_an_attender_by_code(client, worker, anonymous, parts):
    client.force_login(worker)
    url = reverse("harm_reduction:naloxone-new")
    response = client.post(url, naloxone_body(parts))
    assert errors(response)["attender_code"] == ["Choose the person or attender the naloxone was supplied for."]
    response = client.post(url, naloxone_body(parts, attender_code="ZZ01011990F"))
    assert errors(response)["attender_code"] == ["No attender has the code ZZ01011990F. Check it on the NSP page."]
    response = client.post(url, naloxone_body(parts, attender_code=anonymous.code.lower(), form="injectable"))
    assert response.status_code == 302
    supply = NaloxoneSupply.objects.get()
    assert (supply.attender, supply.person, supply.form) == (anonymous, None, "injectable")


def outreach_body(parts, **extra):
    return {"setting": OutreachSetting.STREET, **parts("contacted_on", timezone.localdate()), **extra}


def test_outreach_contact_with_and_without_a_person(client, worker, person, parts):
    client.force_login(worker)
    url = reverse("harm_reduction:outreach")
    response = client.post(url, outreach_body(parts))
    assert errors(response)["description"] == ["Describe who was contacted when there is no person record."]
    response = client.post(url, outreach_body(parts, client_id="NOPE1"))
    assert errors(response)["client_id"] == ["No person you can see has the client ID NOPE1."]
    assert client.post(url, outreach_body(parts, description="Dan, under the bridge")).status_code == 302
    assert client.post(url, outreach_body(parts, client_id=person.client_id, setting="hostel")).status_code == 302
    assert OutreachContact.objects.filter(person=person, setting="hostel").exists()
    page = client.get(url)
    rows = dict(page.context["rows"])
    assert rows["Street"] == {"contacts": 1, "not_in_treatment": 1}
    assert rows["Hostel"] == {"contacts": 1, "not_in_treatment": 0}


def test_outreach_date_in_the_future_is_refused(client, worker, parts, today):
    client.force_login(worker)
    body = outreach_body(parts, description="Sam")
    body.update(parts("contacted_on", today + timedelta(days=1)))
    response = client.post(reverse("harm_reduction:outreach"), body)
    assert errors(response)["contacted_on"] == ["The contact date cannot be in the future."]


def test_outreach_list_runs_a_fixed_number_of_queries(client, worker, django_assert_max_num_queries, today):
    client.force_login(worker)

    def add(n):
        for i in range(n):
            services.record_outreach(actor=worker, setting="custody", contacted_on=today, description=f"Cell {i}")

    add(3)
    with django_assert_max_num_queries(12) as small:
        assert len(client.get(reverse("harm_reduction:outreach")).context["page"]) == 3
    add(70)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get(reverse("harm_reduction:outreach")).context["page"]) == 50
    assert AuditEvent.objects.filter(object_type="harm_reduction.OutreachContact", action=AuditAction.VIEW).exists()


def test_linking_by_code_and_confirmation_is_audited(client, worker, person, anonymous, keyworker):
    other = PersonFactory(date_of_birth=person.date_of_birth)  # same birthday, not referred to harm reduction
    client.force_login(worker)
    url = reverse("harm_reduction:link-attender")
    page = client.get(url, {"code": anonymous.code.lower()})
    candidates = list(page.context["form"].fields["person"].queryset)
    assert candidates == [person]
    assert AuditEvent.objects.filter(
        actor=worker, action=AuditAction.VIEW, object_type="harm_reduction.Attender", object_id=str(anonymous.pk)
    ).exists()
    response = client.post(url, {"code": anonymous.code, "person": person.pk})
    assert errors(response)["confirmed"] == ["Confirm with the attender that this is their record before linking."]
    response = client.post(url, {"code": anonymous.code, "person": other.pk, "confirmed": "on"})
    assert errors(response)["person"] == ["Choose one of the people listed."]
    anonymous.refresh_from_db()
    assert anonymous.person is None

    # Before the link, the keyworker holding the person sees no NSP visit on the person's page.
    client.force_login(keyworker)
    bbv = reverse("harm_reduction:person-bbv", args=[person.pk])
    assert client.get(bbv).context["visit_count"] == 0

    client.force_login(worker)
    response = client.post(url, {"code": anonymous.code, "person": person.pk, "confirmed": "on"})
    assert response.status_code == 302
    anonymous.refresh_from_db()
    assert (anonymous.person, anonymous.linked_by) == (person, worker)
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_type="harm_reduction.Attender")
    assert event.details == {"linked_to_person": person.pk, "visits": 1}
    assert event.actor == worker
    # Once linked the page says so and offers no second link.
    page = client.get(url, {"code": anonymous.code})
    assert page.context["form"] is None
    assert "Linked to a person record" in page.content.decode()

    client.force_login(keyworker)
    assert client.get(bbv).context["visit_count"] == 1


def test_link_page_for_an_unknown_code(client, worker):
    client.force_login(worker)
    response = client.get(reverse("harm_reduction:link-attender"), {"code": "AB01011990M"})
    assert "No attender has the code AB01011990M" in response.content.decode()


def test_return_rates_per_site_and_attender(client, worker, site, needle, male, parts, today):
    client.force_login(worker)
    attender, _ = services.find_or_create_attender(
        actor=worker, initials="RR", date_of_birth=date(1970, 2, 2), sex=male
    )
    services.record_nsp_visit(
        actor=worker, attender=attender, site=site, visited_on=today - timedelta(days=3), issues=[(needle, 10)]
    )
    services.record_nsp_visit(actor=worker, attender=attender, site=site, visited_on=today, items_returned=4)
    response = client.get(reverse("harm_reduction:return-rates"))
    hub = next(s for s in response.context["sites"] if s.pk == site.pk)
    assert (hub.issued, hub.returned, hub.return_rate) == (10, 4, 0.4)
    [row] = list(response.context["page"])
    assert (row.code, row.return_rate) == (attender.code, 0.4)
    assert "40%" in response.content.decode()
    # A period that leaves out the issue: 4 returned, nothing issued.
    period = {**parts("start", today - timedelta(days=1)), **parts("end", today)}
    response = client.get(reverse("harm_reduction:return-rates"), period)
    [row] = list(response.context["page"])
    assert (row.issued, row.returned, row.return_rate) == (0, 4, None)
    bad = {**parts("start", today), **parts("end", today - timedelta(days=1))}
    response = client.get(reverse("harm_reduction:return-rates"), bad)
    assert response.context["form"].errors["end"] == ["The end of the period must be on or after its start."]


def test_return_rates_page_runs_a_fixed_number_of_queries(
    client, worker, site, needle, male, django_assert_max_num_queries, today
):
    client.force_login(worker)

    def add(n, offset):
        for i in range(n):
            attender, _ = services.find_or_create_attender(
                actor=worker, initials="RT", date_of_birth=date(1960, 1, 1) + timedelta(days=offset + i), sex=male
            )
            services.record_nsp_visit(
                actor=worker, attender=attender, site=site, visited_on=today, issues=[(needle, 5)], items_returned=2
            )

    add(3, 0)
    with django_assert_max_num_queries(14) as small:
        assert len(client.get(reverse("harm_reduction:return-rates")).context["page"]) == 3
    add(60, 100)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("harm_reduction:return-rates"))
    assert len(response.context["page"]) == 50
    assert response.context["page"].paginator.count == 63
    assert Attender.objects.count() == 63
    assert AuditEvent.objects.filter(
        actor=worker, action=AuditAction.VIEW, object_type="harm_reduction.Attender", details__page="return rates"
    ).exists()


def test_link_page_runs_a_fixed_number_of_queries(
    client, worker, hr_team, anonymous, django_assert_max_num_queries, today
):
    def add(n):
        for _ in range(n):
            twin = PersonFactory(date_of_birth=anonymous.date_of_birth)
            TeamInvolvement.objects.create(person=twin, team=hr_team, since=today, reason="NSP")

    client.force_login(worker)
    url = reverse("harm_reduction:link-attender")
    add(2)
    with django_assert_max_num_queries(14) as small:
        assert len(client.get(url, {"code": anonymous.code}).context["form"].fields["person"].queryset) == 3
    add(40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url, {"code": anonymous.code})
    assert len(response.context["form"].fields["person"].queryset) == 43
    assert AuditEvent.objects.filter(object_type="referrals.Person", details__page="link candidates").exists()
