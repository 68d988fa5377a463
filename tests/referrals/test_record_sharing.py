"""Sharing a record (issue 14; domain.md section 1, "records explicitly shared with them"): a team manager
shares one person's record with a named worker outside the team, for a reason, until a last day; the worker
opens it until the end of that day and not after; the daily job removes the grant; all of it is audited and
listed for the data admin, and a manager can end a share early."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.choices import AuditAction, Role, TeamKind
from core.factories import TeamFactory
from core.models import AuditEvent
from referrals.factories import AllocationFactory
from referrals.models import PersonUserObjectPermission, RecordShare
from referrals.services import sharing
from referrals.tasks import expire_record_shares

pytestmark = pytest.mark.django_db

REASON = "Joint work on housing while the person stays at the hostel"
TODAY = date(2026, 12, 7)


@pytest.fixture
def today(monkeypatch):
    """Moves "today" for the service, the visibility rule and the job alike."""

    def move_to(day: date):
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)

    move_to(TODAY)
    return move_to


@pytest.fixture
def setting(staff, arm_team, today):
    """A person referred to ARM; ARM's manager; a keyworker in another team who cannot see the person."""
    person = AllocationFactory(episode__referral__team=arm_team, team=arm_team).episode.person
    manager = staff(Role.TEAM_MANAGER, team=arm_team, username="manager.arm")
    elsewhere = TeamFactory(name="Delivery South", kind=TeamKind.DELIVERY)
    worker = staff(Role.KEYWORKER, team=elsewhere, username="kw.south")
    return person, manager, worker


def share_form(worker, ends_on=TODAY + timedelta(days=14), reason=REASON):
    return {
        "worker": worker.pk,
        "reason": reason,
        "ends_on_day": ends_on.day,
        "ends_on_month": ends_on.month,
        "ends_on_year": ends_on.year,
    }


def test_the_manager_shares_and_the_worker_opens_the_record_from_their_menu(client, setting):
    person, manager, worker = setting
    person_url = reverse("referrals:person-detail", args=[person.pk])
    client.force_login(worker)
    assert client.get(person_url).status_code == 404

    client.force_login(manager)
    assert 'href="{}"'.format(reverse("referrals:person-share", args=[person.pk])) in client.get(person_url).text
    response = client.post(reverse("referrals:person-share", args=[person.pk]), share_form(worker), follow=True)
    assert response.redirect_chain[-1][0] == person_url
    assert "Record shared with" in response.text
    assert "nhsuk-notification-banner--success" in response.text

    client.force_login(worker)
    assert client.get(person_url).status_code == 200
    mine = client.get(reverse("referrals:shared-with-me"))
    assert person_url in mine.text
    assert REASON in mine.text
    assert reverse("referrals:shared-with-me") in client.get("/").text
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="referrals.RecordShare")
    assert (event.actor, event.details["worker"], event.details["reason"]) == (manager, "kw.south", REASON)


def test_the_share_opens_the_record_to_the_end_of_its_last_day_and_not_after(client, setting, today):
    person, manager, worker = setting
    last_day = TODAY + timedelta(days=3)
    share = sharing.share_record(actor=manager, person=person, worker=worker, reason=REASON, ends_on=last_day)
    url = reverse("referrals:person-detail", args=[person.pk])
    client.force_login(worker)
    for day, status in [
        (TODAY, 200),
        (last_day - timedelta(days=1), 200),
        (last_day, 200),
        (last_day + timedelta(days=1), 404),
    ]:
        today(day)
        assert client.get(url).status_code == status, day
    # The rule hides it from the day after, even before the job has tidied the grant away.
    assert PersonUserObjectPermission.objects.filter(pk=share.permission_id).exists()

    today(last_day)
    assert expire_record_shares() == 0
    today(last_day + timedelta(days=1))
    assert expire_record_shares() == 1
    share.refresh_from_db()
    assert (share.end_reason, share.ended_on, share.permission) == ("expired", last_day + timedelta(days=1), None)
    assert not PersonUserObjectPermission.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE, details__ended="expired").count() == 1
    assert expire_record_shares() == 0


def test_a_manager_ends_a_share_early_and_the_record_closes_at_once(client, setting):
    person, manager, worker = setting
    share = sharing.share_record(actor=manager, person=person, worker=worker, reason=REASON, ends_on=TODAY)
    client.force_login(manager)
    end_url = reverse("referrals:record-share-end", args=[share.pk])
    assert end_url in client.get(reverse("referrals:record-shares")).text
    response = client.post(end_url, follow=True)
    assert "can no longer open" in response.text
    client.force_login(worker)
    assert client.get(reverse("referrals:person-detail", args=[person.pk])).status_code == 404
    share.refresh_from_db()
    assert (share.end_reason, share.ended_by, share.ended_on) == ("ended_early", manager, TODAY)
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE, details__ended="early", actor=manager).exists()
    client.force_login(manager)
    assert "already ended" not in client.get(end_url).text
    again = client.post(end_url)
    assert again.status_code == 200
    assert "This share has already ended" in again.text


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"reason": "because"}, "reason", "Enter why the worker needs this record (at least 10 characters)"),
        ({"ends_on": TODAY - timedelta(days=1)}, "ends_on", "The last day of the share must be today or later"),
        ({"ends_on": TODAY + timedelta(days=91)}, "ends_on", "within 90 days of today"),
        ({"ends_on": TODAY + timedelta(days=90)}, None, None),
    ],
)
def test_a_share_needs_a_reason_and_an_end_date_within_90_days(client, setting, change, field, message):
    person, manager, worker = setting
    client.force_login(manager)
    data = share_form(worker, **change)
    response = client.post(reverse("referrals:person-share", args=[person.pk]), data)
    if message is None:
        assert response.status_code == 302
        assert RecordShare.objects.get().ends_on == TODAY + timedelta(days=90)
    else:
        assert response.status_code == 200
        assert message in response.text
        assert f'href="#id_{field}' in response.text
        assert not RecordShare.objects.exists()


