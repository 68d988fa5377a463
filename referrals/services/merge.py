"""Merging two records of one person, and undoing it.

A merge moves every row that points at the duplicate to the kept record and writes down each row it
moved (`PersonMergeMove`), so an undo puts each one back exactly. The kept record takes the newer
contact details and every priority flag of either; where the two differ the worker chooses, field by
field. A merged record refuses every write with a message naming the kept one.
"""

from dataclasses import dataclass
from datetime import date

import pghistory.models
from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from core import audit
from core.choices import AuditAction, Role
from core.dates import long_date
from core.errors import DomainError
from core.models import AuditEvent
from referrals import clock_inputs
from referrals.models import (
    PRIORITY_GROUPS,
    Episode,
    Person,
    PersonMerge,
    PersonMergeMove,
    PersonUserObjectPermission,
    TeamInvolvement,
)
from referrals.services.people import PERSON_FIELDS

KEEP, DUPLICATE = "keep", "duplicate"
FLAG_FIELDS = [name for name, _ in PRIORITY_GROUPS]
CONTACT_FIELDS = ["address", "postcode", "local_authority", "gp_practice", "phone"]
# Every other detail the worker may take from either record; flags are never chosen, both are kept.
CHOICE_FIELDS = [name for name in PERSON_FIELDS if name not in FLAG_FIELDS]
# Rows that only link a person to a team or a worker: when both records hold the same link, the
# duplicate's row adds nothing and is removed (and kept in the move for an undo). Any other clash stops.
REDUNDANT_LINK_MODELS = (TeamInvolvement, PersonUserObjectPermission)
# The merge history points at both records on purpose and never moves.
HISTORY_MODELS = (PersonMerge, PersonMergeMove)


@dataclass
class MergeField:
    """One detail the two records hold differently, and which the merge takes unless told otherwise."""

    name: str
    label: str
    keep_value: object
    duplicate_value: object
    default: str

    @property
    def sides(self) -> list[tuple[str, object]]:
        return [(KEEP, self.keep_value), (DUPLICATE, self.duplicate_value)]


def _blank(value) -> bool:
    return value in (None, "")


def _last_changed(person: Person):
    latest = AuditEvent.objects.filter(
        object_type="referrals.Person", object_id=str(person.pk), action__in=[AuditAction.CREATE, AuditAction.CHANGE]
    ).aggregate(at=Max("at"))["at"]
    return max(filter(None, [latest, person.created_at]))


def merge_fields(*, keep: Person, duplicate: Person) -> list[MergeField]:
    """The details the two records hold differently, side by side. The default: the one filled in if
    only one is; for contact details the newer record's (last created or edited); otherwise the kept one's."""
    newer = DUPLICATE if _last_changed(duplicate) > _last_changed(keep) else KEEP
    rows = []
    for name in CHOICE_FIELDS:
        model_field = Person._meta.get_field(name)
        mine, theirs = getattr(keep, name), getattr(duplicate, name)
        if mine == theirs:
            continue
        if _blank(mine) != _blank(theirs):
            default = DUPLICATE if _blank(mine) else KEEP
        else:
            default = newer if name in CONTACT_FIELDS else KEEP
        rows.append(MergeField(name, str(model_field.verbose_name).capitalize(), mine, theirs, default))
    return rows


def _json(person: Person, name: str):
    value = Person._meta.get_field(name).value_from_object(person)
    return value.isoformat() if isinstance(value, date) else value


def _from_json(name: str, value):
    return Person._meta.get_field(name).to_python(value)


def _person_links():
    """(model, field name) for every foreign key to Person, in this app and any app added later."""
    links = []
    for relation in Person._meta.related_objects:
        if relation.related_model in HISTORY_MODELS or issubclass(relation.related_model, pghistory.models.Event):
            # The captured change history (core.history) records what was, on the record it was on.
            continue
        if relation.many_to_many:
            through = relation.through
            links.extend(
                (through, f.name)
                for f in through._meta.get_fields()
                if f.many_to_one and f.related_model is Person and f.concrete
            )
        else:
            links.append((relation.related_model, relation.field.name))
    return links


