import datetime

import pytest

from assessment.factories import AssessmentFactory, TopFactory
from referrals.caseload import due_items_for
from referrals.factories import EpisodeFactory
from tests.assessment.conftest import discharge

pytestmark = pytest.mark.django_db


def labels(items):
    return [(item.label, item.due_on) for item in items]


def test_caseload_shows_top_review_due_182_days_after_the_latest_top(episode):
    AssessmentFactory(episode=episode, completed_on=episode.opened_on)
    TopFactory(episode=episode, top_date=episode.opened_on)
    items = labels(due_items_for([episode.pk])[episode.pk])
    assert ("TOP review due", episode.opened_on + datetime.timedelta(days=182)) in items
    assert "Assessment due" not in [label for label, _ in items]


def test_caseload_shows_assessment_due_until_completed(episode):
    AssessmentFactory(episode=episode)
    assert ("Assessment due", None) in labels(due_items_for([episode.pk])[episode.pk])


def test_discharged_episodes_have_no_assessment_or_top_items(episode):
    TopFactory(episode=episode, top_date=episode.opened_on)
    discharge(episode, episode.opened_on + datetime.timedelta(days=1))
    items = [label for label, _ in labels(due_items_for([episode.pk])[episode.pk])]
    assert "Assessment due" not in items
    assert "TOP review due" not in items


def test_due_items_cost_the_same_for_5_and_60_episodes(django_assert_max_num_queries):
    few = [EpisodeFactory().pk for _ in range(5)]
    many = [EpisodeFactory().pk for _ in range(60)]
    with django_assert_max_num_queries(10) as captured:
        due_items_for(few)
    with django_assert_max_num_queries(len(captured.captured_queries)):
        due_items_for(many)
