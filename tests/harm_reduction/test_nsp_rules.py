from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import timezone

from core.choices import Role
from core.errors import DomainError
from core.models import AuditEvent, Sex
from harm_reduction import services
from harm_reduction.choices import SiteKind
from harm_reduction.factories import NspSiteFactory
from harm_reduction.models import Attender, NspVisit
from harm_reduction.selectors import attender_return_rates, site_return_rates
from referrals.models import Person


@pytest.fixture
def male(db):
    return Sex.objects.get(code="M")


def visit(worker, attender, site, **fields):
    fields.setdefault("visited_on", timezone.localdate())
    return services.record_nsp_visit(actor=worker, attender=attender, site=site, **fields)


def test_anonymous_attender_seen_three_times_is_one_attender(worker, site, male, needle):
    for initials in ("j.s", "J S", "JS"):
        attender, _ = services.find_or_create_attender(
            actor=worker, initials=initials, date_of_birth=date(1985, 3, 14), sex=male
        )
        visit(worker, attender, site, issues=[(needle, 10)])
    assert Attender.objects.count() == 1
    assert Attender.objects.get().code == "JS14031985M"
    assert NspVisit.objects.filter(attender=attender).count() == 3


def test_attender_code_uses_first_and_last_initial(male):
    assert services.attender_code(initials="J. R. Smith", date_of_birth=date(1990, 1, 2), sex=male) == "JH02011990M"


def test_attender_without_initials_is_refused(worker, male):
    with pytest.raises(DomainError) as error:
        services.find_or_create_attender(actor=worker, initials=" .", date_of_birth=date(1990, 1, 2), sex=male)
    assert error.value.field == "initials"


def test_only_harm_reduction_workers_record_visits(staff, site, male, needle, worker):
    attender, _ = services.find_or_create_attender(
        actor=worker, initials="AB", date_of_birth=date(1980, 1, 1), sex=male
    )
    with pytest.raises(PermissionDenied):
        visit(staff(Role.KEYWORKER), attender, site, issues=[(needle, 1)])


def test_pharmacy_visit_is_recorded_at_the_pharmacy(worker, male, needle):
    pharmacy = NspSiteFactory(name="Boots", kind=SiteKind.PHARMACY)
    attender, _ = services.find_or_create_attender(
        actor=worker, initials="AB", date_of_birth=date(1980, 1, 1), sex=male
    )
    result = visit(worker, attender, pharmacy, issues=[(needle, 5)])
    assert result.visit.site.kind == SiteKind.PHARMACY
    assert AuditEvent.objects.filter(object_type="harm_reduction.NspVisit", action="create").exists()


def test_adult_needle_maximum_is_a_setting(worker, site, male, needle):
    attender, _ = services.find_or_create_attender(
        actor=worker, initials="AB", date_of_birth=date(1980, 1, 1), sex=male
    )
    visit(worker, attender, site, issues=[(needle, 200)])
    with pytest.raises(DomainError) as error:
        visit(worker, attender, site, issues=[(needle, 201)])
    assert error.value.field == "issues"
    with override_settings(NSP_MAX_NEEDLES_ADULT=300):
        visit(worker, attender, site, issues=[(needle, 300)])


def test_more_returned_than_issued_is_a_warning_kept_on_the_visit(worker, site, male, needle, sharps_bin, today):
    attender, _ = services.find_or_create_attender(
        actor=worker, initials="AB", date_of_birth=date(1980, 1, 1), sex=male
    )
    first = visit(worker, attender, site, issues=[(needle, 10), (sharps_bin, 1)], visited_on=today - timedelta(days=7))
    assert first.warnings == []
    second = visit(worker, attender, site, items_returned=10, issues=[(needle, 5)])
    assert second.warnings == []
    third = visit(worker, attender, site, items_returned=6)
    assert third.warnings == [services.RETURNED_MORE_THAN_ISSUED]
    assert third.visit.returned_more_than_issued


def test_return_rates_per_attender_and_per_site(worker, site, male, needle, sharps_bin, today):
    other_site = NspSiteFactory(name="Outreach van")
    attender, _ = services.find_or_create_attender(
        actor=worker, initials="AB", date_of_birth=date(1980, 1, 1), sex=male
    )
    visit(worker, attender, site, issues=[(needle, 100), (sharps_bin, 1)], visited_on=today - timedelta(days=20))
    visit(worker, attender, other_site, items_returned=75, issues=[(needle, 100)], visited_on=today - timedelta(days=5))
    start, end = today - timedelta(days=30), today
    rates = {a.code: a for a in attender_return_rates(user=worker, start=start, end=end)}
    assert (rates["AB01011980M"].issued, rates["AB01011980M"].returned) == (200, 75)
    assert rates["AB01011980M"].return_rate == pytest.approx(0.375)
    sites = {s.name: s for s in site_return_rates(start=start, end=end)}
    assert sites["Hub"].return_rate == 0
    assert sites["Outreach van"].return_rate == pytest.approx(0.75)
    assert site_return_rates(start=today - timedelta(days=3), end=end).get(name="Hub").return_rate is None


def test_linking_shows_visits_on_the_persons_record_and_is_audited(worker, site, male, needle, episode, keyworker):
    person = episode.person
    attender, _ = services.find_or_create_attender(
        actor=worker, initials=person.initials, date_of_birth=person.date_of_birth, sex=person.sex
    )
    visit(worker, attender, site, issues=[(needle, 10)])
    assert not NspVisit.objects.visible_to(keyworker).exists()
    assert not NspVisit.objects.filter(attender__person=person).exists()

    services.link_attender(actor=worker, attender=attender, person=person)

    assert NspVisit.objects.visible_to(keyworker).count() == 1
    assert NspVisit.objects.filter(attender__person=person).count() == 1
    event = AuditEvent.objects.get(object_type="harm_reduction.Attender", action="change")
    assert event.details["linked_to_person"] == person.pk
    assert event.actor == worker


def test_link_needs_data_admin_or_harm_reduction_worker(worker, keyworker, episode, male):
    attender, _ = services.find_or_create_attender(
        actor=worker, initials="ZZ", date_of_birth=episode.person.date_of_birth, sex=male
    )
    with pytest.raises(PermissionDenied):
        services.link_attender(actor=keyworker, attender=attender, person=episode.person)


def test_an_attender_is_linked_once(worker, data_admin, episode, male):
    person = episode.person
    attender, _ = services.find_or_create_attender(
        actor=worker, initials="ZZ", date_of_birth=person.date_of_birth, sex=male
    )
    services.link_attender(actor=data_admin, attender=attender, person=person)
    with pytest.raises(DomainError) as error:
        services.link_attender(actor=data_admin, attender=attender, person=Person.objects.get(pk=person.pk))
    assert error.value.field == "person"


def test_keyworkers_do_not_see_the_anonymous_nsp_list_and_commissioners_see_nothing(
    worker, keyworker, commissioner, data_admin, site, male
):
    services.find_or_create_attender(actor=worker, initials="AB", date_of_birth=date(1980, 1, 1), sex=male)
    assert Attender.objects.visible_to(worker).count() == 1
    assert Attender.objects.visible_to(data_admin).count() == 1
    assert Attender.objects.visible_to(keyworker).count() == 0
    assert Attender.objects.visible_to(commissioner).count() == 0
