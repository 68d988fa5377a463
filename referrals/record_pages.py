"""What other apps add to the episode and person pages, without referrals importing them.

Apps above referrals register providers in their AppConfig.ready():

    from referrals import record_pages
    record_pages.register_episode_links(links)   # links(episode, user) -> list[RecordLink]
    record_pages.register_person_panel(panel)    # panel(person, user) -> RecordPanel | None

A provider builds URLs without querying per link, and a panel runs a fixed number of queries, so both
pages cost the same however much a person has on record. A provider returns nothing for a user who may
not see that app's records.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RecordLink:
    label: str
    url: str
    hint: str = ""


@dataclass(frozen=True)
class RecordPanel:
    """A section of the person page: its heading, the template that renders it and that template's context."""

    title: str
    template: str
    context: dict = field(default_factory=dict)


EPISODE_LINK_PROVIDERS: list[Callable] = []
PERSON_PANEL_PROVIDERS: list[Callable] = []


def register_episode_links(provider: Callable) -> Callable:
    if provider not in EPISODE_LINK_PROVIDERS:
        EPISODE_LINK_PROVIDERS.append(provider)
    return provider


def register_person_panel(provider: Callable) -> Callable:
    if provider not in PERSON_PANEL_PROVIDERS:
        PERSON_PANEL_PROVIDERS.append(provider)
    return provider


def episode_links(episode, user) -> list[RecordLink]:
    return [link for provider in EPISODE_LINK_PROVIDERS for link in provider(episode, user)]


def person_panels(person, user) -> list[RecordPanel]:
    return [panel for provider in PERSON_PANEL_PROVIDERS if (panel := provider(person, user)) is not None]


def subject_access_panel(person, user):
    """The link to who viewed or changed the record (core's subject access), on a data admin's person page."""
    from django.urls import reverse

    from core.views_subject_access import is_data_admin

    if not is_data_admin(user):
        return None
    return RecordPanel(
        title="Subject access",
        template="core/subject_access_panel.html",
        context={"url": reverse("subject-access", args=[person.pk])},
    )
