"""People: create and edit with checks, the duplicate check on every new person, and merge."""

import uuid
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core import audit
from core.choices import AuditAction, Role
from core.concurrency import save_if_unchanged
from core.errors import DomainError
from referrals import nhs_number
from referrals.models import Episode, Person, PersonUserObjectPermission, TeamInvolvement

# Fields a person's record is created and edited with; the rest are set by the service.
PERSON_FIELDS = [
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "gender",
    "ethnicity",
    "nhs_number",
    "address",
    "postcode",
    "local_authority",
    "gp_practice",
    "phone",
    "consent_partner_sharing",
    "consent_national_return",
    "consent_asked_on",
    "preferred_worker_gender",
    "pregnant",
    "children_in_need",
    "recent_prison_release",
    "mappa",
    "domestic_abuse",
    "court_order",
    "iom",
    "homelessness_risk",
    "comorbid_mental_health",
    "comorbid_physical_health",
    "treatment_naive",
    "carer",
    "veteran",
]

# A close name alone (any date of birth) must be nearly the same name to be worth showing.
CLOSE_NAME_SIMILARITY = 0.5
NEAR_IDENTICAL_NAME_SIMILARITY = 0.8
MAX_MATCHES = 10

# Rows that only link a person to a team or a worker: when both records hold the same link, the
# duplicate's row adds nothing and is dropped on merge. Any other clash stops the merge.
REDUNDANT_LINK_MODELS = (TeamInvolvement, PersonUserObjectPermission)


@dataclass
class PossibleDuplicate:
    person: Person
    reasons: list[str] = field(default_factory=list)


def _clean(data: dict) -> dict:
    data = {name: data[name] for name in PERSON_FIELDS if name in data}
    for name in ("given_name", "family_name", "preferred_name", "postcode", "phone", "gp_practice"):
        if name in data and data[name] is not None:
            data[name] = data[name].strip()
    if "postcode" in data:
        data["postcode"] = data["postcode"].upper()
    if "nhs_number" in data:
        data["nhs_number"] = nhs_number.normalise(data["nhs_number"])
    return data


def _validate(data: dict, *, person: Person | None = None) -> None:
    today = timezone.localdate()
    date_of_birth = data.get("date_of_birth")
    if date_of_birth and date_of_birth > today:
        raise DomainError("Date of birth must be today or in the past.", field="date_of_birth")
    asked_on = data.get("consent_asked_on")
    if asked_on and asked_on > today:
        raise DomainError("The date asked about consent cannot be in the future.", field="consent_asked_on")
    if asked_on and date_of_birth and asked_on < date_of_birth:
        raise DomainError("The date asked about consent cannot be before the date of birth.", field="consent_asked_on")
    number = data.get("nhs_number", "")
    if number and not nhs_number.is_valid(number):
        raise DomainError(
            "Enter a valid NHS number: 10 digits whose last digit is the check digit (for example 943 476 5919).",
            field="nhs_number",
        )
    if number:
        taken = Person.objects.filter(nhs_number=number, merged_into__isnull=True)
        if person is not None:
            taken = taken.exclude(pk=person.pk)
        holder = taken.only("client_id").first()
        if holder is not None:
            raise DomainError(
                f"This NHS number already belongs to client {holder.client_id}. Choose that person instead.",
                field="nhs_number",
            )
    if person is not None and date_of_birth:
        first = person.referrals.order_by("received_on").values_list("received_on", flat=True).first()
        if first is not None and date_of_birth > first:
            raise DomainError(
                f"Date of birth must be on or before the first referral ({first:%d %B %Y}).", field="date_of_birth"
            )


def person_find_duplicates(
    *, given_name: str, family_name: str, date_of_birth: date, sex, nhs_number_value: str = "", exclude=None
) -> list[PossibleDuplicate]:
    """Likely matches for a new person: same NHS number; same initials, date of birth and sex; close names.

    Searches every current record, not just the ones the user may open: a duplicate the referrer
    cannot see is still a duplicate. Callers show only what identifies the match.
    """
    number = nhs_number.normalise(nhs_number_value)
    full_name = f"{given_name.strip()} {family_name.strip()}".lower()
    # Narrow by indexed columns in SQL, then score names in Python (no database extension needed).
    candidates = (
        Person.objects.filter(merged_into__isnull=True)
        .filter(
            (Q(nhs_number=number) if number else Q(pk__in=[]))
            | Q(date_of_birth=date_of_birth)
            | Q(family_name__iexact=family_name.strip())
        )
        .select_related("sex")
    )
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    scored = []
    for person in candidates[:500]:
        person.similarity = SequenceMatcher(
            None, f"{person.given_name} {person.family_name}".lower(), full_name
        ).ratio()
        same_birth_initials = (
            person.date_of_birth == date_of_birth
            and person.sex_id == getattr(sex, "pk", sex)
            and (person.initials == f"{given_name.strip()[:1]}{family_name.strip()[:1]}".upper())
        )
        if (
            (number and person.nhs_number == number)
            or same_birth_initials
            or (person.date_of_birth == date_of_birth and person.similarity >= CLOSE_NAME_SIMILARITY)
            or person.similarity >= NEAR_IDENTICAL_NAME_SIMILARITY
        ):
            scored.append(person)
    scored.sort(key=lambda p: (-p.similarity, p.family_name, p.id))
    matches = []
    for person in scored[:MAX_MATCHES]:
        reasons = []
        if number and person.nhs_number == number:
            reasons.append("Same NHS number")
        same_initials = person.initials == f"{given_name.strip()[:1]}{family_name.strip()[:1]}".upper()
        if same_initials and person.date_of_birth == date_of_birth and person.sex_id == getattr(sex, "pk", sex):
            reasons.append("Same initials, date of birth and sex")
        if person.similarity >= CLOSE_NAME_SIMILARITY:
            reasons.append("Similar name")
        matches.append(PossibleDuplicate(person, reasons or ["Similar name"]))
    return matches


