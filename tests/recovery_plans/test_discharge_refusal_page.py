"""Issue 14: a refusal lands on what it is about. A discharge refused while modalities are open names them above
the form, and the error summary links there, not to the discharge date."""

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import DischargeReason
from referrals.models import Episode
from tests.recovery_plans.test_modality_closed_unstarted import waiting
from tests.referrals.episode_fixtures import *  # noqa: F403 (shared fixtures)

pytestmark = pytest.mark.django_db


def test_the_discharge_refusal_links_to_the_open_modalities(client, allocated_episode, keyworker):
    modality = waiting(allocated_episode, 10)
    client.force_login(keyworker)
    url = reverse("referrals:episode-discharge", args=[allocated_episode.pk])
    assert 'id="open-modalities"' in client.get(url).content.decode()
    today = timezone.localdate()
    response = client.post(
        url,
        {
            "version": allocated_episode.version,
            "reason": DischargeReason.objects.get(code="85").pk,
            "discharged_on_day": today.day,
            "discharged_on_month": today.month,
            "discharged_on_year": today.year,
        },
    )
    page = response.content.decode()
    assert page.count('class="nhsuk-error-summary"') == 1
    assert f'<a href="#open-modalities">End these modalities before discharging: {modality.intervention}' in page
    assert Episode.objects.get(pk=allocated_episode.pk).discharged_on is None
