"""Merge of two records of one person by a data admin: everything moves, the duplicate is marked."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pghistory.models
import pytest
from django.contrib.auth.models import Permission

from core.choices import AuditAction, Role, TeamKind
from core.errors import DomainError
from core.factories import TeamFactory
from core.models import AuditEvent
from referrals.choices import OrderKind, ReferralStatus, TaskKind
from referrals.factories import EpisodeFactory, PersonFactory, ReferralFactory
from referrals.models import (
    ArrestReferral,
    Carer,
    CommunityOrder,
    Person,
    PersonMerge,
    PersonUserObjectPermission,
    Referral,
    Task,
    TeamInvolvement,
)
from referrals.services.merge import person_merge

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def keep(arm_team):
    return ReferralFactory(team=arm_team, person__nhs_number="").person


@pytest.fixture
def duplicate(arm_team, staff):
    episode = EpisodeFactory(referral__team=arm_team, referral__person__nhs_number="9434765919")
    person = episode.person
    Carer.objects.create(
        person=person,
        name="Sam",
        relationship="Sister",
        support_started_on=date(2025, 1, 1),
        support_planned_end=date(2026, 1, 1),
    )
    CommunityOrder.objects.create(
        person=person, episode=episode, kind=OrderKind.DRR, order_date=date(2025, 1, 1), requirement_months=6
    )
    ArrestReferral.objects.create(
        person=person,
        trigger_offence="Theft",
        tested_at=datetime(2025, 1, 1, 9, tzinfo=LONDON),
        assessment_due_at=datetime(2025, 1, 2, 9, tzinfo=LONDON),
    )
    Task.objects.create(person=person, episode=episode, kind=TaskKind.OTHER, title="Call back", source_key="t-1")
    TeamInvolvement.objects.create(
        person=person,
        team=TeamFactory(name="Prescribing", kind=TeamKind.PRESCRIBING),
        since=date(2025, 1, 1),
        reason="referral",
    )
    PersonUserObjectPermission.objects.create(
        user=staff(Role.KEYWORKER), content_object=person, permission=Permission.objects.get(codename="view_person")
    )
    return person


def test_merge_moves_every_record_and_marks_the_duplicate(keep, duplicate, data_admin):
    person_merge(actor=data_admin, keep=keep, duplicate=duplicate)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == keep
    assert keep.referrals.count() == 2
    assert keep.episodes.count() == 1
    assert keep.carers.count() == keep.community_orders.count() == keep.arrest_referrals.count() == 1
    assert keep.tasks.count() == 1
    assert PersonUserObjectPermission.objects.filter(content_object=keep).count() == 1
    assert set(keep.team_involvements.values_list("team__name", flat=True)) == {"ARM", "Prescribing"}


def test_no_row_in_any_app_still_points_at_the_merged_duplicate(keep, duplicate, data_admin):
    person_merge(actor=data_admin, keep=keep, duplicate=duplicate)
    for relation in Person._meta.related_objects:
        if relation.many_to_many or relation.related_model is PersonMerge:
            continue
        if issubclass(relation.related_model, pghistory.models.Event):
            continue  # the change history keeps what was, on the record it was on
        left = relation.related_model._base_manager.filter(**{relation.field.name: duplicate})
        assert not left.exists(), relation.related_model


def test_merge_hands_the_nhs_number_to_the_kept_record(keep, duplicate, data_admin):
    person_merge(actor=data_admin, keep=keep, duplicate=duplicate)
    keep.refresh_from_db()
    assert keep.nhs_number == "9434765919"


def test_merge_is_audited_on_both_records(keep, duplicate, data_admin):
    person_merge(actor=data_admin, keep=keep, duplicate=duplicate)
    audited = AuditEvent.objects.filter(action=AuditAction.CHANGE, object_type="referrals.Person")
    assert set(audited.values_list("object_id", flat=True)) == {str(keep.pk), str(duplicate.pk)}
    assert len(audited.first().details["merge"]["moved"]["referrals.Referral.person"]) == 1


def test_merged_duplicate_disappears_from_every_list(keep, duplicate, data_admin):
    person_merge(actor=data_admin, keep=keep, duplicate=duplicate)
    assert list(Person.objects.visible_to(data_admin)) == [keep]


def test_only_a_data_admin_can_merge(keep, duplicate, staff, arm_team):
    with pytest.raises(DomainError):
        person_merge(actor=staff(Role.TEAM_MANAGER, team=arm_team), keep=keep, duplicate=duplicate)
    assert Referral.objects.filter(person=duplicate).exists()


def test_merge_refused_when_both_have_an_open_episode(duplicate, data_admin, arm_team):
    keep = EpisodeFactory(referral__team=arm_team, referral__status=ReferralStatus.ACCEPTED).person
    with pytest.raises(DomainError) as error:
        person_merge(actor=data_admin, keep=keep, duplicate=duplicate)
    assert "open episode" in error.value.message
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None


def test_a_record_cannot_be_merged_into_itself(keep, data_admin):
    with pytest.raises(DomainError):
        person_merge(actor=data_admin, keep=keep, duplicate=keep)


def test_an_already_merged_record_cannot_be_merged_again(keep, duplicate, data_admin):
    person_merge(actor=data_admin, keep=keep, duplicate=duplicate)
    with pytest.raises(DomainError):
        person_merge(actor=data_admin, keep=PersonFactory(), duplicate=duplicate)