def _row_values(row) -> dict:
    values = {}
    for model_field in row._meta.concrete_fields:
        value = model_field.value_from_object(row)
        values[model_field.attname] = value.isoformat() if hasattr(value, "isoformat") else value
    return values


def _move_rows(merge: PersonMerge, model, field_name: str, *, duplicate: Person, keep: Person) -> list:
    rows = model._base_manager.filter(**{field_name: duplicate})
    ids = list(rows.values_list("pk", flat=True))
    if not ids:
        return []
    label = model._meta.label
    try:
        with transaction.atomic():
            model._base_manager.filter(pk__in=ids).update(**{field_name: keep})
        return [PersonMergeMove(merge=merge, model=label, field_name=field_name, row_id=str(pk)) for pk in ids]
    except IntegrityError:
        pass
    moves = []
    for row in model._base_manager.filter(pk__in=ids):
        try:
            with transaction.atomic():
                model._base_manager.filter(pk=row.pk).update(**{field_name: keep})
            moves.append(PersonMergeMove(merge=merge, model=label, field_name=field_name, row_id=str(row.pk)))
        except IntegrityError as exc:
            if model not in REDUNDANT_LINK_MODELS:
                raise DomainError(
                    f"Cannot merge: both records hold a {model._meta.verbose_name} that can only exist once. "
                    "Resolve it on one of the records first.",
                    field="duplicate",
                ) from exc
            values = _row_values(row)
            row.delete()
            moves.append(
                PersonMergeMove(merge=merge, model=label, field_name=field_name, row_id=str(row.pk), removed_row=values)
            )
    return moves


def _require_data_admin(actor, what: str) -> None:
    if not actor.has_role(Role.DATA_ADMIN):
        raise DomainError(f"Only a data admin can {what}.", field="duplicate")


@transaction.atomic
def person_merge(*, actor, keep: Person, duplicate: Person, choices: dict | None = None) -> PersonMerge:
    """Move everything recorded against `duplicate` to `keep`; the duplicate stays, marked merged.

    `choices` maps a detail (see `merge_fields`) to KEEP or DUPLICATE; details not named take the default.
    """
    _require_data_admin(actor, "merge two people's records")
    if keep.pk == duplicate.pk:
        raise DomainError("Choose two different records to merge.", field="duplicate")
    keep, duplicate = (Person.objects.select_for_update().get(pk=p.pk) for p in (keep, duplicate))
    if keep.merged_into_id or duplicate.merged_into_id:
        raise DomainError("One of these records has already been merged into another.", field="duplicate")
    open_episodes = Episode.objects.filter(person__in=[keep, duplicate], discharged_on__isnull=True).count()
    if open_episodes > 1:
        raise DomainError(
            "Both records have an open episode. Discharge one of the episodes before merging: "
            "a person has at most one open episode.",
            field="duplicate",
        )
    choices = dict(choices or {})
    differing = {row.name: row for row in merge_fields(keep=keep, duplicate=duplicate)}
    for name, choice in choices.items():
        if name not in CHOICE_FIELDS or choice not in (KEEP, DUPLICATE):
            raise DomainError(f"Choose this record or the duplicate for {name}.", field=name)
    taken = {
        name: getattr(duplicate, name) for name, row in differing.items() if choices.get(name, row.default) == DUPLICATE
    }
    taken.update({name: True for name in FLAG_FIELDS if getattr(duplicate, name) and not getattr(keep, name)})
    kept_before = {name: _json(keep, name) for name in taken}

    merge = PersonMerge.objects.create(kept=keep, merged=duplicate, merged_by=actor, kept_before=kept_before)
    moves = []
    for model, field_name in _person_links():
        moves.extend(_move_rows(merge, model, field_name, duplicate=duplicate, keep=keep))
    PersonMergeMove.objects.bulk_create(moves)
    # The duplicate's episodes and DRR orders now meet the kept record's: a DRR clock may move.
    clock_inputs.changed([keep.pk])
    # The duplicate is marked first: an NHS number is unique among current records only.
    Person.objects.filter(pk=duplicate.pk).update(merged_into=keep, version=duplicate.version + 1)
    for name, value in taken.items():
        setattr(keep, name, value)
    keep.version += 1
    try:
        with transaction.atomic():
            keep.save(update_fields=[*taken, "version"])
    except IntegrityError as exc:
        raise DomainError(
            "Another current record holds that NHS number: keep this record's.", field="nhs_number"
        ) from exc
    merge.kept_after = {name: _json(keep, name) for name in taken}
    merge.save(update_fields=["kept_after"])
    details = {
        "merge": merge.pk,
        "kept": keep.client_id,
        "merged": duplicate.client_id,
        "moved": _listed(moves, removed=False),
        "removed": _listed(moves, removed=True),
        "details_taken_from_duplicate": sorted(taken),
    }
    audit.record(AuditAction.CHANGE, keep, actor=actor, details={"merge": details})
    audit.record(AuditAction.CHANGE, duplicate, actor=actor, details={"merge": details})
    return merge


