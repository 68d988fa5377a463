"""The harm reduction panel on the person page and the link on the episode page: only linked attenders' visits,
never anonymous ones; nothing for commissioners; a fixed number of queries whatever the number of visits."""

from datetime import timedelta

from django.urls import reverse

from core.choices import AuditAction
from core.models import AuditEvent
from harm_reduction import services
from harm_reduction.choices import BbvTestKind, HepBOffer
from harm_reduction.record_pages import episode_links, person_panel


def panel_of(response):
    return next(p for p in response.context["record_panels"] if p.template == "harm_reduction/person_panel.html")


def test_panel_shows_linked_visits_only_never_anonymous_ones(
    client, worker, keyworker, hr_episode, site, needle, today
):
    person = hr_episode.person
    services.record_hep_b_offer(actor=worker, person=person, offer=HepBOffer.REFUSED, offered_on=today)
    # Same date of birth and sex as the person, never linked: a different attender who must not show.
    anonymous, _ = services.find_or_create_attender(
        actor=worker, initials="AN", date_of_birth=person.date_of_birth, sex=person.sex
    )
    services.record_nsp_visit(actor=worker, attender=anonymous, site=site, visited_on=today, issues=[(needle, 9)])
    linked, _ = services.find_or_create_attender(
        actor=worker, initials="LK", date_of_birth=person.date_of_birth, sex=person.sex
    )
    services.record_nsp_visit(actor=worker, attender=linked, site=site, visited_on=today, issues=[(needle, 4)])
    url = reverse("referrals:person-detail", args=[person.pk])

    client.force_login(keyworker)
    panel = panel_of(client.get(url))
    assert panel.context["visit_count"] == 0
    assert panel.context["visits"] == []

    services.link_attender(actor=worker, attender=linked, person=person)
    for user in (keyworker, worker):
        client.force_login(user)
        response = client.get(url)
        panel = panel_of(response)
        assert [v.attender.code for v in panel.context["visits"]] == [linked.code]
        assert panel.context["issued"] == 4
        page = response.content.decode()
        assert linked.code in page
        assert anonymous.code not in page
        assert "Refused" in page
    assert AuditEvent.objects.filter(
        actor=keyworker, action=AuditAction.VIEW, object_id=str(person.pk), details__panel="harm reduction"
    ).exists()


def test_panel_is_nothing_for_a_commissioner_and_the_page_is_404(client, worker, commissioner, hr_episode, today):
    person = hr_episode.person
    services.record_bbv_offer(actor=worker, person=person, kind=BbvTestKind.HIV, offered_on=today, accepted=True)
    assert person_panel(person, commissioner) is None
    assert episode_links(hr_episode, commissioner) == []
    client.force_login(commissioner)
    assert client.get(reverse("referrals:person-detail", args=[person.pk])).status_code == 404


def test_panel_left_out_when_nothing_recorded_and_user_cannot_record(keyworker, worker, hr_episode):
    assert person_panel(hr_episode.person, keyworker) is None
    assert person_panel(hr_episode.person, worker) is not None


def test_data_admin_sees_the_panel(client, worker, data_admin, hr_episode, today):
    services.record_bbv_offer(
        actor=worker, person=hr_episode.person, kind=BbvTestKind.HEP_C_PCR, offered_on=today, accepted=None
    )
    client.force_login(data_admin)
    panel = panel_of(client.get(reverse("referrals:person-detail", args=[hr_episode.person.pk])))
    assert [t.kind for t in panel.context["tests"]] == [BbvTestKind.HEP_C_PCR]


def test_person_page_queries_do_not_grow_with_visits(
    client, worker, keyworker, hr_episode, site, needle, male_attender_for, django_assert_max_num_queries, today
):
    person = hr_episode.person
    attender = male_attender_for(person)
    url = reverse("referrals:person-detail", args=[person.pk])

    def add(n):
        for i in range(n):
            services.record_nsp_visit(
                actor=worker, attender=attender, site=site, visited_on=today - timedelta(days=i), issues=[(needle, 1)]
            )
            services.record_bbv_offer(
                actor=worker, person=person, kind=BbvTestKind.HIV, offered_on=today, accepted=True
            )

    client.force_login(keyworker)
    add(2)
    with django_assert_max_num_queries(40) as small:
        assert panel_of(client.get(url)).context["visit_count"] == 2
    add(50)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert panel_of(response).context["visit_count"] == 52
    assert len(panel_of(response).context["visits"]) == 5


def test_episode_page_links_to_the_persons_harm_reduction_page(client, keyworker, hr_episode):
    client.force_login(keyworker)
    response = client.get(reverse("referrals:episode-detail", args=[hr_episode.pk]))
    assert reverse("harm_reduction:person-bbv", args=[hr_episode.person_id]) in response.content.decode()
