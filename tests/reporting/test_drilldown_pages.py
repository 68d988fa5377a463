"""The manager's KPI list and drill-down, the breach forecast page and the data quality page: what each role
may open, what the rows say, scope, audit, and a fixed number of queries for a short and a long list."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from core.choices import AuditAction, Role
from core.models import AuditEvent, DischargeReason, Ethnicity
from recovery_plans.factories import ModalityFactory
from recovery_plans.models import Intervention
from referrals.factories import AllocationFactory, EpisodeFactory
from referrals.models import TeamInvolvement
from reporting import forecast
from reporting.dq import missing_any_item
from reporting.kpis import snapshots
from reporting.kpis.engine import compute
from reporting.periods import month_containing, parse_period
from tests.referrals.episode_fixtures import *  # noqa: F403 (shared fixtures: teams, personas, episodes)

Q1 = parse_period("FY2025Q1")
TODAY = date(2026, 12, 7)
OTHER_ROLES = [
    Role.REFERRER,
    Role.ASSESSOR,
    Role.KEYWORKER,
    Role.PRESCRIBER,
    Role.HARM_REDUCTION_WORKER,
    Role.COMMISSIONER,
]


def started(team, *, referred_on, started_on, **person):
    episode = EpisodeFactory(
        opened_on=referred_on,
        referral__received_on=referred_on,
        referral__team=team,
        **{f"referral__person__{name}": value for name, value in person.items()},
    )
    ModalityFactory(
        episode=episode,
        intervention=Intervention.objects.get(code="CBT"),
        modality_type=Intervention.objects.get(code="CBT").modality_type,
        referred_on=referred_on,
        started_on=started_on,
    )
    return episode


@pytest.fixture
def w21_world(arm_team, esap_team):
    """In FY2025Q1: one ARM episode waited 29 days (fails W21), one waited 9 (passes); one ESAP failure."""
    late = started(arm_team, referred_on=date(2025, 3, 3), started_on=date(2025, 4, 1), given_name="Lou")
    on_time = started(arm_team, referred_on=date(2025, 4, 1), started_on=date(2025, 4, 10), given_name="Pat")
    other_team = started(esap_team, referred_on=date(2025, 3, 3), started_on=date(2025, 4, 2), given_name="Sam")
    return late, on_time, other_team


def drill(client, user, code="W21", **params):
    client.force_login(user)
    return client.get(reverse("reporting:kpi-drilldown", args=[code]), {"period": "FY2025Q1", **params})


def test_a_manager_drills_into_w21_and_reads_each_failure_in_words(client, manager, arm_team, w21_world):
    late, on_time, other_team = w21_world
    response = drill(client, manager, team=arm_team.pk)
    text = response.content.decode()
    assert response.status_code == 200
    assert "W21: waited 29 days, referred 3 March 2025, started 1 April 2025" in text
    assert reverse("referrals:episode-detail", args=[late.pk]) in text
    assert escape(str(on_time.person)) not in text
    assert escape(str(other_team.person)) not in text


def test_a_team_the_manager_does_not_manage_is_a_404(client, manager, esap_team, w21_world):
    assert drill(client, manager, team=esap_team.pk).status_code == 404


def test_a_data_admin_opens_any_team_and_the_whole_service(client, data_admin, esap_team, w21_world):
    _, _, other_team = w21_world
    assert escape(str(other_team.person)) in drill(client, data_admin, team=esap_team.pk).content.decode()
    whole = drill(client, data_admin).content.decode()
    assert "waited 29 days" in whole
    assert "waited 30 days" in whole


def test_a_failure_outside_the_readers_scope_is_not_listed_though_it_counts(client, manager, arm_team, w21_world):
    late, _, _ = w21_world
    TeamInvolvement.objects.filter(person=late.person).delete()
    response = drill(client, manager, team=arm_team.pk)
    assert escape(str(late.person)) not in response.content.decode()
    assert "No record you can see missed W21" in response.content.decode()


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_may_not_open_kpis_or_a_drill_down(client, staff, arm_team, role):
    user = staff(role, team=arm_team)
    client.force_login(user)
    assert client.get(reverse("reporting:team-kpis")).status_code == 403
    assert client.get(reverse("reporting:kpi-drilldown", args=["W21"])).status_code == 403
    assert client.get(reverse("api-kpi-failures", args=["W21"])).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for name in ("reporting:team-kpis", "reporting:at-risk", "reporting:data-quality"):
        assert client.get(reverse(name)).status_code == 302


def test_the_drill_down_is_audited_as_a_list_read(client, manager, arm_team, w21_world):
    drill(client, manager, team=arm_team.pk)
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="referrals.Episode").latest("pk")
    assert (event.actor, event.details["kpi"], event.details["count"]) == (manager, "W21", 1)


def test_an_unknown_kpi_or_period_is_a_404(client, manager, arm_team):
    assert drill(client, manager, code="NOPE").status_code == 404
    assert drill(client, manager, period="soon").status_code == 404


@pytest.mark.parametrize("failures", [2, 60])
def test_the_drill_down_runs_a_fixed_number_of_queries(
    client, manager, arm_team, failures, django_assert_max_num_queries
):
    for index in range(failures):
        started(arm_team, referred_on=date(2025, 3, 1), started_on=date(2025, 4, 1) + timedelta(days=index % 20))
    client.force_login(manager)
    url = reverse("reporting:kpi-drilldown", args=["W21"])
    with django_assert_max_num_queries(12):
        response = client.get(url, {"period": "FY2025Q1", "team": arm_team.pk})
    assert response.content.decode().count("W21: waited") == min(failures, 50)


def test_the_team_kpi_page_lists_every_kpi_and_links_the_missed_ones(client, manager, arm_team, w21_world):
    client.force_login(manager)
    response = client.get(reverse("reporting:team-kpis"), {"period": "FY2025Q1", "team": arm_team.pk})
    text = response.content.decode()
    assert response.status_code == 200
    for code in ("W21", "FC3", "RAP3", "SIR0", "DQ"):
        assert f"<strong>{code}</strong>" in text
    assert f"{reverse('reporting:kpi-drilldown', args=['W21'])}?period=FY2025Q1&amp;team={arm_team.pk}" in text
    assert "1 missed" in text
    assert "Not met" in text


def test_the_api_lists_the_same_failures_with_reasons(client, manager, arm_team, esap_team, w21_world):
    late, _, _ = w21_world
    client.force_login(manager)
    url = reverse("api-kpi-failures", args=["W21"])
    body = client.get(url, {"period": "FY2025Q1", "team": arm_team.pk}).json()
    assert body["count"] == 1
    assert body["results"][0]["record_id"] == late.pk
    assert body["results"][0]["reason"] == "W21: waited 29 days, referred 3 March 2025, started 1 April 2025"
    assert client.get(url, {"period": "FY2025Q1", "team": esap_team.pk}).status_code == 404


# ------------------------------------------------------------------------------------------- breach forecast


def waiting(team, days, today):
    referred = today - timedelta(days=days)
    episode = EpisodeFactory(opened_on=referred, referral__received_on=referred, referral__team=team)
    return ModalityFactory(
        episode=episode,
        intervention=Intervention.objects.get(code="CBT"),
        modality_type=Intervention.objects.get(code="CBT").modality_type,
        referred_on=referred,
    )


def test_projection_counts_each_at_risk_record_as_a_failure_of_the_quarter(arm_team):
    started(arm_team, referred_on=date(2026, 11, 2), started_on=date(2026, 11, 9))
    waiting(arm_team, 16, TODAY)
    quarter, projections = forecast.projection(team=arm_team, today=TODAY)
    w21 = {p.code: p for p in projections}["W21"]
    assert quarter.label == "FY2026Q3"
    assert (w21.so_far.numerator, w21.so_far.denominator) == (1, 1)
    assert (w21.at_risk, w21.projected.numerator, w21.projected.denominator) == (1, 1, 2)
    assert w21.projected.met is False


def test_projection_turns_an_open_modality_due_a_review_into_a_sir0_count(arm_team):
    episode = EpisodeFactory(opened_on=TODAY - timedelta(days=300), referral__team=arm_team)
    ModalityFactory(
        episode=episode,
        intervention=Intervention.objects.get(code="CBT"),
        modality_type=Intervention.objects.get(code="CBT").modality_type,
        referred_on=episode.opened_on,
        started_on=TODAY - timedelta(days=178),
    )
    sir0 = {p.code: p for p in forecast.projection(team=arm_team, today=TODAY)[1]}["SIR0"]
    assert (sir0.so_far.numerator, sir0.so_far.denominator) == (0, 1)
    assert (sir0.at_risk, sir0.projected.numerator, sir0.projected.denominator) == (1, 1, 1)


@pytest.fixture
def at_risk_world(arm_team, keyworker, delivery_team):
    today = date.today()
    mine = waiting(arm_team, 16, today)
    AllocationFactory(episode=mine.episode, keyworker=keyworker, team=delivery_team)
    theirs = waiting(arm_team, 17, today)
    return mine, theirs


def test_a_keyworker_sees_only_their_caseload_at_risk(client, keyworker, at_risk_world):
    mine, theirs = at_risk_world
    client.force_login(keyworker)
    text = client.get(reverse("reporting:at-risk")).content.decode()
    assert escape(str(mine.episode.person)) in text
    assert escape(str(theirs.episode.person)) not in text
    assert "so far, and if none of the records at risk is saved" not in text
    api = client.get(reverse("api-kpi-at-risk")).json()
    assert [row["record_id"] for row in api["results"]] == [mine.pk]


def test_a_manager_sees_the_teams_records_at_risk_and_the_projection(client, manager, arm_team, at_risk_world):
    mine, theirs = at_risk_world
    client.force_login(manager)
    response = client.get(reverse("reporting:at-risk"), {"team": arm_team.pk})
    text = response.content.decode()
    assert escape(str(mine.episode.person)) in text
    assert escape(str(theirs.episode.person)) in text
    assert "so far, and if none of the records at risk is saved" in text
    assert reverse("recovery_plans:modality-start", args=[mine.pk]) in text


def test_a_data_admin_sees_the_whole_services_records_at_risk(client, data_admin, esap_team, at_risk_world):
    mine, _ = at_risk_world
    elsewhere = waiting(esap_team, 18, date.today())
    client.force_login(data_admin)
    text = client.get(reverse("reporting:at-risk")).content.decode()
    assert escape(str(mine.episode.person)) in text
    assert escape(str(elsewhere.episode.person)) in text
    assert "Whole service" in text


@pytest.mark.parametrize(
    "role", [Role.REFERRER, Role.ASSESSOR, Role.PRESCRIBER, Role.HARM_REDUCTION_WORKER, Role.COMMISSIONER]
)
def test_other_roles_may_not_see_the_forecast(client, staff, arm_team, role):
    client.force_login(staff(role, team=arm_team))
    assert client.get(reverse("reporting:at-risk")).status_code == 403
    assert client.get(reverse("api-kpi-at-risk")).status_code == 403


@pytest.mark.parametrize("records", [1, 60])
def test_the_forecast_page_runs_a_fixed_number_of_queries(
    client, manager, arm_team, records, django_assert_max_num_queries
):
    today = date.today()
    for index in range(records):
        waiting(arm_team, 15 + index % 7, today)
    client.force_login(manager)
    with django_assert_max_num_queries(37):
        response = client.get(reverse("reporting:at-risk"), {"team": arm_team.pk})
    assert response.status_code == 200


# ---------------------------------------------------------------------------------------------- data quality


def incomplete_episode(**person):
    return EpisodeFactory(
        opened_on=date.today() - timedelta(days=10),
        referral__received_on=date.today() - timedelta(days=12),
        **{f"referral__person__{name}": value for name, value in person.items()},
    )


def test_the_dq_page_lists_missing_items_with_where_to_fill_them_and_the_count_falls(client, data_admin):
    episode = incomplete_episode(ethnicity=None, consent_asked_on=None)
    client.force_login(data_admin)
    url = reverse("reporting:data-quality")
    text = client.get(url).content.decode()
    assert "Ethnicity (ETHNIC)" in text
    assert "Main problem substance (DRUG1)" in text
    assert reverse("referrals:person-edit", args=[episode.person_id]) in text
    assert reverse("assessment:episode-assessment", args=[episode.pk]) in text
    before = client.get(reverse("api-data-quality-episodes")).json()["results"][0]
    episode.person.ethnicity = Ethnicity.objects.get(code="A")
    episode.person.save()
    after = client.get(reverse("api-data-quality-episodes")).json()["results"][0]
    assert after["filled"] == before["filled"] + 1
    assert "ETHNIC" not in [item["code"] for item in after["missing"]]
    assert "Ethnicity (ETHNIC)" not in client.get(url).content.decode()


def test_the_dq_page_shows_the_months_stored_figure_not_one_worked_out_on_each_request(client, data_admin):
    incomplete_episode(ethnicity=None)
    client.force_login(data_admin)
    url = reverse("reporting:data-quality")
    assert "Not worked out yet" in client.get(url).content.decode()
    month = month_containing(timezone.localdate())
    [snapshot] = snapshots.store(month, compute(month, codes=["DQ"]), job="nightly")
    text = client.get(url).content.decode()
    assert f"({snapshot.numerator} of {snapshot.denominator} items filled)" in text
    assert "Ethnicity (ETHNIC)" in text


def test_the_dq_list_of_this_month_is_its_open_episodes_and_a_past_month_keeps_those_discharged_since(db):
    still_open = incomplete_episode(ethnicity=None)
    discharged = incomplete_episode(ethnicity=None)
    discharged.discharged_on = date.today()
    discharged.discharge_reason = DischargeReason.objects.first()
    discharged.save()
    this_month = month_containing(date.today())
    assert list(missing_any_item(this_month)) == [still_open]
    # Open at the end of last month, both: the one discharged since is still in that month's list.
    for episode in (still_open, discharged):
        episode.opened_on = this_month.start - timedelta(days=40)
        episode.save()
    assert set(missing_any_item(this_month.previous())) == {still_open, discharged}


@pytest.mark.parametrize("role", [*OTHER_ROLES, Role.TEAM_MANAGER])
def test_only_data_admins_see_data_quality(client, staff, arm_team, role):
    client.force_login(staff(role, team=arm_team))
    assert client.get(reverse("reporting:data-quality")).status_code == 403
    assert client.get(reverse("api-data-quality-episodes")).status_code == 403


@pytest.mark.parametrize("episodes", [1, 60])
def test_the_dq_page_runs_a_fixed_number_of_queries(client, data_admin, episodes, django_assert_max_num_queries):
    for _ in range(episodes):
        incomplete_episode(ethnicity=None)
    client.force_login(data_admin)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("reporting:data-quality"))
    assert response.content.decode().count("(ETHNIC)") == min(episodes, 50)


def test_the_team_kpi_page_shows_the_stored_figures_and_works_them_out_on_request(client, manager, arm_team, w21_world):
    period = parse_period("FY2025Q1")
    figures = compute(period, team=arm_team)
    snapshots.store(period, {**figures, "W21": replace(figures["W21"], numerator=0, denominator=7)}, team=arm_team)
    client.force_login(manager)
    url = reverse("reporting:team-kpis")
    stored = client.get(url, {"period": "FY2025Q1", "team": arm_team.pk}).content.decode()
    assert "worked out on" in stored
    assert "0 of 7" in stored
    live = client.get(url, {"period": "FY2025Q1", "team": arm_team.pk, "live": "1"}).content.decode()
    assert "worked out just now" in live
    assert f"{figures['W21'].numerator} of {figures['W21'].denominator}" in live
    other = client.get(url, {"period": "FY2024Q4", "team": arm_team.pk}).content.decode()
    assert "worked out just now" in other
