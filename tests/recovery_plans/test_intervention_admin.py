"""Data admins keep the intervention list in the admin; nobody deletes a code that old modalities point at."""

import pytest

from recovery_plans.models import Intervention

pytestmark = pytest.mark.django_db


def test_data_admin_sees_each_intervention_with_its_modality_type(client, data_admin):
    client.force_login(data_admin)
    response = client.get("/admin/recovery_plans/intervention/")
    assert response.status_code == 200
    first = Intervention.objects.select_related("modality_type").first()
    assert first.label in response.text
    assert str(first.modality_type) in response.text


def test_an_intervention_cannot_be_deleted_only_retired(client, data_admin):
    client.force_login(data_admin)
    intervention = Intervention.objects.first()
    response = client.get(f"/admin/recovery_plans/intervention/{intervention.pk}/delete/")
    assert response.status_code == 403
