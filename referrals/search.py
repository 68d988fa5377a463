"""Find a person from one search box: the header's, the search page's and `/api/v1/search/` (issue 14).

The box takes any of: a name (fuzzy, by trigram likeness, so "Thomson" finds Thompson), a date of birth
(`12/03/1985`, `1985-03-12`, `12 March 1985`), a client ID (`C00000123`), an NHS number (10 digits, spaces
allowed) or an episode ID (`E00000123`). A name and a date of birth together narrow each other.

Results start from `Person.objects.visible_to(user, as_referrer=True)`, the scope of the person page each
result links to, so a search never shows anyone the user could not open.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from django.contrib.postgres.lookups import TrigramSimilar
from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import FloatField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Greatest, Lower

from core.errors import DomainError
from referrals.models import Person, Referral

# pg_trgm's own default threshold for `%`: a one-letter slip in a surname of five letters or more passes.
SIMILAR = 0.3
MIN_NAME_LETTERS = 2
MAX_QUERY_LENGTH = 100
NHS_NUMBER_DIGITS = 10

CLIENT_ID = re.compile(r"^C\d{3,}$", re.IGNORECASE)
EPISODE_ID = re.compile(r"^E\d{3,}$", re.IGNORECASE)
NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
WORDED_DATE = re.compile(r"\b(\d{1,2})\s+([A-Za-z]{3,9})\s+(\d{4})\b")
MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
MONTHS = {name: number for number, full in enumerate(MONTH_NAMES, start=1) for name in (full, full[:3])}
NOTHING_TO_SEARCH = (
    "Enter at least two letters of a name, a date of birth (for example 12/03/1985), a client ID, "
    "an NHS number or an episode ID"
)


@dataclass
class SearchTerms:
    names: list[str] = field(default_factory=list)
    date_of_birth: date | None = None
    client_id: str = ""
    episode_id: str = ""
    nhs_number: str = ""


def _date(day: str, month: str, year: str) -> date:
    try:
        return date(int(year), int(month), int(day))
    except ValueError as exc:
        raise DomainError(f"{day}/{month}/{year} is not a real date: check the day and month", field="q") from exc


def parse(text: str) -> SearchTerms:
    """What the box holds, read into search terms; a DomainError on field `q` when there is nothing to find."""
    text = " ".join(text.split())[:MAX_QUERY_LENGTH]
    terms = SearchTerms()
    digits = re.sub(r"[\s-]", "", text)
    if digits.isdigit() and len(digits) == NHS_NUMBER_DIGITS:
        terms.nhs_number = digits
        return terms
    worded = WORDED_DATE.search(text)
    if worded and worded.group(2).lower() in MONTHS:
        terms.date_of_birth = _date(worded.group(1), MONTHS[worded.group(2).lower()], worded.group(3))
        text = text.replace(worded.group(0), " ")
    for word in text.split():
        if CLIENT_ID.match(word):
            terms.client_id = word.upper()
        elif EPISODE_ID.match(word):
            terms.episode_id = word.upper()
        elif match := NUMERIC_DATE.match(word):
            terms.date_of_birth = _date(*match.groups())
        elif match := ISO_DATE.match(word):
            year, month, day = match.groups()
            terms.date_of_birth = _date(day, month, year)
        else:
            letters = "".join(ch for ch in word.lower() if ch.isalpha())
            if len(letters) >= MIN_NAME_LETTERS:
                terms.names.append(letters)
    if not (terms.names or terms.date_of_birth or terms.client_id or terms.episode_id):
        raise DomainError(NOTHING_TO_SEARCH, field="q")
    return terms


@cache
def _trigram_operator_installed(alias: str) -> bool:
    """pg_trgm's `%` operator (served by the trigram indexes) exists; the embedded server of `make run` has
    only the SQL `similarity()` of migration 0007, which reads the same but scans (fine for demo data)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


def _name_filter(name: str, *, indexed: bool) -> Q:
    """One word of a name: the start of the given or family name, or a name like it."""
    match = Q(family_lower__startswith=name) | Q(given_lower__startswith=name)
    if indexed:
        # pg_trgm's `%` (likeness at least its threshold, SIMILAR), which the trigram indexes serve.
        return match | Q(TrigramSimilar(Lower("family_name"), name)) | Q(TrigramSimilar(Lower("given_name"), name))
    return match | Q(**{f"likeness_{name}__gte": SIMILAR})


def search_people(user, text: str) -> QuerySet:
    """The people the user may open who match `text`, likest first; DomainError (field `q`) on nothing."""
    terms = parse(text)
    people = Person.objects.visible_to(user, as_referrer=True)
    if terms.nhs_number:
        return people.filter(nhs_number=terms.nhs_number).annotate(likeness=Value(1.0, output_field=FloatField()))
    if terms.client_id:
        people = people.filter(client_id=terms.client_id)
    if terms.episode_id:
        # Through the referrals the user may read: an episode ID of another service's referral says nothing.
        referrals = Referral.objects.visible_to(user).filter(episode_id=terms.episode_id)
        people = people.filter(pk__in=referrals.values("person"))
    if terms.date_of_birth:
        people = people.filter(date_of_birth=terms.date_of_birth)
    people = people.alias(family_lower=Lower("family_name"), given_lower=Lower("given_name"))
    indexed = _trigram_operator_installed(connection.alias)
    likeness = Value(0.0, output_field=FloatField())
    for name in terms.names:
        word_likeness = Greatest(TrigramSimilarity("family_lower", name), TrigramSimilarity("given_lower", name))
        if not indexed:
            people = people.alias(**{f"likeness_{name}": word_likeness})
        people = people.filter(_name_filter(name, indexed=indexed))
        likeness = likeness + word_likeness
    return people.annotate(likeness=likeness).order_by("-likeness", "family_name", "given_name", "id")


def with_latest_referral(people: QuerySet, user) -> QuerySet:
    """Each result's latest episode ID and team the user may read, so two people of one name can be told apart."""
    latest = Referral.objects.visible_to(user).filter(person=OuterRef("pk")).order_by("-received_at", "-id")
    return people.select_related("sex").annotate(
        latest_episode_id=Subquery(latest.values("episode_id")[:1]),
        latest_team=Subquery(latest.values("team__name")[:1]),
    )
