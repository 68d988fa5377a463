"""Read-side queries for the prescribing pages; each runs a fixed number of queries whatever the list length."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, DateField, ExpressionWrapper, F, Prefetch, Q, Value
from django.db.models.functions import Mod, NullIf

from core.sql import DaysBetween
from prescribing.models import DetoxPlan, DetoxStep, DrugTest, DrugTestResult, Prescription


def require_permission(user, permission: str) -> None:
    """Pages and API alike: staff whose role holds no prescribing permission (referrers, harm reduction) see
    none of it, even for a person they can otherwise see."""
    if not user.has_perm(permission):
        raise PermissionDenied("You cannot see prescribing records.")


def active_on(queryset, day: date):
    return queryset.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day)


CLINIC_ORDER = ("person__family_name", "person__given_name", "pk")


def clinic_list(user, day: date):
    """Prescriptions the user may see that are due on `day` for review (`review_due`) or dispensing
    (`dispensing_due`: a whole number of dispensing intervals since the start), in `CLINIC_ORDER`. The rule is
    SQL, so a page of a clinic of any size costs one query."""
    return (
        active_on(Prescription.objects.visible_to(user), day)
        .annotate(
            dispensing_offset=Mod(
                DaysBetween(Value(day, output_field=DateField()), F("starts_on")),
                NullIf(F("dispensing_interval_days"), 0),
            )
        )
        .annotate(
            review_due=ExpressionWrapper(Q(review_on__lte=day), output_field=BooleanField()),
            dispensing_due=ExpressionWrapper(Q(dispensing_offset=0), output_field=BooleanField()),
        )
        .filter(Q(review_on__lte=day) | Q(dispensing_offset=0))
        .select_related("person", "medication", "pharmacy")
    )


def prescribing_history(person):
    """Every dose of a person, oldest first, with planned steps: the timeline of doses."""
    return list(
        Prescription.objects.filter(person=person)
        .select_related("medication", "pharmacy", "prescriber", "supersedes", "modality__intervention")
        .prefetch_related("planned_steps")
        .order_by("medication__sort_order", "starts_on", "pk")
    )


def _with_results(tests):
    return (
        tests.select_related("plan_version", "goal", "recorded_by")
        .prefetch_related(
            Prefetch("results", queryset=DrugTestResult.objects.select_related("substance")),
            "substances_tested",
            "custody",
        )
        .order_by("-tested_on", "-pk")
    )


def drug_tests(person):
    return list(_with_results(DrugTest.objects.filter(person=person)))


def episode_drug_tests(episode):
    return list(_with_results(DrugTest.objects.filter(episode=episode)))


def detox_plans(episode):
    return list(
        DetoxPlan.objects.filter(episode=episode)
        .select_related("modality__intervention", "recorded_by", "support_worker")
        .prefetch_related(Prefetch("steps", queryset=DetoxStep.objects.select_related("medication")))
        .order_by("-planned_start", "-pk")
    )