def _listed(moves, *, removed: bool) -> dict[str, list[str]]:
    listed: dict[str, list[str]] = {}
    for move in moves:
        if (move.removed_row is not None) == removed:
            listed.setdefault(f"{move.model}.{move.field_name}", []).append(move.row_id)
    return listed


@transaction.atomic
def person_merge_undo(*, actor, merge: PersonMerge) -> PersonMerge:
    """Put every moved row back on the record it came from and the kept record's details as they were.

    A detail edited on the kept record since the merge keeps that edit; rows recorded on the kept record
    since stay with it. Both are listed in the audit row.
    """
    _require_data_admin(actor, "undo a merge")
    merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise DomainError(f"This merge was already undone on {long_date(merge.undone_at)}.", field="merge")
    keep, duplicate = (Person.objects.select_for_update().get(pk=pk) for pk in (merge.kept_id, merge.merged_id))
    if keep.merged_into_id:
        raise DomainError("The kept record has since been merged into another. Undo that merge first.", field="merge")
    edited_since = []
    restored = []
    for name, before in merge.kept_before.items():
        if _json(keep, name) != merge.kept_after.get(name):
            edited_since.append(name)
            continue
        setattr(keep, Person._meta.get_field(name).attname, _from_json(name, before))
        restored.append(name)
    keep.version += 1
    keep.save(update_fields=[*restored, "version"])
    duplicate.merged_into = None
    duplicate.version += 1
    try:
        with transaction.atomic():
            duplicate.save(update_fields=["merged_into", "version"])
    except IntegrityError as exc:
        raise DomainError(
            "Another current record now holds the merged record's NHS number: change it there first.", field="merge"
        ) from exc
    back, not_back = {}, {}
    for move in merge.moves.all():
        model = apps.get_model(move.model)
        key = f"{move.model}.{move.field_name}"
        if move.removed_row is not None:
            model._base_manager.create(**move.removed_row)
            back.setdefault(key, []).append(move.row_id)
            continue
        count = model._base_manager.filter(pk=move.row_id, **{move.field_name: keep}).update(
            **{move.field_name: duplicate}
        )
        (back if count else not_back).setdefault(key, []).append(move.row_id)
    clock_inputs.changed([keep.pk, duplicate.pk])
    merge.undone_at = timezone.now()
    merge.undone_by = actor
    merge.save(update_fields=["undone_at", "undone_by"])
    details = {
        "merge": merge.pk,
        "kept": keep.client_id,
        "restored": duplicate.client_id,
        "moved_back": back,
        "no_longer_on_kept_record": not_back,
        "kept_later_edits": edited_since,
    }
    audit.record(AuditAction.CHANGE, keep, actor=actor, details={"merge_undone": details})
    audit.record(AuditAction.CHANGE, duplicate, actor=actor, details={"merge_undone": details})
    return merge
