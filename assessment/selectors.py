"""Reads the return and the KPI engine need from assessments (domain.md 4, 5 and 6)."""

import datetime
from collections.abc import Iterable

from django.db.models import OuterRef, Subquery

from assessment.models import Assessment, AssessmentSubstance
from core.choices import SubstanceGroup


def substance_group(groups: Iterable[str]) -> str | None:
    """domain.md 4: alcohol when every problem substance is alcohol; opiate when any is; otherwise non-opiate."""
    groups = set(groups)
    if not groups:
        return None
    if groups == {SubstanceGroup.ALCOHOL}:
        return SubstanceGroup.ALCOHOL
    return SubstanceGroup.OPIATE if SubstanceGroup.OPIATE in groups else SubstanceGroup.NON_OPIATE


def episode_substance_groups(episode_ids: Iterable[int], *, as_of: datetime.date | None = None) -> dict[int, str]:
    """The substance group of each episode, from DRUG1-3 of its latest assessment completed on or before `as_of`
    (any date when None). Episodes without such an assessment are left out: their group is not known, and the
    caller decides (PDA/PDD and REP-O/N cannot place them). One query for any number of episodes.

    Not scoped to a user: this is for aggregate figures (the KPI engine, the return), never for a page.
    """
    completed = Assessment.objects.filter(episode=OuterRef("assessment__episode"), completed_on__isnull=False)
    if as_of is not None:
        completed = completed.filter(completed_on__lte=as_of)
    latest = completed.order_by("-completed_on", "-id").values("pk")[:1]
    rows = AssessmentSubstance.objects.filter(
        assessment__episode_id__in=list(episode_ids), assessment=Subquery(latest)
    ).values_list("assessment__episode_id", "substance__group")
    found: dict[int, set[str]] = {}
    for episode_id, group in rows:
        found.setdefault(episode_id, set()).add(group)
    return {episode_id: substance_group(groups) for episode_id, groups in found.items()}