def _date_consent(data: dict, person: Person | None = None) -> dict:
    """Consent given means the person was asked: with no date, they were asked when it was recorded."""

    def current(name):
        return data[name] if name in data else getattr(person, name, None)

    if (current("consent_national_return") or current("consent_partner_sharing")) and not current("consent_asked_on"):
        data["consent_asked_on"] = timezone.localdate()
    return data


@transaction.atomic
def person_create(*, actor, data: dict) -> Person:
    data = _date_consent(_clean(data))
    _validate(data)
    # client_id is derived from the primary key, which exists only after the insert: a unique
    # placeholder keeps the row valid until the update in the same transaction.
    person = Person.objects.create(**data, client_id=f"tmp-{uuid.uuid4().hex[:16]}", created_by=actor)
    person.client_id = f"C{person.pk:08d}"
    Person.objects.filter(pk=person.pk).update(client_id=person.client_id)
    audit.record(AuditAction.CREATE, person, actor=actor, details={"client_id": person.client_id})
    return person


@transaction.atomic
def person_update(*, actor, person: Person, data: dict, expected_version: int) -> Person:
    data = _date_consent(_clean(data), person)
    _validate(data, person=person)
    changed = [name for name, value in data.items() if getattr(person, name) != value]
    for name, value in data.items():
        setattr(person, name, value)
    save_if_unchanged(person, expected_version=expected_version, fields=list(data), what="person's record")
    audit.record(AuditAction.CHANGE, person, actor=actor, details={"changed": changed})
    return person


def _person_links():
    """(model, field name) for every foreign key to Person, in this app and any app added later."""
    links = []
    for relation in Person._meta.related_objects:
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


def _move_rows(model, field_name: str, *, duplicate: Person, keep: Person) -> int:
    rows = model._base_manager.filter(**{field_name: duplicate})
    try:
        with transaction.atomic():
            return rows.update(**{field_name: keep})
    except IntegrityError:
        pass
    moved = 0
    for row in rows:
        try:
            with transaction.atomic():
                model._base_manager.filter(pk=row.pk).update(**{field_name: keep})
            moved += 1
        except IntegrityError as exc:
            if model not in REDUNDANT_LINK_MODELS:
                raise DomainError(
                    f"Cannot merge: both records hold a {model._meta.verbose_name} that can only exist once. "
                    "Resolve it on one of the records first.",
                    field="duplicate",
                ) from exc
            row.delete()
    return moved


@transaction.atomic
def person_merge(*, actor, keep: Person, duplicate: Person) -> Person:
    """Move everything recorded against `duplicate` to `keep`; the duplicate stays, marked merged."""
    if not actor.has_role(Role.DATA_ADMIN):
        raise DomainError("Only a data admin can merge two people's records.", field="duplicate")
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
    moved = {}
    for model, field_name in _person_links():
        count = _move_rows(model, field_name, duplicate=duplicate, keep=keep)
        if count:
            moved[f"{model._meta.label}.{field_name}"] = count
    duplicate.merged_into = keep
    # The NHS number is unique among current records only, so it may now move to the kept one.
    number = duplicate.nhs_number
    Person.objects.filter(pk=duplicate.pk).update(merged_into=keep, version=duplicate.version + 1)
    if number and not keep.nhs_number:
        Person.objects.filter(pk=keep.pk).update(nhs_number=number)
        keep.nhs_number = number
    details = {"kept": keep.client_id, "merged": duplicate.client_id, "moved": moved}
    audit.record(AuditAction.CHANGE, keep, actor=actor, details={"merge": details})
    audit.record(AuditAction.CHANGE, duplicate, actor=actor, details={"merge": details})
    return keep
