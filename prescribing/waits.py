"""The prescribing waiting clock: prescribing starts within 10 working days of the referral to a pharmacological
modality, or within 5 working days of the community order for a DRR. Used by the waits page and the team board."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Min, OuterRef, Q, Subquery

from prescribing import services
from prescribing.models import Prescription
from recovery_plans.models import Modality
from referrals.choices import OrderKind
from referrals.models import CommunityOrder, Person

PHARMACOLOGICAL = "94"


@dataclass(frozen=True)
class Wait:
    modality: Modality
    due_on: date
    started_on: date | None
    breached: bool
    drr: bool


def waits(user, today: date) -> list[Wait]:
    """Every visible pharmacological modality of an open episode, with its clock (three queries in all)."""
    first_start = (
        Prescription.objects.filter(episode=OuterRef("episode"), starts_on__gte=OuterRef("referred_on"))
        .values("episode")
        .annotate(first=Min("starts_on"))
        .values("first")
    )
    drr_order = (
        # The order behind this episode: linked to it, or made for the person since its referral arrived.
        CommunityOrder.objects.filter(kind=OrderKind.DRR)
        .filter(
            Q(episode=OuterRef("episode"))
            | Q(
                episode__isnull=True,
                person=OuterRef("episode__person"),
                order_date__gte=OuterRef("episode__referral__received_on"),
            )
        )
        .order_by("-order_date")
        .values("order_date")[:1]
    )
    modalities = (
        Modality.objects.filter(
            modality_type__code=PHARMACOLOGICAL,
            ended_on__isnull=True,
            episode__discharged_on__isnull=True,
            episode__person__in=Person.objects.visible_to(user),
        )
        .annotate(first_start=Subquery(first_start), drr_order_date=Subquery(drr_order))
        .select_related("episode__person")
        .order_by("referred_on", "pk")
    )
    rows = []
    for modality in modalities:
        due_on = services.prescribing_due_on(referred_on=modality.referred_on, drr_order_date=modality.drr_order_date)
        rows.append(
            Wait(
                modality=modality,
                due_on=due_on,
                started_on=modality.first_start,
                breached=services.is_breach(due_on=due_on, started_on=modality.first_start, today=today),
                drr=modality.drr_order_date is not None,
            )
        )
    return rows
