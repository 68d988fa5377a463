"""The prescribing waits page: 10 working days from the modality referral, 5 from a DRR order."""

from datetime import date

import pytest
from django.urls import reverse

from core.errors import DomainError
from core.models import ModalitySetting
from prescribing import services
from prescribing.factories import ClinicalAssessmentFactory, PrescriptionFactory
from prescribing.waits import open_clocks, refresh_start_due, waits_board
from recovery_plans.models import Intervention, Modality
from referrals.choices import OrderKind
from referrals.factories import EpisodeFactory
from referrals.models import CommunityOrder, TeamInvolvement

pytestmark = pytest.mark.django_db


def _modality(episode, prescriber, referred_on):
    intervention = Intervention.objects.get(code="PRESC")
    modality = Modality.objects.create(
        episode=episode,
        modality_type=intervention.modality_type,
        setting=ModalitySetting.objects.get(code="6"),
        intervention=intervention,
        referred_on=referred_on,
        referred_by=prescriber,
    )
    refresh_start_due(Modality.objects.all())  # as `refer_modality` does
    modality.refresh_from_db()
    return modality


@pytest.mark.parametrize(("started_on", "breached"), [(date(2026, 3, 16), False), (date(2026, 3, 17), True)])
def test_start_on_the_10th_working_day_is_on_time_and_the_11th_a_breach(started_on, breached, episode, prescriber):
    _modality(episode, prescriber, date(2026, 3, 2))
    assessment = ClinicalAssessmentFactory(episode=episode, prescriber=prescriber, assessed_on=date(2026, 3, 3))
    PrescriptionFactory(clinical_assessment=assessment, starts_on=started_on)
    [row] = open_clocks(Modality.objects.all(), date(2026, 4, 1))
    assert row.due_on == date(2026, 3, 16)
    assert row.breached is breached
    # The waits page's SQL reads the same clock: a late start is listed as a breach, an on-time one not at all.
    board = waits_board(prescriber, date(2026, 4, 1), breaches_only=True)
    assert [m.start_due_on for m in board] == ([date(2026, 3, 16)] if breached else [])


@pytest.mark.parametrize(("today", "breached"), [(date(2027, 1, 5), False), (date(2027, 1, 6), True)])
def test_drr_clock_runs_5_working_days_from_the_order_across_christmas(today, breached, episode, prescriber):
    CommunityOrder.objects.create(
        person=episode.person, episode=episode, kind=OrderKind.DRR, order_date=date(2026, 12, 24), requirement_months=6
    )
    _modality(episode, prescriber, date(2026, 12, 24))
    [row] = open_clocks(Modality.objects.all(), today)
    assert row.drr
    assert row.due_on == date(2027, 1, 5)
    assert row.breached is breached
    assert waits_board(prescriber, today, breaches_only=True).exists() is breached
    assert waits_board(prescriber, today).exists()


def test_waits_page_lists_breaches_for_prescribers_only(client, episode, prescriber, allocation, staff):
    _modality(episode, prescriber, date(2026, 1, 5))
    client.force_login(prescriber)
    response = client.get(reverse("prescribing:waits") + "?breaches=1")
    assert response.status_code == 200
    assert len(response.context["rows"]) == 1
    client.force_login(allocation.keyworker)
    assert client.get(reverse("prescribing:waits")).status_code == 403


@pytest.mark.parametrize("count", [5, 40])
def test_waits_page_runs_a_fixed_number_of_queries(
    count, client, prescriber, prescribing_team, django_assert_max_num_queries
):
    for _ in range(count):
        episode = EpisodeFactory()
        TeamInvolvement.objects.create(person=episode.person, team=prescribing_team, since=date(2026, 1, 5), reason="x")
        _modality(episode, prescriber, date(2026, 1, 5))
    client.force_login(prescriber)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("prescribing:waits"))
    assert len(response.context["rows"]) == count


def test_a_prescription_links_only_to_a_modality_of_its_episode(episode, prescriber, methadone, pharmacy):
    other = _modality(EpisodeFactory(), prescriber, date(2026, 1, 5))
    mine = _modality(episode, prescriber, date(2026, 1, 5))
    assessment = ClinicalAssessmentFactory(episode=episode, prescriber=prescriber)
    fields = {"actor": prescriber, "episode": episode, "medication": methadone, "dose": "30", "pharmacy": pharmacy}
    fields |= {"regime": "stabilisation", "starts_on": assessment.assessed_on}
    with pytest.raises(DomainError):
        services.prescribe(modality=other, **fields)
    assert services.prescribe(modality=mine, **fields).modality == mine


@pytest.mark.parametrize("linked", [True, False])
def test_a_drr_start_soon_after_the_referral_but_late_for_the_order_is_on_the_board(linked, episode, prescriber):
    # The order came on 2 March and the referral on 16 March; prescribing started 3 days after the referral,
    # well inside 10 working days of it, but 5 working days from the order ended on 9 March: late.
    episode.referral.received_on = date(2026, 3, 1)
    episode.referral.save(update_fields=["received_on"])
    CommunityOrder.objects.create(
        person=episode.person,
        episode=episode if linked else None,
        kind=OrderKind.DRR,
        order_date=date(2026, 3, 2),
        requirement_months=6,
    )
    modality = _modality(episode, prescriber, date(2026, 3, 16))
    modality.started_on = date(2026, 3, 19)
    modality.save(update_fields=["started_on"])
    [row] = waits_board(prescriber, date(2026, 4, 1), breaches_only=True)
    assert (row.pk, row.start_due_on) == (modality.pk, date(2026, 3, 9))
