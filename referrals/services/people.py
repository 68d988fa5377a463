"""People: create and edit with checks, the duplicate check on every new person, and merge."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.contrib.postgres.search import TrigramSimilarity
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Concat, Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core import audit
from core.choices import AuditAction, Role
from core.concurrency import save_if_unchanged
from core.dates import long_date
from core.errors import DomainError
from referrals import nhs_number
from referrals.models import Person, Referral
from referrals.querysets import sees_person

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
    "released_from_prison_on",
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

# Trigram likeness (pg_trgm `similarity`) of two surnames, letters only, from which a different
# spelling counts as the same name: Smyth / Smith is 0.33, a random pair of surnames about 0.1.
SIMILAR_NAME = 0.3
# The same for given and family name together: Mary Reid / Mary Reed 0.54, Kate Smith / Anna Smith 0.38.
SIMILAR_FULL_NAME = 0.45
MATCH_SALT = "referrals.duplicate-match"


class MatchReason(models.TextChoices):
    NHS_NUMBER = "nhs_number", "Same NHS number"
    SAME_NAME_AND_BIRTH = "same_name_and_birth", "Same name and date of birth"
    INITIALS_BIRTH_SEX = "initials_birth_sex", "Same initials, date of birth and sex"
    SIMILAR_NAME_SAME_BIRTH = "similar_name_same_birth", "Similar name, same date of birth"
    SIMILAR_NAME_BIRTH_DIGIT = "similar_name_birth_digit", "Similar name, date of birth one digit different"
    SIMILAR_NAME_BIRTH_SWAPPED = "similar_name_birth_swapped", "Similar name, day and month of birth swapped"


@dataclass
class PossibleDuplicate:
    """A match as the referrer may see it: why, which team knows the person, and a masked birth date."""

    person: Person
    reasons: list[str] = field(default_factory=list)
    likeness: float = 0.0
    team: str = ""

    @property
    def token(self) -> str:
        """Names this match in the answer without giving out the person's identifier."""
        return match_token(self.person.pk)

    @property
    def masked_date_of_birth(self) -> str:
        return f"** {self.person.date_of_birth:%B %Y}"


class PossibleDuplicates(DomainError):
    """A new person may already be known: the caller must ask which, and never create silently."""

    def __init__(self, matches):
        super().__init__(
            "This person may already be known. Choose the same person, or confirm this is a new person.",
            field="person_choice",
        )
        self.matches = matches


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
    released_on = data.get("released_from_prison_on")
    if released_on and released_on > today:
        raise DomainError("The date released from prison cannot be in the future.", field="released_from_prison_on")
    if released_on and not data.get("recent_prison_release", person.recent_prison_release if person else False):
        raise DomainError(
            "Tick released from prison recently, or leave the release date empty.", field="released_from_prison_on"
        )
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
                f"Date of birth must be on or before the first referral ({long_date(first)}).", field="date_of_birth"
            )


def match_token(person_pk: int) -> str:
    return salted_hmac(MATCH_SALT, str(person_pk)).hexdigest()[:20]


def near_birth_dates(date_of_birth: date) -> dict[date, str]:
    """The dates a reception worker may have typed for this one: one digit off, or day and month swapped.

    Every digit of DDMMYYYY replaced by each other digit, keeping only real dates up to today. At most 73
    dates, so the search stays on the date-of-birth index however common the surname is.
    """
    today = timezone.localdate()
    typed = f"{date_of_birth:%d%m%Y}"
    dates = {}
    for position, digit in enumerate(typed):
        for other in "0123456789":
            if other == digit:
                continue
            text = f"{typed[:position]}{other}{typed[position + 1 :]}"
            try:
                candidate = date(int(text[4:]), int(text[2:4]), int(text[:2]))
            except ValueError:
                continue
            if candidate <= today:
                dates[candidate] = MatchReason.SIMILAR_NAME_BIRTH_DIGIT
    try:
        swapped = date_of_birth.replace(day=date_of_birth.month, month=date_of_birth.day)
    except ValueError:
        swapped = None
    if swapped and swapped != date_of_birth and swapped <= today:
        dates[swapped] = MatchReason.SIMILAR_NAME_BIRTH_SWAPPED
    return dates


