"""Referrers never see a treatment record, on any page they can reach (issue 15, item 1; domain.md section 1):
the person page shows the referrals they made, never episodes, keyworkers, discharge reasons or task titles."""

from datetime import timedelta

import pytest
from django.urls import reverse

from core.choices import Role, TeamKind
from core.factories import TeamFactory
from core.models import DischargeReason
from referrals.choices import TaskKind
from referrals.factories import AllocationFactory, EpisodeFactory, PersonFactory, ReferralFactory
from referrals.models import Task

pytestmark = pytest.mark.django_db

TASK_TITLES = {
    TaskKind.MARAC_REFERRAL: "MARAC referral for domestic abuse",
    TaskKind.SAFEGUARDING: "Safeguarding concern raised",
    TaskKind.BREACH_REPORT: "Breach report to the police",
    TaskKind.ANTENATAL_LINK: "Link with antenatal care",
}
TREATMENT_WORDS = [
    *TASK_TITLES.values(),
    "Kira Keyworth",  # the keyworker
    "Episodes",
    "Harm reduction and blood-borne viruses",
    "Moved away",  # the discharge reason of an earlier episode
]


@pytest.fixture
def record(staff, arm_team):
    """A person a referrer recorded, now in treatment: an earlier discharged episode, an open one with a
    keyworker, and tasks with the titles a referrer must never read."""
    referrer = staff(Role.REFERRER, username="ref.gp")
    person = PersonFactory(created_by=referrer, given_name="Jordan", family_name="Pike")
    ReferralFactory(person=person, team=arm_team, created_by=referrer, reason="Asked for help at the surgery")
    reason = DischargeReason.objects.create(code="zz", label="Moved away", outcome="unplanned")
    earlier = EpisodeFactory(referral__person=person, referral__team=arm_team)
    earlier.discharged_on = earlier.opened_on + timedelta(days=30)
    earlier.discharge_reason = reason
    earlier.save()
    delivery = TeamFactory(name="Delivery North", kind=TeamKind.DELIVERY)
    keyworker = staff(Role.KEYWORKER, team=delivery, first_name="Kira", last_name="Keyworth")
    allocation = AllocationFactory(
        keyworker=keyworker, team=delivery, episode__referral__person=person, episode__referral__team=arm_team
    )
    for kind, title in TASK_TITLES.items():
        Task.objects.create(
            person=person,
            episode=allocation.episode,
            kind=kind,
            title=title,
            assigned_to=keyworker,
            source_key=f"test-{kind}",
        )
    return referrer, keyworker, person


def test_the_person_page_shows_a_referrer_their_referral_and_no_treatment_record(client, record):
    referrer, keyworker, person = record
    url = reverse("referrals:person-detail", args=[person.pk])
    client.force_login(keyworker)
    page = client.get(url).content.decode()
    for word in TREATMENT_WORDS:
        if word != "Harm reduction and blood-borne viruses":
            assert word in page, word
    client.force_login(referrer)
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Asked for help at the surgery" in page
    for word in TREATMENT_WORDS:
        assert word not in page, word
    assert response.context["episodes"] == []
    assert response.context["tasks"] == []
    # Only the referral they made, not the ones that opened the episodes.
    assert [r.created_by for r in response.context["referrals"]] == [referrer]


def test_no_page_a_referrer_reaches_names_a_treatment_record(client, record):
    referrer, _, person = record
    client.force_login(referrer)
    reachable = [
        "/",
        reverse("referrals:person-detail", args=[person.pk]),
        reverse("referrals:person-edit", args=[person.pk]),
        reverse("referrals:my-tasks"),
    ]
    for url in reachable:
        response = client.get(url)
        assert response.status_code in (200, 403, 404), url
        page = response.content.decode()
        for word in TASK_TITLES.values():
            assert word not in page, (url, word)
        assert "Kira Keyworth" not in page, url
    for episode in person.episodes.all():
        assert client.get(reverse("referrals:episode-detail", args=[episode.pk])).status_code == 404


def test_the_api_gives_a_referrer_no_episode_or_task(record):
    from rest_framework.test import APIClient

    referrer, _, person = record
    client = APIClient()
    client.force_authenticate(referrer)
    people = client.get(reverse("person-detail", args=[person.pk]))
    assert people.status_code == 200
    assert "Kira Keyworth" not in people.content.decode()
    for episode in person.episodes.all():
        assert client.get(f"/api/v1/episodes/{episode.pk}/").status_code == 404
    listed = client.get("/api/v1/episodes/")
    assert listed.status_code in (200, 403)
    if listed.status_code == 200:
        assert listed.json()["results"] == []
    tasks = client.get("/api/v1/tasks/")
    for word in TASK_TITLES.values():
        assert word not in tasks.content.decode()


@pytest.fixture
def worker_in_scope(record, staff, arm_team):
    """A harm reduction worker of the team the person was referred to, with an HIV referral of their own."""
    from referrals.models import TeamInvolvement

    _, _, person = record
    TeamInvolvement.objects.get_or_create(person=person, team=arm_team)
    worker = staff(Role.HARM_REDUCTION_WORKER, team=arm_team, username="hr.worker")
    Task.objects.create(
        person=person, kind=TaskKind.HIV_REFERRAL, title="Refer to the HIV clinic", team=arm_team, source_key="t-hiv"
    )
    return worker


def test_a_harm_reduction_worker_reads_no_treatment_task_title_on_page_or_api(client, record, worker_in_scope):
    """Task titles are treatment detail (referrals.querysets.TaskQuerySet): the worker in scope sees the person
    and the blood-borne-virus referral, not the MARAC, safeguarding, breach or antenatal tasks."""
    from rest_framework.test import APIClient

    _, _, person = record
    client.force_login(worker_in_scope)
    response = client.get(reverse("referrals:person-detail", args=[person.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for word in TASK_TITLES.values():
        assert word not in page, word
    assert [task.title for task in response.context["tasks"]] == ["Refer to the HIV clinic"]
    api = APIClient()
    api.force_authenticate(worker_in_scope)
    titles = [task["title"] for task in api.get("/api/v1/tasks/").json()["results"]]
    assert titles == ["Refer to the HIV clinic"]
    assert Task.objects.visible_to(worker_in_scope).filter(assigned_to__isnull=False).count() == 0


@pytest.mark.parametrize("who", ["referrer", "worker"])
def test_priority_groups_are_treatment_detail_on_page_and_api(client, record, worker_in_scope, who):
    from rest_framework.test import APIClient

    referrer, keyworker, person = record
    person.mappa = person.domestic_abuse = True
    person.save()
    user = referrer if who == "referrer" else worker_in_scope
    client.force_login(user)
    page = client.get(reverse("referrals:person-detail", args=[person.pk])).content.decode()
    assert "Priority groups" not in page
    assert "MAPPA" not in page
    api = APIClient()
    api.force_authenticate(user)
    body = api.get(reverse("person-detail", args=[person.pk])).json()
    assert "mappa" not in body
    assert "domestic_abuse" not in body
    assert body["family_name"] == "Pike"
    client.force_login(keyworker)
    assert "MAPPA" in client.get(reverse("referrals:person-detail", args=[person.pk])).content.decode()
    api.force_authenticate(keyworker)
    assert api.get(reverse("person-detail", args=[person.pk])).json()["mappa"] is True
