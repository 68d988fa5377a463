"""The episode page links to the assessment, the TOP form and the outcomes page (referrals.record_pages)."""

import datetime

import pytest
from django.urls import reverse

from assessment import links
from assessment.factories import AssessmentFactory, CompleteAssessmentFactory, TopFactory
from core.choices import Role
from core.models import DischargeReason
from core.visibility import scope_for

pytestmark = pytest.mark.django_db


def _labels(found):
    return [link.label for link in found]


def test_the_episode_page_shows_the_assessment_and_outcome_links(client, allocation):
    episode = allocation.episode
    client.force_login(allocation.keyworker)
    text = client.get(reverse("referrals:episode-detail", kwargs={"pk": episode.pk})).content.decode()
    assert reverse("assessment:episode-assessment", kwargs={"episode_pk": episode.pk}) in text
    assert reverse("assessment:person-outcomes", kwargs={"person_pk": episode.person_id}) in text
    assert reverse("assessment:top-new", kwargs={"episode_pk": episode.pk}) in text
    assert "Comprehensive assessment" in text
    assert "Not started" in text


def test_the_hints_say_when_the_assessment_was_completed_and_when_the_review_top_is_due(allocation):
    episode = allocation.episode
    CompleteAssessmentFactory(episode=episode, completed_on=datetime.date(2026, 10, 1))
    AssessmentFactory(episode=episode)
    TopFactory(episode=episode, top_date=datetime.date(2026, 10, 2))
    found = {link.label: link for link in links.episode_links(episode, allocation.keyworker)}
    assert found["Comprehensive assessment"].hint == "Completed 1 October 2026; a reassessment is in progress"
    assert found["Outcomes (TOP): start against latest review"].hint == (
        "Latest TOP 2 October 2026; review due 2 April 2027"
    )


def test_a_discharged_episode_has_no_review_top_due(allocation):
    episode = allocation.episode
    TopFactory(episode=episode, top_date=episode.opened_on)
    episode.discharged_on = episode.opened_on
    episode.discharge_reason = DischargeReason.objects.get(code="80")
    episode.save()
    found = {link.label: link for link in links.episode_links(episode, allocation.keyworker)}
    assert "review due" not in found["Outcomes (TOP): start against latest review"].hint


def test_a_worker_who_cannot_see_the_episode_gets_no_links(allocation, unrelated_keyworker):
    assert links.episode_links(allocation.episode, unrelated_keyworker) == []


def test_a_prescriber_who_sees_the_episode_reads_but_is_not_offered_the_top_form(staff, arm_team, allocation):
    prescriber = staff(Role.PRESCRIBER, team=arm_team)
    labels = _labels(links.episode_links(allocation.episode, prescriber))
    assert "Comprehensive assessment" in labels
    assert "Record a TOP" not in labels


def test_the_links_cost_one_query_however_many_assessments_and_tops(allocation, django_assert_num_queries):
    episode, keyworker = allocation.episode, allocation.keyworker
    for day in range(1, 6):
        CompleteAssessmentFactory(episode=episode, completed_on=episode.opened_on + datetime.timedelta(days=day))
        TopFactory(episode=episode, top_date=episode.opened_on + datetime.timedelta(days=day))
    scope_for(keyworker)  # the user's scope is read once per request, before any provider runs
    with django_assert_num_queries(1):
        found = links.episode_links(episode, keyworker)
    assert len(found) == 3
