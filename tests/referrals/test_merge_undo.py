"""Merge keeps everything and can be undone (issue 11 item 3): the newer contact details and every priority
flag of either; the worker's choice where they differ; the audit lists every row moved; a data admin undoes
it exactly; a merged record refuses every write with a message naming the kept one."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.choices import AuditAction, Role, TeamKind
from core.errors import DomainError
from core.factories import TeamFactory
from core.models import AuditEvent, ReferralSource
from referrals.choices import TaskKind
from referrals.factories import ReferralFactory
from referrals.models import Carer, Person, PersonMerge, PersonUserObjectPermission, Referral, Task, TeamInvolvement
from referrals.services import criminal_justice as cj
from referrals.services.episodes import add_carer
from referrals.services.intake import referral_create
from referrals.services.merge import person_merge, person_merge_undo
from referrals.services.people import person_update

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def keep(arm_team):
    person = ReferralFactory(team=arm_team, person__phone="01111 111111", person__mappa=True).person
    Task.objects.create(person=person, kind=TaskKind.OTHER, title="Kept task", source_key="keep-1")
    return person


@pytest.fixture
def duplicate(keep, arm_team, staff):
    """Recorded after the kept record, so its contact details are the newer ones."""
    person = ReferralFactory(
        team=arm_team, person__phone="02222 222222", person__postcode="SO15 2AB", person__veteran=True
    ).person
    Carer.objects.create(
        person=person,
        name="Sam",
        relationship="Sister",
        support_started_on=date(2025, 1, 1),
        support_planned_end=date(2026, 1, 1),
    )
    Task.objects.create(person=person, kind=TaskKind.OTHER, title="Call back", source_key="dup-1")
    # Both records hold the same team link: the duplicate's is removed on merge and re-created on undo.
    TeamInvolvement.objects.get_or_create(person=person, team=arm_team, defaults={"since": date(2025, 1, 1)})
    PersonUserObjectPermission.objects.create(
        user=staff(Role.KEYWORKER), content_object=person, permission=Permission.objects.get(codename="view_person")
    )
    return person


def rows_of(person):
    return {
        "referrals": set(Referral.objects.filter(person=person).values_list("pk", flat=True)),
        "carers": set(Carer.objects.filter(person=person).values_list("pk", flat=True)),
        "tasks": set(Task.objects.filter(person=person).values_list("pk", flat=True)),
        "teams": set(TeamInvolvement.objects.filter(person=person).values_list("team_id", flat=True)),
        "shares": PersonUserObjectPermission.objects.filter(content_object=person).count(),
    }


# Merge: contact details, flags, choices, audit


def test_merge_keeps_the_newer_contact_details_and_every_flag_of_either(keep, duplicate, data_admin):
    person_merge(actor=data_admin, keep=keep, duplicate=duplicate)
    keep.refresh_from_db()
    assert (keep.phone, keep.postcode) == ("02222 222222", "SO15 2AB")
    assert keep.mappa
    assert keep.veteran


def test_when_the_kept_record_is_the_newer_its_contact_details_stay(keep, duplicate, data_admin, arm_team, staff):
    person_update(
        actor=staff(Role.ASSESSOR, team=arm_team),
        person=keep,
        data={"address": "1 High St"},
        expected_version=keep.version,
    )
    person_merge(actor=data_admin, keep=keep, duplicate=duplicate)
    keep.refresh_from_db()
    assert (keep.phone, keep.postcode) == ("01111 111111", "SO14 7LY")


def test_the_workers_choice_wins_where_the_records_differ(keep, duplicate, data_admin):
    person_merge(
        actor=data_admin, keep=keep, duplicate=duplicate, choices={"phone": "keep", "family_name": "duplicate"}
    )
    keep.refresh_from_db()
    assert keep.phone == "01111 111111"
    assert keep.family_name == duplicate.family_name
    assert keep.postcode == "SO15 2AB"


def test_an_unknown_choice_is_refused_on_its_field(keep, duplicate, data_admin):
    with pytest.raises(DomainError) as error:
        person_merge(actor=data_admin, keep=keep, duplicate=duplicate, choices={"phone": "both"})
    assert error.value.field == "phone"
    with pytest.raises(DomainError):
        person_merge(actor=data_admin, keep=keep, duplicate=duplicate, choices={"veteran": "keep"})


def test_the_audit_row_lists_every_row_moved_by_model_and_id(keep, duplicate, data_admin):
    before = rows_of(duplicate)
    person_merge(actor=data_admin, keep=keep, duplicate=duplicate)
    details = AuditEvent.objects.get(object_id=str(keep.pk), action=AuditAction.CHANGE).details["merge"]
    assert set(details["moved"]["referrals.Referral.person"]) == {str(pk) for pk in before["referrals"]}
    assert set(details["moved"]["referrals.Carer.person"]) == {str(pk) for pk in before["carers"]}
    assert set(details["moved"]["referrals.Task.person"]) == {str(pk) for pk in before["tasks"]}
    assert list(details["removed"]) == ["referrals.TeamInvolvement.person"]
    assert "phone" in details["details_taken_from_duplicate"]


# Undo


def test_undo_restores_each_row_to_the_person_it_came_from(keep, duplicate, data_admin):
    kept_rows, duplicate_rows = rows_of(keep), rows_of(duplicate)
    merge = person_merge(actor=data_admin, keep=keep, duplicate=duplicate)
    assert rows_of(duplicate)["referrals"] == set()
    person_merge_undo(actor=data_admin, merge=merge)
    assert rows_of(keep) == kept_rows
    assert rows_of(duplicate) == duplicate_rows
    keep.refresh_from_db()
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    assert (keep.phone, keep.postcode, keep.veteran, keep.mappa) == ("01111 111111", "SO14 7LY", False, True)
    merge.refresh_from_db()
    assert merge.undone_by == data_admin


def test_undo_gives_back_the_nhs_number_the_merge_handed_over(keep, duplicate, data_admin):
    Person.objects.filter(pk=duplicate.pk).update(nhs_number="9434765919")
    Person.objects.filter(pk=keep.pk).update(nhs_number="")
    merge = person_merge(actor=data_admin, keep=keep, duplicate=duplicate)
    keep.refresh_from_db()
    assert keep.nhs_number == "9434765919"
    person_merge_undo(actor=data_admin, merge=merge)
    keep.refresh_from_db()
    duplicate.refresh_from_db()
    assert (keep.nhs_number, duplicate.nhs_number) == ("", "9434765919")


def test_undo_keeps_edits_and_records_made_on_the_kept_record_since(keep, duplicate, data_admin, arm_team, staff):
    merge = person_merge(actor=data_admin, keep=keep, duplicate=duplicate)
    keep.refresh_from_db()
    person_update(
        actor=staff(Role.ASSESSOR, team=arm_team),
        person=keep,
        data={"phone": "03333 333333"},
        expected_version=keep.version,
    )
    later = Task.objects.create(person=keep, kind=TaskKind.OTHER, title="After the merge", source_key="later")
    person_merge_undo(actor=data_admin, merge=merge)
    keep.refresh_from_db()
    assert keep.phone == "03333 333333"
    assert keep.postcode == "SO14 7LY"
    assert Task.objects.get(pk=later.pk).person == keep
    details = AuditEvent.objects.get(object_id=str(keep.pk), details__has_key="merge_undone").details["merge_undone"]
    assert details["kept_later_edits"] == ["phone"]


def test_only_a_data_admin_undoes_a_merge(keep, duplicate, data_admin, staff, arm_team):
    merge = person_merge(actor=data_admin, keep=keep, duplicate=duplicate)
    with pytest.raises(DomainError):
        person_merge_undo(actor=staff(Role.TEAM_MANAGER, team=arm_team), merge=merge)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == keep


def test_a_merge_is_undone_once(keep, duplicate, data_admin):
    merge = person_merge(actor=data_admin, keep=keep, duplicate=duplicate)
    person_merge_undo(actor=data_admin, merge=merge)
    with pytest.raises(DomainError) as error:
        person_merge_undo(actor=data_admin, merge=merge)
    assert "already undone" in error.value.message


def test_undo_waits_for_a_later_merge_of_the_kept_record(keep, duplicate, data_admin, arm_team):
    first = person_merge(actor=data_admin, keep=keep, duplicate=duplicate)
    third = ReferralFactory(team=arm_team).person
    person_merge(actor=data_admin, keep=third, duplicate=keep)
    with pytest.raises(DomainError) as error:
        person_merge_undo(actor=data_admin, merge=first)
    assert "Undo that merge first" in error.value.message


def test_a_record_can_be_merged_again_after_an_undo(keep, duplicate, data_admin):
    person_merge_undo(actor=data_admin, merge=person_merge(actor=data_admin, keep=keep, duplicate=duplicate))
    person_merge(actor=data_admin, keep=keep, duplicate=duplicate)
    assert PersonMerge.objects.count() == 2


# A merged record refuses every write


@pytest.fixture
def merged(keep, duplicate, data_admin):
    person_merge(actor=data_admin, keep=keep, duplicate=duplicate)
    duplicate.refresh_from_db()
    return duplicate


def test_a_merged_record_refuses_an_update_naming_the_kept_one(merged, keep, staff, arm_team):
    with pytest.raises(DomainError) as error:
        person_update(
            actor=staff(Role.ASSESSOR, team=arm_team),
            person=merged,
            data={"phone": "1"},
            expected_version=merged.version,
        )
    assert keep.client_id in error.value.message


@pytest.mark.parametrize("write", ["referral", "carer", "arrest referral", "community order"])
def test_a_merged_record_refuses_every_write(merged, keep, staff, arm_team, write):
    actor = staff(Role.ASSESSOR, team=arm_team)
    actions = {
        "referral": lambda: referral_create(
            actor=staff(Role.REFERRER),
            person=merged,
            received_at=timezone.now(),
            source=ReferralSource.objects.get(code="4"),
            reason="Help",
            lives_in_city=True,
            registered_with_city_gp=True,
        ),
        "carer": lambda: add_carer(
            person=merged,
            name="Jo",
            relationship="Friend",
            support_started_on=date(2025, 1, 1),
            support_planned_end=date(2025, 6, 1),
            by=actor,
        ),
        "arrest referral": lambda: cj.add_arrest_referral(
            person=merged, tested_at=datetime(2025, 1, 1, 9, tzinfo=LONDON), trigger_offence="Theft", by=actor
        ),
        "community order": lambda: cj.add_community_order(
            person=merged, kind="DRR", order_date=date(2025, 1, 1), requirement_months=6, by=actor
        ),
    }
    with pytest.raises(DomainError) as error:
        actions[write]()
    assert f"merged into {keep.client_id}" in error.value.message


# The API


def test_merge_and_undo_through_the_api(keep, duplicate, data_admin):
    client = _api(data_admin)
    response = client.post(
        reverse("person-merge", args=[keep.pk]),
        {"duplicate": duplicate.pk, "choices": {"phone": "keep"}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    carer = Carer.objects.get(name="Sam")
    assert {"model": "referrals.Carer", "field": "person", "id": str(carer.pk), "removed": False} in body["moved"]
    keep.refresh_from_db()
    assert keep.phone == "01111 111111"
    undone = client.post(reverse("person-merges-undo", args=[body["id"]]))
    assert undone.status_code == 200
    assert undone.json()["undone_at"]
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    again = client.post(reverse("person-merges-undo", args=[body["id"]]))
    assert again.status_code == 400
    assert "already undone" in again.json()["merge"][0]


def test_merges_are_for_data_admins_only_through_the_api(keep, duplicate, data_admin, staff, arm_team):
    merge = person_merge(actor=data_admin, keep=keep, duplicate=duplicate)
    manager = _api(staff(Role.TEAM_MANAGER, team=arm_team))
    assert manager.get(reverse("person-merges-list")).status_code == 403
    assert manager.post(reverse("person-merges-undo", args=[merge.pk])).status_code == 403
    assert _api(data_admin).get(reverse("person-merges-list")).json()["count"] == 1


def test_a_merged_record_refuses_writes_through_the_api_naming_the_kept_one(merged, keep, data_admin):
    client = _api(data_admin)
    response = client.patch(
        reverse("person-detail", args=[merged.pk]), {"phone": "1", "version": merged.version}, format="json"
    )
    assert response.status_code == 400
    assert keep.client_id in response.json()["person"][0]
    response = client.post(
        reverse("referral-list"),
        {
            "person": merged.pk,
            "received_at": timezone.now().isoformat(),
            "source": ReferralSource.objects.get(code="4").pk,
            "reason": "Help",
            "lives_in_city": True,
            "registered_with_city_gp": True,
        },
        format="json",
    )
    assert response.status_code == 400
    assert keep.client_id in response.json()["person"][0]


# The pages


def test_the_merge_page_shows_both_records_side_by_side_with_the_newer_details_chosen(
    client, keep, duplicate, data_admin
):
    client.force_login(data_admin)
    url = reverse("referrals:person-merge", args=[keep.pk])
    response = client.post(url, {"duplicate_client_id": duplicate.client_id})
    assert "01111 111111" in response.text
    assert (
        '<input class="nhsuk-radios__input" type="radio" id="choice_phone_duplicate" name="choice_phone" '
        'value="duplicate" checked>' in response.text
    )
    assert "Veteran" in response.text
    assert "MAPPA" in response.text
    client.post(
        url, {"duplicate_client_id": duplicate.client_id, "compared": "1", "confirm": "on", "choice_phone": "keep"}
    )
    keep.refresh_from_db()
    assert keep.phone == "01111 111111"
    assert keep.veteran


def test_a_data_admin_undoes_a_merge_on_the_page(client, keep, duplicate, data_admin):
    merge = person_merge(actor=data_admin, keep=keep, duplicate=duplicate)
    client.force_login(data_admin)
    detail = client.get(reverse("referrals:person-detail", args=[keep.pk]))
    assert reverse("referrals:person-merge-undo", args=[merge.pk]) in detail.text
    url = reverse("referrals:person-merge-undo", args=[merge.pk])
    unconfirmed = client.post(url, {})
    assert 'href="#id_confirm">Confirm that you want to undo this merge' in unconfirmed.text
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    again = client.post(url, {"confirm": "on"})
    assert 'href="#id_confirm">This merge was already undone' in again.text


def test_editing_a_merged_record_on_the_page_is_refused_in_the_error_summary(client, merged, keep, staff, arm_team):
    user = staff(Role.ASSESSOR, team=arm_team)
    client.force_login(user)
    url = reverse("referrals:person-edit", args=[merged.pk])
    page = client.get(url)
    assert f"It was merged into {keep.client_id}" in page.text
    response = client.post(
        url,
        {
            "given_name": merged.given_name,
            "family_name": merged.family_name,
            "date_of_birth_day": merged.date_of_birth.day,
            "date_of_birth_month": merged.date_of_birth.month,
            "date_of_birth_year": merged.date_of_birth.year,
            "sex": merged.sex_id,
            "preferred_worker_gender": "not_stated",
            "phone": "1",
            "version": merged.version,
        },
    )
    assert response.status_code == 200
    assert f"This record was merged into {keep.client_id}" in response.text
    assert "There is a problem" in response.text


def test_someone_who_cannot_see_the_kept_record_gets_404_for_the_merged_one(client, merged, staff):
    client.force_login(staff(Role.KEYWORKER, team=TeamFactory(name="Elsewhere", kind=TeamKind.DELIVERY)))
    assert client.get(reverse("referrals:person-edit", args=[merged.pk])).status_code == 404


def test_demo_data_shows_a_merge_that_was_undone_and_one_in_force(capsys):
    from django.core.management import call_command

    call_command("seed_demo", people=200, seed=3)
    undone = PersonMerge.objects.get(undone_at__isnull=False)
    assert undone.merged.merged_into is None
    assert undone.merged.referrals.exists()
    in_force = PersonMerge.objects.get(undone_at__isnull=True)
    assert in_force.merged.merged_into == in_force.kept
    assert AuditEvent.objects.filter(details__has_key="merge_undone").count() == 2
