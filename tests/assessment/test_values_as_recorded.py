"""Issue 14: a value is shown as recorded. 0 drinking days and 0 units are 0 on the assessment page, never
"Not recorded", which is kept for an answer nobody gave."""

import re

import pytest
from django.urls import reverse

from assessment.factories import AssessmentFactory

pytestmark = pytest.mark.django_db


def _row(page, label):
    match = re.search(rf"{label}</dt><dd class=\"nhsuk-summary-list__value\">([^<]*)</dd>", page, re.IGNORECASE)
    return match.group(1) if match else None


def test_zero_days_and_units_show_as_zero(client, episode, allocation, assessor):
    AssessmentFactory(episode=episode, alcohol_days=0, alcohol_units=0)
    client.force_login(assessor)
    page = client.get(reverse("assessment:episode-assessment", kwargs={"episode_pk": episode.pk})).content.decode()
    assert _row(page, "Alcohol drinking days in the last 28") == "0"
    assert _row(page, "Units on a typical drinking day") == "0"


def test_an_unanswered_question_says_not_recorded(client, episode, allocation, assessor):
    AssessmentFactory(episode=episode)
    client.force_login(assessor)
    page = client.get(reverse("assessment:episode-assessment", kwargs={"episode_pk": episode.pk})).content.decode()
    assert _row(page, "Alcohol drinking days in the last 28") == "Not recorded"