def test_only_a_worker_outside_the_team_and_once_at_a_time(client, setting, staff, arm_team):
    person, manager, worker = setting
    colleague = staff(Role.KEYWORKER, team=arm_team)
    commissioner = staff(Role.COMMISSIONER)
    for refused in (colleague, commissioner, manager):
        with pytest.raises(sharing.DomainError, match="Choose a worker outside your team"):
            sharing.share_record(actor=manager, person=person, worker=refused, reason=REASON, ends_on=TODAY)
    sharing.share_record(actor=manager, person=person, worker=worker, reason=REASON, ends_on=TODAY)
    with pytest.raises(sharing.DomainError, match="already shared with this worker"):
        sharing.share_record(actor=manager, person=person, worker=worker, reason=REASON, ends_on=TODAY)


def test_who_may_share_and_whose_records(client, setting, staff, arm_team):
    person, manager, _worker = setting
    url = reverse("referrals:person-share", args=[person.pk])
    # An assessor of the team sees the person but may not share; another team's manager does not see them.
    client.force_login(staff(Role.ASSESSOR, team=arm_team))
    assert client.get(url).status_code == 403
    assert url not in client.get(reverse("referrals:person-detail", args=[person.pk])).text
    client.force_login(staff(Role.TEAM_MANAGER, team=TeamFactory(name="ESAP", kind=TeamKind.ESAP)))
    assert client.get(url).status_code == 404
    # A manager who reaches the person only through a share of their own cannot pass it on.
    outside_manager = staff(Role.TEAM_MANAGER, team=TeamFactory(name="Delivery East", kind=TeamKind.DELIVERY))
    sharing.share_record(actor=manager, person=person, worker=outside_manager, reason=REASON, ends_on=TODAY)
    client.force_login(outside_manager)
    assert client.get(reverse("referrals:person-detail", args=[person.pk])).status_code == 200
    assert client.get(url).status_code == 403


def test_the_data_admin_lists_every_share_and_a_manager_only_their_teams(client, setting, staff, data_admin):
    person, manager, worker = setting
    sharing.share_record(actor=manager, person=person, worker=worker, reason=REASON, ends_on=TODAY)
    list_url = reverse("referrals:record-shares")
    client.force_login(data_admin)
    text = client.get(list_url).text
    assert person.client_id in text
    assert REASON in text
    assert "kw.south" in text
    client.force_login(staff(Role.TEAM_MANAGER, team=TeamFactory(name="ESAP", kind=TeamKind.ESAP)))
    assert person.client_id not in client.get(list_url).text
    for role in (Role.KEYWORKER, Role.ASSESSOR, Role.REFERRER, Role.COMMISSIONER):
        client.force_login(staff(role))
        assert client.get(list_url).status_code == 403


def test_the_share_lists_are_fixed_query(client, setting, staff, data_admin, django_assert_max_num_queries):
    person, manager, worker = setting

    def add_shares(count):
        for _ in range(count):
            other = staff(Role.KEYWORKER, team=TeamFactory(kind=TeamKind.DELIVERY))
            sharing.share_record(actor=manager, person=person, worker=other, reason=REASON, ends_on=TODAY)

    add_shares(2)
    client.force_login(data_admin)
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("referrals:record-shares"))
    add_shares(6)
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("referrals:record-shares"))

    client.force_login(worker)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("referrals:shared-with-me")).status_code == 200


def test_the_api_shares_lists_and_ends_with_the_same_rules(setting, staff):
    person, manager, worker = setting
    api = APIClient()
    api.force_authenticate(manager)
    body = {"person": person.pk, "worker": worker.pk, "reason": REASON, "ends_on": TODAY.isoformat()}
    created = api.post(reverse("record-share-list"), body, format="json")
    assert created.status_code == 201, created.content
    assert api.post(reverse("record-share-list"), body, format="json").json() == {
        "worker": ["This record is already shared with this worker: end that share first"]
    }
    too_late = {**body, "worker": staff(Role.KEYWORKER).pk, "ends_on": "2027-12-01"}
    assert "ends_on" in api.post(reverse("record-share-list"), too_late, format="json").json()

    reader = APIClient()
    reader.force_authenticate(worker)
    assert [row["client_id"] for row in reader.get(reverse("record-share-list")).json()["results"]] == [
        person.client_id
    ]
    assert reader.get(reverse("person-detail", args=[person.pk])).status_code == 200
    assert reader.post(reverse("record-share-list"), body, format="json").status_code == 403
    assert reader.post(reverse("record-share-end", args=[created.json()["id"]])).status_code == 404

    ended = api.post(reverse("record-share-end", args=[created.json()["id"]]))
    assert ended.json()["end_reason"] == "ended_early"
    assert reader.get(reverse("person-detail", args=[person.pk])).status_code == 404
