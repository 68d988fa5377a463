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

# How each record reaches its person, by model label, and the person model itself: filled by the clinical
# apps in their AppConfig.ready (core imports none of them, design.md). A model missing here is still found by
# its own audit rows' `person`.
PERSON_PATHS: dict[str, str] = {}
_PERSON_MODEL: list = []


def register(paths: dict[str, str], *, person_model=None) -> None:
    PERSON_PATHS.update(paths)
    if person_model is not None:
        _PERSON_MODEL[:] = [person_model]


def people():
    """The person model's manager (referrals.Person), as registered."""
    return _PERSON_MODEL[0].objects


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
    # Containment on the whole `details` column (`@>`), which the GIN index audit_details_gin answers; a test
    # on a key (`details -> 'person'`) would read every row of the audit table.
    about = Q(details__contains={"person": person.pk}) | Q(details__contains={"shown": [person.pk]})
    for label, pks in ids.items():
        if not pks:
            continue
        about |= Q(object_type=label, object_id__in=[str(pk) for pk in pks])
        for pk in pks:
            about |= Q(object_type=label, details__contains={"ids": [pk]})
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
