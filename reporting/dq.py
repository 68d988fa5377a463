"""The data quality page's words and links for DQ's 15 required items (domain.md sections 6 and 6b).

Which item an episode lacks is the engine's: `population_rows("DQ", period)` gives each open episode a
`dq_<ITEM>` flag per item and `kpi_filled_items`, the same columns the DQ figure sums, so the page and the
figure cannot disagree. This module only says what each item is called and where it is put right, and reads the
month's stored figure (the whole service's DQ is a pass over every open episode: the nightly job computes it).
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from reporting.kpis.engine import KpiResult, population_rows
from reporting.models import KpiSnapshot
from reporting.periods import Period


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    # Where the item is put right: the person's details, the comprehensive assessment, or the BBV record.
    fixed_on: str


ITEMS = {
    "DOB": Item("DOB", "Date of birth", "person"),
    "SEX": Item("SEX", "Sex", "person"),
    "ETHNIC": Item("ETHNIC", "Ethnicity", "person"),
    "PC_OR_LA": Item("PC or LA", "Postcode or local authority", "person"),
    "GPPTCE": Item("GPPTCE", "GP practice code", "person"),
    "RFLS": Item("RFLS", "Referral source", "person"),
    "DRUG1": Item("DRUG1", "Main problem substance", "assessment"),
    "ROUTE": Item("ROUTE", "Route of the main substance", "assessment"),
    "INJSTAT": Item("INJSTAT", "Injecting status", "assessment"),
    "ACCMNEED": Item("ACCMNEED", "Accommodation need", "assessment"),
    "EMPSTAT": Item("EMPSTAT", "Employment status", "assessment"),
    "PRNTSTAT": Item("PRNTSTAT", "Parental status", "assessment"),
    "HEPBSTAT": Item("HEPBSTAT", "Answer to the hepatitis B vaccination offer", "bbv"),
    "HEPCSTAT": Item("HEPCSTAT", "Answer to the hepatitis C test offer", "bbv"),
    "CONSENT": Item("CONSENT", "Asked about consent to share the record", "person"),
}
PLACES = {
    "person": "the person's details",
    "assessment": "the comprehensive assessment",
    "bbv": "the BBV record",
}


# Oldest open episode first: the longest-standing gaps at the top.
DQ_ORDER = ("opened_on", "pk")


def missing_any_item(month: Period):
    """The month's DQ episodes that lack at least one item, in `DQ_ORDER` (the page and the API)."""
    rows = population_rows("DQ", month).filter(passes=False)
    if month.end >= timezone.localdate():
        # No discharge is dated in the future, so a month not yet over counts only the open episodes. Said
        # outright, the list walks `open_episode_opened_idx` rather than every episode ever opened.
        rows = rows.filter(discharged_on__isnull=True)
    return rows.select_related("person").order_by(*DQ_ORDER)


def missing_items(row) -> list[Item]:
    """The items a DQ row (an episode from the engine's DQ population) lacks, in the return's order."""
    return [item for name, item in ITEMS.items() if not getattr(row, f"dq_{name}")]


def fix_url(item: Item, episode) -> str:
    if item.fixed_on == "assessment":
        return reverse("assessment:episode-assessment", args=[episode.pk])
    if item.fixed_on == "bbv":
        return reverse("harm_reduction:person-bbv", args=[episode.person_id])
    return reverse("referrals:person-edit", args=[episode.person_id])


def fix_links(episode, items: list[Item]) -> list[dict]:
    return [{"item": item, "url": fix_url(item, episode), "place": PLACES[item.fixed_on]} for item in items]


def stored_figure(month: Period) -> tuple[KpiResult, object] | None:
    """The whole service's DQ for the month as last stored (by the nightly KPI job or `compute_kpis`), with when
    it was computed; None before it first is."""
    snapshot = (
        KpiSnapshot.objects.filter(kpi__code="DQ", period_label=month.label, team__isnull=True)
        .select_related("kpi")
        .first()
    )
    if snapshot is None:
        return None
    kpi = snapshot.kpi
    result = KpiResult(
        code=kpi.code,
        title=kpi.title,
        numerator=snapshot.numerator,
        denominator=snapshot.denominator,
        value=snapshot.value,
        threshold=snapshot.threshold,
        met=snapshot.met,
        kind=kpi.kind,
        direction=kpi.direction,
    )
    return result, snapshot.computed_at
