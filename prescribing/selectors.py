"""Read-side queries for the prescribing pages; each runs a fixed number of queries whatever the list length."""

from datetime import date

from django.db.models import Prefetch, Q

from prescribing.models import DrugTest, DrugTestResult, Prescription


def active_on(queryset, day: date):
    return queryset.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day)


def clinic_list(user, day: date) -> list[dict]:
    """People whose prescription is due for review or dispensing on `day`."""
    rows = []
    prescriptions = (
        active_on(Prescription.objects.visible_to(user), day)
        .select_related("person", "medication", "pharmacy")
        .order_by("person__family_name", "person__given_name", "pk")
    )
    for prescription in prescriptions:
        review_due = prescription.review_on is not None and prescription.review_on <= day
        dispensing_due = (day - prescription.starts_on).days % prescription.dispensing_interval_days == 0
        if review_due or dispensing_due:
            rows.append({"prescription": prescription, "review_due": review_due, "dispensing_due": dispensing_due})
    return rows


def prescribing_history(person):
    """Every dose of a person, oldest first, with planned steps: the timeline of doses."""
    return list(
        Prescription.objects.filter(person=person)
        .select_related("medication", "pharmacy", "prescriber", "supersedes")
        .prefetch_related("planned_steps")
        .order_by("medication__sort_order", "starts_on", "pk")
    )


def drug_tests(person):
    return list(
        DrugTest.objects.filter(person=person)
        .prefetch_related(Prefetch("results", queryset=DrugTestResult.objects.select_related("substance")))
        .order_by("-tested_on", "-pk")
    )
