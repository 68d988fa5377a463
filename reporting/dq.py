"""The data quality page's words and links for DQ's 15 required items (domain.md sections 6 and 6b).

Which item an episode lacks is the engine's: `population_rows("DQ", period)` gives each open episode a
`dq_<ITEM>` flag per item and `kpi_filled_items`, the same columns the DQ figure sums, so the page and the
figure cannot disagree. This module only says what each item is called and where it is put right.
"""

from dataclasses import dataclass

from django.urls import reverse


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
