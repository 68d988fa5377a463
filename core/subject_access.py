"""Who viewed or changed a person's record, for a subject access request (issue 15, item 10).

Two lists: every audit row about the person or one of their records (a read, a change, an export, a list the
record was shown in), and every change the database triggers captured (core.history). Each list is one
query for its page and one for its count, whatever the person has on record.
"""

from django.apps import apps
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Cast
from pghistory.models import Context

from core.history import CLINICAL_MODELS
from core.models import AuditEvent, User

# How each record reaches its person. A model missing here is still found by its own audit rows' `person`.
PERSON_PATHS = {
    "referrals.Person": "pk",
    "referrals.Referral": "person",
    "referrals.Episode": "person",
    "referrals.Allocation": "episode__person",
    "assessment.Assessment": "episode__person",
    "assessment.Top": "episode__person",
    "recovery_plans.RecoveryPlan": "episode__person",
    "recovery_plans.PlanVersion": "plan__episode__person",
    "recovery_plans.Goal": "plan_version__plan__episode__person",
    "recovery_plans.Action": "goal__plan_version__plan__episode__person",
    "recovery_plans.Modality": "episode__person",
    "prescribing.Prescription": "person",
    "prescribing.DrugTest": "person",
    "harm_reduction.BbvTest": "person",
    "harm_reduction.HepBCourse": "person",
}


def record_ids(person) -> dict[str, list[int]]:
    """The ids of the person's records by model label: one query (a UNION)."""
    parts = [
        apps.get_model(label)
        .objects.filter(**{path: person.pk})
        .annotate(label=Value(label, output_field=CharField()))
        .values_list("label", "pk")
        for label, path in PERSON_PATHS.items()
    ]
    ids: dict[str, list[int]] = {label: [] for label in PERSON_PATHS}
    for label, pk in parts[0].union(*parts[1:], all=True):
        ids[label].append(pk)
    return ids


def audit_rows(person, ids: dict[str, list[int]] | None = None):
    """Every audit row naming the person or one of their records, newest first: a row about the record
    itself, a list that showed it (`details.ids`), or a row about the person's page (`details.person`)."""
    ids = record_ids(person) if ids is None else ids
    about = Q(details__person=person.pk) | Q(details__shown__contains=[person.pk])
    for label, pks in ids.items():
        if not pks:
            continue
        about |= Q(object_type=label, object_id__in=[str(pk) for pk in pks])
        for pk in pks:
            about |= Q(object_type=label, details__ids__contains=[pk])
    return AuditEvent.objects.filter(about).order_by("-at", "-id")


def changes(person, ids: dict[str, list[int]] | None = None):
    """Every captured change to the person's tracked records, newest first, as one UNION of the event tables."""
    ids = record_ids(person) if ids is None else ids
    parts = []
    for model in CLINICAL_MODELS:
        label = model._meta.label
        if not ids.get(label):
            continue
        event_model = apps.get_model("core", f"{model.__name__}Change")
        parts.append(
            event_model.objects.filter(pgh_obj_id__in=ids[label])
            .annotate(
                record=Value(label, output_field=CharField()),
                record_id=Cast("pgh_obj_id", CharField()),
                at=F("pgh_created_at"),
                what=F("pgh_label"),
                context=F("pgh_context_id"),
            )
            .values("at", "what", "record", "record_id", "context")
        )
    if not parts:
        return AuditEvent.objects.none().values("at")
    return parts[0].union(*parts[1:], all=True).order_by("-at")


def with_who(rows: list[dict]) -> list[dict]:
    """The page's change rows with who made each change and in which request: two queries for any page."""
    contexts = Context.objects.in_bulk([row["context"] for row in rows if row["context"]])
    metadata = {pk: context.metadata for pk, context in contexts.items()}
    users = User.objects.in_bulk([m.get("user") for m in metadata.values() if m.get("user")])
    for row in rows:
        meta = metadata.get(row["context"], {})
        user = users.get(meta.get("user"))
        row["by"] = user.username if user else "system (no signed-in user)"
        row["request_id"] = meta.get("request_id", "")
    return rows
