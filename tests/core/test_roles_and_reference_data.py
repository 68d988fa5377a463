import pytest
from django.contrib.auth.models import Group

from core.choices import DischargeOutcome, Role, SubstanceGroup
from core.models import DischargeReason, Ethnicity, InjectingStatus, ReferralSource, Substance

pytestmark = pytest.mark.django_db


def test_every_role_is_a_group():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.labels)


def test_data_admins_may_edit_reference_codes_but_keyworkers_may_not(staff, data_admin):
    assert data_admin.has_perm("core.change_substance")
    assert not staff(Role.KEYWORKER).has_perm("core.change_substance")


@pytest.mark.parametrize(
    ("code", "outcome"),
    [
        ("80", DischargeOutcome.SUCCESSFUL),
        ("83", DischargeOutcome.NEUTRAL),
        ("85", DischargeOutcome.UNSUCCESSFUL),
        ("87", DischargeOutcome.NEUTRAL),
        ("89", DischargeOutcome.UNSUCCESSFUL),
    ],
)
def test_discharge_reasons_carry_their_class(code, outcome):
    assert DischargeReason.objects.get(code=code).outcome == outcome


def test_reference_lists_are_loaded_whole():
    assert DischargeReason.objects.count() == 10
    assert Substance.objects.get(code="1011").group == SubstanceGroup.OPIATE
    assert Substance.objects.get(code="7000").group == SubstanceGroup.ALCOHOL
    assert ReferralSource.objects.get(code="6").group == "criminal_justice"
    assert Ethnicity.objects.count() == 17
    assert set(InjectingStatus.objects.filter(ever_injected=True).values_list("code", flat=True)) == {"C", "P"}


def test_a_retired_code_cannot_be_deleted_in_the_admin(admin_client):
    substance = Substance.objects.get(code="6000")
    assert admin_client.post(f"/admin/core/substance/{substance.pk}/delete/").status_code == 403
