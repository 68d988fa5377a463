import pytest

from assessment.models import AccommodationNeed, ChildrenLivingWith, DualDiagnosis, EmploymentStatus, ParentalStatus

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", [AccommodationNeed, EmploymentStatus, ParentalStatus, ChildrenLivingWith, DualDiagnosis]
)
def test_every_code_list_has_a_declined_or_not_known_code(model):
    assert model.objects.filter(label__icontains="declined / not known").count() == 1


def test_data_admin_can_edit_the_code_lists_in_the_admin(client, data_admin):
    client.force_login(data_admin)
    assert client.get("/admin/assessment/accommodationneed/").status_code in (200, 302)
    assert data_admin.has_perm("assessment.change_accommodationneed")
