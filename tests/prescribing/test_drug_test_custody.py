"""Drug tests belong to a plan and a live episode (SPEC 10.4): refused with no plan version and dated after a
discharge; the sample's collection time and its chain of custody (collected, sealed, sent, received, each by
someone at a time) are rows, shown on the page and in the API."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.errors import DomainError
from core.models import DischargeReason, Substance
from prescribing import services
from prescribing.choices import CustodyStep, SampleType, TestResult
from prescribing.models import CustodyEvent, DrugTest
from referrals.models import Episode
from tests.prescribing.conftest import draft_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def heroin(db):
    return Substance.objects.get(code="1011")


@pytest.fixture
def day(episode):
    """A past day inside the episode, so every time on it is in the past."""
    return episode.opened_on + timedelta(days=2)


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def record(actor, episode, heroin, **overrides):
    fields = {
        "actor": actor,
        "episode": episode,
        "tested_on": episode.opened_on + timedelta(days=2),
        "sample_type": SampleType.URINE,
        "purpose": "Monitoring",
        "rationale": "Plan: monthly urine tests",
        "substances_tested": [heroin],
        "results": {heroin: TestResult.NEGATIVE},
        "collected_time": time(9, 30),
    }
    return services.record_drug_test(**{**fields, **overrides})


def refused(field, call, *args, **kwargs):
    with pytest.raises(DomainError) as error:
        call(*args, **kwargs)
    assert error.value.field == field, error.value
    return error.value.message


def _discharge(episode, on):
    Episode.objects.filter(pk=episode.pk).update(
        discharged_on=on, discharge_reason=DischargeReason.objects.get(code="80")
    )
    return Episode.objects.get(pk=episode.pk)


def _sealed(prescriber, episode, heroin):
    draft_plan(episode, prescriber)
    return record(prescriber, episode, heroin, chain_of_custody=True, sealed_time=time(9, 35), sealed_by="Nurse Patel")


class TestPlanAndEpisode:
    def test_no_plan_is_refused_and_a_draft_is_enough(self, episode, prescriber, heroin):
        assert "no recovery plan" in refused("rationale", record, prescriber, episode, heroin)
        assert not DrugTest.objects.exists()
        draft = draft_plan(episode, prescriber)
        assert record(prescriber, episode, heroin).plan_version == draft

    def test_dated_on_the_discharge_day_is_accepted_and_the_day_after_refused(self, episode, prescriber, heroin):
        draft_plan(episode, prescriber)
        discharged = _discharge(episode, episode.opened_on + timedelta(days=2))
        refused("tested_on", record, prescriber, discharged, heroin, tested_on=discharged.discharged_on + timedelta(1))
        assert record(prescriber, discharged, heroin, tested_on=discharged.discharged_on).episode == discharged


class TestCollectionAndCustody:
    def test_the_collection_is_the_first_custody_row(self, episode, prescriber, heroin, day):
        draft_plan(episode, prescriber)
        test = record(prescriber, episode, heroin, collected_by="HCA Jones")
        assert test.collected_at == _at(day, 9, 30)
        assert [(e.step, e.at, e.by) for e in test.custody.all()] == [
            (CustodyStep.COLLECTED, _at(day, 9, 30), "HCA Jones")
        ]

    def test_collected_by_defaults_to_the_recorder(self, episode, prescriber, heroin):
        draft_plan(episode, prescriber)
        event = record(prescriber, episode, heroin).custody.get()
        assert event.by == (prescriber.get_full_name() or prescriber.get_username())

    def test_the_collection_time_is_required_and_not_in_the_future(self, episode, prescriber, heroin):
        draft_plan(episode, prescriber)
        refused("collected_time", record, prescriber, episode, heroin, collected_time=None)
        in_an_hour = (timezone.localtime() + timedelta(hours=1)).time()
        if timezone.localtime().hour < 23:
            refused(
                "collected_time",
                record,
                prescriber,
                episode,
                heroin,
                tested_on=timezone.localdate(),
                collected_time=in_an_hour,
            )

    def test_chain_of_custody_needs_the_sealing_at_or_after_collection(self, episode, prescriber, heroin, day):
        draft_plan(episode, prescriber)
        refused("sealed_time", record, prescriber, episode, heroin, chain_of_custody=True, sealed_by="Nurse")
        refused(
            "sealed_time",
            record,
            prescriber,
            episode,
            heroin,
            chain_of_custody=True,
            sealed_time=time(9, 29),
            sealed_by="Nurse",
        )
        refused("sealed_by", record, prescriber, episode, heroin, chain_of_custody=True, sealed_time=time(9, 30))
        refused("chain_of_custody", record, prescriber, episode, heroin, sealed_time=time(9, 30), sealed_by="N")
        test = record(prescriber, episode, heroin, chain_of_custody=True, sealed_time=time(9, 30), sealed_by="Nurse")
        assert [e.step for e in test.custody.all()] == [CustodyStep.COLLECTED, CustodyStep.SEALED]

    def test_sent_and_received_follow_in_order(self, episode, prescriber, heroin, day):
        test = _sealed(prescriber, episode, heroin)
        add = services.drug_test_custody_add
        refused("step", add, actor=prescriber, test=test, step=CustodyStep.RECEIVED, at=_at(day, 15), by="Lab")
        refused("at", add, actor=prescriber, test=test, step=CustodyStep.SENT, at=_at(day, 9, 34), by="Courier")
        refused("by", add, actor=prescriber, test=test, step=CustodyStep.SENT, at=_at(day, 9, 35), by=" ")
        add(actor=prescriber, test=test, step=CustodyStep.SENT, at=_at(day, 9, 35), by="City Couriers")
        refused("step", add, actor=prescriber, test=test, step=CustodyStep.SENT, at=_at(day, 10), by="Again")
        refused("at", add, actor=prescriber, test=test, step=CustodyStep.RECEIVED, at=_at(day, 9, 34), by="Lab")
        refused(
            "at",
            add,
            actor=prescriber,
            test=test,
            step=CustodyStep.RECEIVED,
            at=timezone.now() + timedelta(hours=1),
            by="Lab",
        )
        add(actor=prescriber, test=test, step=CustodyStep.RECEIVED, at=_at(day + timedelta(1), 9), by="Tox lab")
        assert list(test.custody.values_list("step", flat=True)) == CustodyStep.values

    def test_a_sample_not_under_chain_of_custody_has_no_further_steps(self, episode, prescriber, heroin, day):
        draft_plan(episode, prescriber)
        test = record(prescriber, episode, heroin)
        refused(
            "step",
            services.drug_test_custody_add,
            actor=prescriber,
            test=test,
            step=CustodyStep.SENT,
            at=_at(day, 12),
            by="Courier",
        )


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _body(episode, heroin, **extra):
    return {
        "episode": episode.pk,
        "tested_on": str(episode.opened_on + timedelta(days=2)),
        "collected_time": "09:30",
        "sample_type": "urine",
        "purpose": "Monitoring",
        "rationale": "Plan: monthly urine tests",
        "substances_tested": [heroin.pk],
        "results": [{"substance": heroin.pk, "result": "negative"}],
        **extra,
    }


class TestApi:
    def test_a_sealed_test_shows_its_trail_and_takes_the_next_steps(self, episode, prescriber, heroin, day):
        draft_plan(episode, prescriber)
        body = _body(episode, heroin, chain_of_custody=True, sealed_time="09:40", sealed_by="Nurse Patel")
        response = api(prescriber).post("/api/v1/drug-tests/", body, format="json")
        assert response.status_code == 201, response.data
        assert [(row["step"], row["by"]) for row in response.data["custody"]] == [
            ("collected", prescriber.get_full_name() or prescriber.get_username()),
            ("sealed", "Nurse Patel"),
        ]
        path = f"/api/v1/drug-tests/{response.data['id']}/custody/"
        early = api(prescriber).post(path, {"step": "sent", "at": _at(day, 9, 39).isoformat(), "by": "X"})
        assert early.status_code == 400
        assert "at" in early.data
        sent = api(prescriber).post(path, {"step": "sent", "at": _at(day, 9, 40).isoformat(), "by": "City Couriers"})
        assert sent.status_code == 201
        detail = api(prescriber).get(f"/api/v1/drug-tests/{response.data['id']}/").data
        assert [row["step"] for row in detail["custody"]] == ["collected", "sealed", "sent"]
        assert detail["collected_at"].startswith(str(day))

    def test_no_plan_and_after_discharge_are_400_on_their_fields(self, episode, prescriber, heroin):
        response = api(prescriber).post("/api/v1/drug-tests/", _body(episode, heroin), format="json")
        assert response.status_code == 400
        assert "rationale" in response.data
        draft_plan(episode, prescriber)
        _discharge(episode, episode.opened_on + timedelta(days=1))
        response = api(prescriber).post("/api/v1/drug-tests/", _body(episode, heroin), format="json")
        assert response.status_code == 400
        assert "tested_on" in response.data

    def test_the_collection_time_is_required(self, episode, prescriber, heroin):
        draft_plan(episode, prescriber)
        body = _body(episode, heroin)
        del body["collected_time"]
        response = api(prescriber).post("/api/v1/drug-tests/", body, format="json")
        assert response.status_code == 400
        assert "collected_time" in response.data


def _form(episode, heroin, **extra):
    day = episode.opened_on + timedelta(days=2)
    return {
        "tested_on_day": day.day,
        "tested_on_month": day.month,
        "tested_on_year": day.year,
        "collected_time": "09:30",
        "sample_type": SampleType.URINE,
        "purpose": "Monitoring",
        "rationale": "Plan: monthly urine tests",
        "substances_tested": [heroin.pk],
        f"result_{heroin.pk}": "negative",
        **extra,
    }


def _in_summary(response, field):
    form = response.context["form"]
    html = response.content.decode()
    start = html.index("nhsuk-error-summary")
    summary = html[start : html.index("</ul>", start)]
    return form.errors[field], f'href="#{form[field].error_anchor}"' in summary


class TestPages:
    def test_no_plan_shows_on_the_rationale(self, client, episode, allocation, heroin):
        client.force_login(allocation.keyworker)
        response = client.post(reverse("prescribing:drug-test-new", args=[episode.pk]), _form(episode, heroin))
        errors, linked = _in_summary(response, "rationale")
        assert "no recovery plan" in errors[0]
        assert linked

    def test_missing_sealing_shows_on_the_sealed_time(self, client, episode, allocation, heroin, prescriber):
        draft_plan(episode, prescriber)
        client.force_login(allocation.keyworker)
        url = reverse("prescribing:drug-test-new", args=[episode.pk])
        response = client.post(url, _form(episode, heroin, chain_of_custody="on", sealed_by="Nurse"))
        errors, linked = _in_summary(response, "sealed_time")
        assert "sealed" in errors[0]
        assert linked
        response = client.post(url, _form(episode, heroin, collected_time=""))
        errors, linked = _in_summary(response, "collected_time")
        assert linked

    def test_the_trail_is_shown_and_the_next_step_recorded(self, client, episode, allocation, heroin, prescriber, day):
        test = _sealed(prescriber, episode, heroin)
        client.force_login(allocation.keyworker)
        page = client.get(reverse("prescribing:drug-tests", args=[episode.pk])).content.decode()
        assert "Collected: " in page
        assert "Sealed: " in page
        assert "by Nurse Patel" in page
        url = reverse("prescribing:drug-test-custody", args=[test.pk])
        assert url in page
        body = {"step": "sent", "on_day": day.day, "on_month": day.month, "on_year": day.year, "by": "Courier"}
        early = client.post(url, {**body, "at_time": "09:34"})
        errors, linked = _in_summary(early, "on")
        assert "cannot be before the sample was sealed" in errors[0]
        assert linked
        assert client.post(url, {**body, "at_time": "11:00"}).status_code == 302
        assert CustodyEvent.objects.filter(test=test, step=CustodyStep.SENT, by="Courier").exists()
        page = client.get(reverse("prescribing:drug-tests", args=[episode.pk])).content.decode()
        assert "Sent to the laboratory: " in page


def test_the_demo_keeps_custody_trails(db):
    from django.core.management import call_command

    call_command("seed_demo", people=60, seed=3)
    sealed = DrugTest.objects.filter(chain_of_custody=True).first()
    assert sealed is not None
    assert sealed.collected_at is not None
    assert {"collected", "sealed"} <= set(sealed.custody.values_list("step", flat=True))
    assert not DrugTest.objects.filter(plan_version__isnull=True).exists()
