"""Least privilege per role, decided once (issue 15, item 2; domain.md section 1): a harm reduction worker sees
the person's identity and NSP/BBV records, not full assessments, TOPs, court orders, breach reports or carers;
the roles that treat the person do. The rule is `ScopedToPersonQuerySet.treatment_detail` with
`referrals.roles.TREATMENT_DETAIL_ROLES`."""

from datetime import date

import pytest

from assessment.models import Assessment, AssessmentSubstance, Top
from core.choices import Role
from referrals.factories import ReferralFactory
from referrals.models import BreachReport, Carer, CommunityOrder, Person, TeamInvolvement

pytestmark = pytest.mark.django_db

TREATMENT_DETAIL = [Assessment, AssessmentSubstance, Top, CommunityOrder, BreachReport, Carer]


@pytest.fixture
def person(arm_team):
    person = ReferralFactory(team=arm_team).person
    TeamInvolvement.objects.get_or_create(person=person, team=arm_team)
    order = CommunityOrder.objects.create(person=person, kind="DRR", order_date=date(2025, 1, 6), requirement_months=6)
    BreachReport.objects.create(order=order, missed_appointment_on=date(2025, 2, 3), due_on=date(2025, 2, 5))
    Carer.objects.create(
        person=person,
        name="A carer",
        relationship="Sister",
        support_started_on=date(2025, 1, 6),
        support_planned_end=date(2026, 1, 6),
    )
    return person


@pytest.mark.parametrize(
    ("role", "sees_detail"),
    [
        (Role.HARM_REDUCTION_WORKER, False),
        (Role.ASSESSOR, True),
        (Role.TEAM_MANAGER, True),
        (Role.PRESCRIBER, True),
        (Role.DATA_ADMIN, True),
    ],
)
@pytest.mark.parametrize("model", [CommunityOrder, BreachReport, Carer])
def test_court_orders_breach_reports_and_carers_per_role(staff, arm_team, person, role, sees_detail, model):
    user = staff(role, team=arm_team)
    assert Person.objects.visible_to(user).filter(pk=person.pk).exists()
    assert model.objects.visible_to(user).exists() == sees_detail


@pytest.mark.parametrize("model", TREATMENT_DETAIL)
def test_a_harm_reduction_worker_reads_no_treatment_detail_of_any_kind(staff, arm_team, model):
    worker = staff(Role.HARM_REDUCTION_WORKER, team=arm_team)
    assert model.objects.visible_to(worker).query.is_empty()


@pytest.mark.parametrize("model", TREATMENT_DETAIL)
def test_a_harm_reduction_worker_who_is_also_a_keyworker_keeps_the_keyworkers_scope(staff, arm_team, model):
    user = staff(Role.HARM_REDUCTION_WORKER, team=arm_team)
    user.groups.add(*staff(Role.KEYWORKER).groups.all())
    if hasattr(user, "_visibility_scope"):
        del user._visibility_scope
    assert not model.objects.visible_to(user).query.is_empty()
