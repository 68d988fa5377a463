"""The same substance cannot fill two ranks of an assessment (issue 11): DRUG1-3 are different substances."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import escape
from rest_framework.test import APIClient

from assessment import services
from assessment.models import AssessmentSubstance
from core.errors import DomainError
from core.models import Substance

pytestmark = pytest.mark.django_db

REPEATED_AS_SECOND = (
    "Substance 2 (DRUG2): Heroin is already recorded as the main substance (DRUG1). "
    "Choose a different substance or leave this one empty."
)


def _code(code):
    return Substance.objects.get(code=code)


def _save(assessment, assessor, rows):
    return services.save_section(
        assessment=assessment, user=assessor, section="drugs", data={}, expected_version=1, substances=rows
    )


def test_a_substance_repeated_in_the_second_rank_is_refused_on_that_rank(episode, assessor):
    assessment = services.start_assessment(episode=episode, user=assessor)
    with pytest.raises(DomainError) as exc:
        _save(assessment, assessor, [{"substance": _code("1011")}, {"substance": _code("1011")}])
    assert exc.value.field == "substance_2"
    assert exc.value.message == REPEATED_AS_SECOND
    assert not assessment.substances.exists()


def test_a_repeat_in_the_third_row_after_an_empty_second_is_refused_on_the_third(episode, assessor):
    assessment = services.start_assessment(episode=episode, user=assessor)
    with pytest.raises(DomainError) as exc:
        _save(assessment, assessor, [{"substance": _code("7000")}, {}, {"substance": _code("7000")}])
    assert exc.value.field == "substance_3"
    assert "already recorded as the main substance (DRUG1)" in exc.value.message


def test_three_different_substances_fill_three_ranks(episode, assessor):
    assessment = services.start_assessment(episode=episode, user=assessor)
    _save(assessment, assessor, [{"substance": _code(c)} for c in ("1011", "3201", "7000")])
    assert [(s.rank, s.substance.code) for s in assessment.substances.order_by("rank")] == [
        (1, "1011"),
        (2, "3201"),
        (3, "7000"),
    ]


def test_the_database_refuses_one_substance_in_two_ranks(episode, assessor):
    assessment = services.start_assessment(episode=episode, user=assessor)
    AssessmentSubstance.objects.create(assessment=assessment, rank=1, substance=_code("1011"))
    with pytest.raises(IntegrityError, match="one_rank_per_substance"), transaction.atomic():
        AssessmentSubstance.objects.create(assessment=assessment, rank=2, substance=_code("1011"))


def test_the_drugs_page_shows_the_repeat_in_the_error_summary_against_the_second_substance(client, episode, assessor):
    assessment = services.start_assessment(episode=episode, user=assessor)
    client.force_login(assessor)
    heroin = _code("1011").pk
    response = client.post(
        reverse("assessment:section", args=[assessment.pk, "drugs"]),
        {"version": 1, "substance_1": heroin, "substance_2": heroin},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["substance_2"] == [REPEATED_AS_SECOND]
    assert f'<a href="#id_substance_2">{escape(REPEATED_AS_SECOND)}</a>' in response.content.decode()
    assert not assessment.substances.exists()


def test_the_api_answers_400_naming_the_repeated_rank(episode, assessor):
    assessment = services.start_assessment(episode=episode, user=assessor)
    api = APIClient()
    api.force_authenticate(assessor)
    heroin = _code("1011").pk
    response = api.post(
        f"/api/v1/assessments/{assessment.pk}/section/",
        {"section": "drugs", "version": 1, "data": {}, "substances": [{"substance": heroin}, {"substance": heroin}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"substance_2": [REPEATED_AS_SECOND]}
