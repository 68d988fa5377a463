"""What harm reduction adds to the person and episode pages (registered in apps.ready; referrals never imports
this app). The panel costs a fixed number of queries whatever the number of visits."""

from django.urls import reverse

from core import audit
from core.choices import AuditAction
from core.visibility import scope_for
from harm_reduction import selectors
from harm_reduction.views import is_worker
from referrals.record_pages import RecordLink, RecordPanel

PANEL_VISITS = 5


def person_panel(person, user) -> RecordPanel | None:
    """NSP visits of attenders linked to this person (never an anonymous one), hepatitis B, tests and naloxone.

    Nothing for a user who may see no identifiable record (commissioners); nothing when the person has no harm
    reduction record and the user could not add one. The read is audited like the person page itself."""
    if not scope_for(user).identifiable:
        return None
    records = selectors.person_records(user=user, person=person)
    counts = {name: len(records[name]) for name in ("visits", "courses", "tests", "naloxone")}
    can_record = is_worker(user)
    if not any(counts.values()) and not can_record:
        return None
    audit.record(AuditAction.VIEW, person, actor=user, details={"panel": "harm reduction", **counts})
    return RecordPanel(
        title="Harm reduction and blood-borne viruses",
        template="harm_reduction/person_panel.html",
        context={
            **records,
            "visit_count": counts["visits"],
            "visits": records["visits"][:PANEL_VISITS],
            "url": reverse("harm_reduction:person-bbv", args=[person.pk]),
            "can_record": can_record,
        },
    )


def episode_links(episode, user) -> list[RecordLink]:
    if not scope_for(user).identifiable:
        return []
    return [
        RecordLink(
            "Hepatitis B, blood-borne virus tests, NSP and naloxone",
            reverse("harm_reduction:person-bbv", args=[episode.person_id]),
            "Vaccination doses, test results and referrals",
        )
    ]