def _letters(expression):
    """Lower case, letters only: O'Brien and OBrien, Smith-Jones and Smith Jones read the same."""
    return Func(Lower(expression), Value("[^[:alpha:]]+"), Value(""), Value("g"), function="regexp_replace")


MIN_NAME_LETTERS = 2


def _letters_of(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalpha())


def person_find_duplicates(
    *, given_name: str, family_name: str, date_of_birth: date, sex, nhs_number_value: str = "", exclude=None
) -> list[PossibleDuplicate]:
    """Every current record that may be this person, most alike first. No cap: a missed match is a
    second record of one person, with its own risk history.

    - the same NHS number, whatever else differs;
    - the same name and date of birth (letters only, any case);
    - the same initials, date of birth and sex (the import's rule, domain.md section 6);
    - a similar surname (trigram likeness at least SIMILAR_NAME, or the whole name at least
      SIMILAR_FULL_NAME) and a given name with the same first letter or a similar one, born on the same
      date, on a date one digit different or with day and month swapped.

    Searches every current record, not just the ones the user may open: a duplicate the referrer cannot
    see is still a duplicate. Callers show only what `PossibleDuplicate` offers, never the record.
    """
    number = nhs_number.normalise(nhs_number_value)
    given, family = _letters_of(given_name), _letters_of(family_name)
    # An initial and a date of birth would let anyone fish for who is in treatment (issue 15, item 3).
    if len(given) < MIN_NAME_LETTERS:
        raise DomainError("Enter the person's full given name, not an initial", field="given_name")
    if len(family) < MIN_NAME_LETTERS:
        raise DomainError("Enter the person's full family name, not an initial", field="family_name")
    if date_of_birth is None:
        raise DomainError("Enter the person's date of birth", field="date_of_birth")
    sex_id = getattr(sex, "pk", sex)
    near = near_birth_dates(date_of_birth)
    initials = Q(given_name__istartswith=given_name.strip()[:1], family_name__istartswith=family_name.strip()[:1])
    found_by = Q(date_of_birth=date_of_birth) | Q(date_of_birth__in=list(near))
    if number:
        found_by |= Q(nhs_number=number)
    # A short surname respelt shares few trigrams (Reid / Reed 0.25), so the whole name may carry it.
    similar_name = (Q(family_likeness__gte=SIMILAR_NAME) | Q(name_likeness__gte=SIMILAR_FULL_NAME)) & (
        Q(given_likeness__gte=SIMILAR_NAME) | Q(given_name__istartswith=given_name.strip()[:1])
    )
    candidates = (
        Person.objects.filter(found_by, merged_into__isnull=True)
        .annotate(
            family_likeness=TrigramSimilarity(_letters(F("family_name")), family),
            given_likeness=TrigramSimilarity(_letters(F("given_name")), given),
            name_likeness=TrigramSimilarity(
                Concat(_letters(F("given_name")), Value(" "), _letters(F("family_name"))), f"{given} {family}"
            ),
        )
        .annotate(similar_name=ExpressionWrapper(similar_name, output_field=BooleanField()))
        .filter(
            (Q(nhs_number=number) if number else Q(pk__in=[]))
            | Q(date_of_birth=date_of_birth, sex_id=sex_id) & initials
            | Q(similar_name=True)
        )
        .annotate(
            likeness=F("name_likeness")
            + Case(When(date_of_birth=date_of_birth, then=Value(1.0)), default=Value(0.5), output_field=FloatField()),
            team_name=Subquery(
                Referral.objects.filter(person=OuterRef("pk")).order_by("-received_at").values("team__name")[:1]
            ),
        )
        .order_by("-likeness", "id")
    )
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    matches = []
    for person in candidates:
        reasons = []
        if number and person.nhs_number == number:
            reasons.append(MatchReason.NHS_NUMBER.label)
        same_birth = person.date_of_birth == date_of_birth
        if same_birth and _letters_of(person.family_name) == family and _letters_of(person.given_name) == given:
            reasons.append(MatchReason.SAME_NAME_AND_BIRTH.label)
        elif person.similar_name and (same_birth or person.date_of_birth in near):
            kind = MatchReason.SIMILAR_NAME_SAME_BIRTH if same_birth else near[person.date_of_birth]
            reasons.append(MatchReason(kind).label)
        elif same_birth and person.sex_id == sex_id and person.initials == initials_of(given_name, family_name):
            reasons.append(MatchReason.INITIALS_BIRTH_SEX.label)
        matches.append(PossibleDuplicate(person, reasons, person.likeness, person.team_name or ""))
    return matches


