"""Actions only where they work (issue 14): on the person, episode and referral pages, every action link shown to
a role opens for that role. Walked per role over one person each role may see: a link that answers 403 or 404
would be an action offered to someone it refuses (a "Triage" for a referrer, an "Allocate" for a keyworker)."""

import re

import pytest
from django.urls import reverse

from core.choices import Role, TeamKind
from core.factories import TeamFactory
from referrals.choices import ReferralStatus
from referrals.factories import AllocationFactory, ReferralFactory

pytestmark = pytest.mark.django_db

ROLES = [role for role in Role if role != Role.COMMISSIONER]
# Links that leave the record rather than act on it: the person page links back and forth between its records.
MAIN = re.compile(r'<main[^>]*id="maincontent"[^>]*>(.*)</main>', re.S)
HREF = re.compile(r'href="(/[^"#?]*)')


@pytest.fixture
def world(staff):
    """One team; an open episode allocated to its keyworker; a second referral awaiting triage, recorded by the
    team's referrer; every role a member of the team."""
    team = TeamFactory(name="Delivery North", kind=TeamKind.DELIVERY)
    users = {role: staff(role, team=team, username=f"links.{role}") for role in ROLES}
    allocation = AllocationFactory(team=team, keyworker=users[Role.KEYWORKER], episode__referral__team=team)
    person = allocation.episode.person
    waiting = ReferralFactory(
        person=person, team=team, created_by=users[Role.REFERRER], status=ReferralStatus.AWAITING_TRIAGE
    )
    person.created_by = users[Role.REFERRER]
    person.save(update_fields=["created_by"])
    return users, person, allocation.episode, waiting


def action_links(html: str) -> set[str]:
    main = MAIN.search(html)
    return {href for href in HREF.findall(main.group(1) if main else "") if not href.startswith("/static/")}


@pytest.mark.parametrize("role", ROLES)
def test_every_action_link_shown_to_a_role_opens_for_it(client, world, role):
    users, person, episode, _ = world
    client.force_login(users[role])
    pages = [
        reverse("referrals:person-detail", args=[person.pk]),
        reverse("referrals:episode-detail", args=[episode.pk]),
    ]
    checked, refused = set(), []
    for page in pages:
        response = client.get(page)
        if response.status_code != 200:
            continue
        for link in sorted(action_links(response.text) - checked):
            checked.add(link)
            status = client.get(link).status_code
            if status not in (200, 302):
                refused.append(f"{page} -> {link}: {status}")
    assert checked, f"{role} saw no page with links"
    assert refused == []


def test_the_actions_each_role_is_offered(client, world):
    users, person, episode, waiting = world
    person_url = reverse("referrals:person-detail", args=[person.pk])
    triage = reverse("referrals:referral-triage", args=[waiting.pk])
    allocate = reverse("referrals:episode-allocate", args=[episode.pk])
    episode_url = reverse("referrals:episode-detail", args=[episode.pk])
    client.force_login(users[Role.REFERRER])
    assert triage not in client.get(person_url).text
    client.force_login(users[Role.ASSESSOR])
    assert triage in client.get(person_url).text
    client.force_login(users[Role.KEYWORKER])
    assert allocate not in client.get(episode_url).text
    client.force_login(users[Role.TEAM_MANAGER])
    assert allocate in client.get(episode_url).text
