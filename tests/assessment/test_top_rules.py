import datetime

import pytest
from django.utils import timezone

from assessment import services
from assessment.charts import outcome_chart_svg
from assessment.factories import TopFactory
from assessment.models import TOP_RATINGS, TOP_WEEKLY_ITEMS, Top
from core.errors import DomainError
from core.models import TreatmentStage
from tests.assessment.conftest import discharge

pytestmark = pytest.mark.django_db


def ratings(value=10):
    return {prefix: value for prefix, _n, _l in TOP_RATINGS}


def record(episode, user, stage="S", top_date=None, **values):
    return services.record_top(
        episode=episode,
        user=user,
        stage=stage,
        top_date=top_date or timezone.localdate(),
        values={**ratings(), **values},
    )


def test_weekly_columns_are_kept_and_summed_to_days_in_the_past_28(episode, assessor):
    top = record(episode, assessor, alcohol_week1=7, alcohol_week2=7, alcohol_week3=7, alcohol_week4=7, crack_week2=3)
    top.refresh_from_db()
    assert top.alcohol == 28
    assert top.crack == 3
    assert (top.crack_week1, top.crack_week2) == (0, 3)


def test_more_than_7_days_in_a_week_is_refused_naming_the_item(episode, assessor):
    with pytest.raises(DomainError) as exc:
        record(episode, assessor, opiates_week3=8)
    assert exc.value.field == "opiates_week3"
    assert "Opiates" in exc.value.message
    assert not Top.objects.exists()


@pytest.mark.parametrize("value", [-1, 21])
def test_ratings_outside_0_to_20_are_refused(episode, assessor, value):
    with pytest.raises(DomainError) as exc:
        record(episode, assessor, quality_of_life=value)
    assert exc.value.field == "quality_of_life"
    assert not Top.objects.exists()


@pytest.mark.parametrize("value", [0, 20])
def test_ratings_of_0_and_20_are_accepted(episode, assessor, value):
    assert record(episode, assessor, physical_health=value).physical_health == value


def test_a_top_dated_before_the_episode_opened_is_refused(episode, assessor):
    with pytest.raises(DomainError) as exc:
        record(episode, assessor, top_date=episode.opened_on - datetime.timedelta(days=1))
    assert exc.value.field == "top_date"
    assert record(episode, assessor, top_date=episode.opened_on).top_date == episode.opened_on


def test_a_top_dated_after_discharge_is_refused(episode, assessor):
    discharge(episode, timezone.localdate() - datetime.timedelta(days=5))
    with pytest.raises(DomainError) as exc:
        record(episode, assessor, stage="E", top_date=episode.discharged_on + datetime.timedelta(days=1))
    assert exc.value.field == "top_date"
    assert not Top.objects.exists()


def test_a_second_start_top_is_refused(episode, assessor):
    record(episode, assessor)
    with pytest.raises(DomainError) as exc:
        record(episode, assessor)
    assert exc.value.field == "stage"
    assert Top.objects.count() == 1


def test_the_start_top_belongs_to_the_assessment(episode, assessor):
    assessment = services.start_assessment(episode=episode, user=assessor)
    assert record(episode, assessor).assessment == assessment


def test_review_top_is_due_182_days_after_the_latest_top_from_29_february(episode):
    episode.opened_on = datetime.date(2024, 1, 10)
    episode.save()
    TopFactory(episode=episode, top_date=datetime.date(2024, 2, 29))
    assert services.review_top_due_on(episode) == datetime.date(2024, 8, 29)


def test_review_top_due_counts_from_the_latest_top(episode):
    TopFactory(episode=episode, top_date=episode.opened_on)
    later = episode.opened_on + datetime.timedelta(days=10)
    TopFactory(episode=episode, top_date=later, stage=TreatmentStage.objects.get(code="R"))
    assert services.review_top_due_on(episode) == later + datetime.timedelta(days=182)


def test_no_review_top_falls_due_once_discharged_or_before_any_top(episode):
    assert services.review_top_due_on(episode) is None
    TopFactory(episode=episode, top_date=episode.opened_on)
    discharge(episode, timezone.localdate())
    assert services.review_top_due_on(episode) is None


def test_exit_top_prompt_is_raised_until_an_exit_top_exists(episode):
    assert services.exit_top_prompt(episode) is False
    TopFactory(episode=episode, top_date=episode.opened_on)
    assert services.exit_top_prompt(episode) is True
    TopFactory(episode=episode, stage=TreatmentStage.objects.get(code="E"))
    assert services.exit_top_prompt(episode) is False


def test_outcome_chart_labels_each_bar_with_its_value(episode):
    start = TopFactory(episode=episode, top_date=episode.opened_on, alcohol=20, quality_of_life=4)
    review = TopFactory(episode=episode, stage=TreatmentStage.objects.get(code="R"), alcohol=6, quality_of_life=14)
    svg = outcome_chart_svg(start, review)
    assert svg.startswith("<svg")
    assert "Start: 20 days" in svg
    assert "Review: 6 days" in svg
    assert "Review: 14 out of 20" in svg
    assert svg.count("<rect") >= 2 * (len(TOP_WEEKLY_ITEMS) + len(TOP_RATINGS))