def initials_of(given_name: str, family_name: str) -> str:
    return f"{given_name.strip()[:1]}{family_name.strip()[:1]}".upper()


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


NEW_PERSON = "new"


@transaction.atomic
def person_for_new_referral(*, actor, data: dict, choice: str = "", seen: Iterable[str] = ()) -> Person:
    """The person a new referral is for: the match the referrer chose, or a new record once every
    possible match has been shown to them and declined (`choice` NEW_PERSON, `seen` the tokens shown).

    Raises PossibleDuplicates whenever a match was not shown yet, so a new person is never created
    past a match, however the request was made.
    """
    matches = person_find_duplicates(
        given_name=data["given_name"],
        family_name=data["family_name"],
        date_of_birth=data["date_of_birth"],
        sex=data["sex"],
        nhs_number_value=data.get("nhs_number", ""),
    )
    by_token = {match.token: match.person for match in matches}
    if choice in by_token:
        return by_token[choice]
    if not matches or (choice == NEW_PERSON and set(by_token) <= set(seen)):
        return person_create(actor=actor, data=data)
    raise PossibleDuplicates(matches)


def refuse_if_merged(person: Person, *, field: str = "person") -> None:
    """Every write to a person's record calls this: a merged record is history, its kept one is current."""
    merged_into_id = Person.objects.filter(pk=person.pk).values_list("merged_into", flat=True).first()
    if merged_into_id:
        kept = Person.objects.only("client_id").get(pk=merged_into_id)
        raise DomainError(
            f"This record was merged into {kept.client_id}. Record this on {kept.client_id} instead.", field=field
        )


@transaction.atomic
def person_update(*, actor, person: Person, data: dict, expected_version: int) -> Person:
    refuse_if_merged(person)
    refuse_unless_demographics_owner(actor, person)
    data = _date_consent(_clean(data), person)
    _validate(data, person=person)
    changed = [name for name, value in data.items() if getattr(person, name) != value]
    # Identity and where the person lives are what a wrong edit hurts most: the audit keeps both values.
    before = {name: _audit_value(getattr(person, name)) for name in changed if name in AUDITED_VALUES}
    for name, value in data.items():
        setattr(person, name, value)
    save_if_unchanged(person, expected_version=expected_version, fields=list(data), what="person's record")
    details = {"changed": changed}
    if before:
        details.update(old=before, new={name: _audit_value(getattr(person, name)) for name in before})
    audit.record(AuditAction.CHANGE, person, actor=actor, details=details)
    return person


AUDITED_VALUES = ("nhs_number", "address", "postcode")
DEMOGRAPHICS_OWNERS = (Role.ASSESSOR, Role.KEYWORKER)


def _audit_value(value) -> str:
    return "" if value is None else str(value)


def may_edit_demographics(actor, person: Person, *, sees_treatment: bool | None = None) -> bool:
    """Who owns a person's demographics (issue 15, item 2): data admins; assessors and keyworkers whose scope
    reaches the person's treatment; the member of staff who recorded the person, until a referral of theirs
    is triaged or an episode opens. Others who see the person (managers, prescribers, harm reduction workers)
    read them only. `sees_treatment`: whether the actor's scope reaches the person, when the caller has asked."""
    if actor.is_superuser or actor.has_role(Role.DATA_ADMIN):
        return True
    if actor.has_role(*DEMOGRAPHICS_OWNERS):
        if sees_treatment is None:
            sees_treatment = sees_person(actor, person.pk)
        if sees_treatment:
            return True
    if person.created_by_id == actor.pk:
        triaged = Referral.objects.filter(person=person, triaged_on__isnull=False).exists()
        return not triaged and not person.episodes.exists()
    return False


def refuse_unless_demographics_owner(actor, person: Person) -> None:
    if not may_edit_demographics(actor, person):
        raise PermissionDenied("Only the person's assessor, keyworker or a data admin may change their details.")
