"""Referrals: routing by age, eligibility, the first-contact clock, contact attempts and triage."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import audit
from core.calendar import add_working_days
from core.choices import AuditAction, Role, SubstanceGroup, TeamKind
from core.concurrency import save_if_unchanged
from core.dates import long_date
from core.errors import DomainError
from core.models import Team
from referrals.choices import CONTACT_METHODS_THAT_COUNT, ReferralStatus, Service
from referrals.models import ContactAttempt, Episode, Person, Referral, TeamInvolvement
from referrals.services.people import refuse_if_merged

FIRST_CONTACT_WORKING_DAYS = 3
# A referral dated further back than this is saved only once the person recording it confirms the date.
OLD_REFERRAL_DAYS = 30
REFERRING_ROLES = (Role.REFERRER, Role.ASSESSOR, Role.TEAM_MANAGER, Role.DATA_ADMIN)
TRIAGE_ROLES = (Role.ASSESSOR, Role.TEAM_MANAGER, Role.DATA_ADMIN)
OPEN_STATUSES = (ReferralStatus.AWAITING_CONTACT, ReferralStatus.AWAITING_TRIAGE)
TRIAGE_OUTCOMES = (
    ReferralStatus.BRIEF_INTERVENTION,
    ReferralStatus.SIGNPOSTED_TIER_1_2,
    ReferralStatus.ACCEPTED,
)
CLOSURE_OUTCOMES = (ReferralStatus.CLOSED_NO_CONTACT, ReferralStatus.CLOSED_DECLINED)
TIER_1_2_SERVICE = "Tier 1/2 alcohol service"
TIER_1_2_MIN_AGE = 18
INELIGIBLE_REASON = "Does not live in the city and is not registered with a city GP."
SERVICE_TEAM_KIND = {Service.ARM: TeamKind.ARM, Service.ESAP: TeamKind.ESAP}


def age_on(date_of_birth: date, day: date) -> int:
    """Whole years: a person is a year older on their birthday (29 February birthdays on 1 March)."""
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def service_for(*, date_of_birth: date, on: date) -> str:
    """ESAP from 11 to 24, ARM from 25 (both boundaries are settings); younger children are refused."""
    age = age_on(date_of_birth, on)
    if age < settings.YOUNG_PEOPLE_SERVICE_MIN_AGE:
        raise DomainError(
            f"This person is {age} on the referral date. The service takes referrals from age "
            f"{settings.YOUNG_PEOPLE_SERVICE_MIN_AGE}: refer younger children to children's services.",
            field="date_of_birth",
        )
    return Service.ARM if age >= settings.ADULT_SERVICE_MIN_AGE else Service.ESAP


def first_contact_due(received_on: date) -> date:
    return add_working_days(received_on, FIRST_CONTACT_WORKING_DAYS)


def _team_for(service: str) -> Team:
    team = Team.objects.filter(kind=SERVICE_TEAM_KIND[service], active=True).order_by("id").first()
    if team is None:
        raise DomainError(
            f"There is no active {Service(service).label} team to route this referral to. Ask a data admin.",
            field="received_at",
        )
    return team


def check_contact_date(*, received_on: date, made_on: date) -> None:
    """A contact is on or after the referral was received (pages and the transfer-of-care import alike)."""
    if made_on < received_on:
        raise DomainError(
            f"Contact cannot be before the referral was received ({long_date(received_on)}).", field="made_on"
        )


def check_triage_date(*, received_on: date, triaged_on: date) -> None:
    if triaged_on < received_on:
        raise DomainError("Triage cannot be before the referral was received.", field="triaged_on")


def check_closure(*, received_on: date, closed_on: date, outcome: str, first_contact: date | None) -> None:
    """A referral closed before triage: its own consistency (pages and the transfer-of-care import alike)."""
    if closed_on < received_on:
        raise DomainError(
            f"The closing date cannot be before the referral was received ({long_date(received_on)}).",
            field="closed_on",
        )
    if outcome == ReferralStatus.CLOSED_NO_CONTACT and first_contact is not None:
        raise DomainError(
            f"Contact was made on {long_date(first_contact)}: choose 'declined by the person', or triage the referral.",
            field="outcome",
        )


@transaction.atomic
def referral_create(
    *,
    actor,
    person: Person,
    received_at: datetime,
    source,
    reason: str,
    lives_in_city: bool,
    registered_with_city_gp: bool,
    urgency: str = "routine",
    referrer_name: str = "",
    referrer_organisation: str = "",
    referrer_contact: str = "",
    presenting_substances=(),
    signposted_to: str = "",
    signpost_reason: str = "",
    received_date_confirmed: bool = False,
) -> Referral:
    if not actor.has_role(*REFERRING_ROLES):
        raise DomainError("Your role cannot record referrals.", field="received_at")
    refuse_if_merged(person)
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    if received_at > timezone.now():
        raise DomainError("The date and time received must not be in the future.", field="received_at")
    received_on = timezone.localtime(received_at).date()
    if received_on < timezone.localdate() - timedelta(days=OLD_REFERRAL_DAYS) and not received_date_confirmed:
        # A mistyped year or month is caught before the 5-day contact clock runs from a date long past.
        raise DomainError(
            f"The date received, {long_date(received_on)}, is more than {OLD_REFERRAL_DAYS} days ago. "
            "Check it, then tick the box to confirm it.",
            field="received_date_confirmed",
        )
    if person.date_of_birth > received_on:
        raise DomainError("Date of birth must be on or before the referral date.", field="date_of_birth")
    service = service_for(date_of_birth=person.date_of_birth, on=received_on)
    team = _team_for(service)
    eligible = lives_in_city or registered_with_city_gp
    status = ReferralStatus.AWAITING_CONTACT
    if not eligible:
        # Never dropped: an ineligible referral is kept, closed and signposted elsewhere (SPEC 11).
        if not signposted_to.strip():
            raise DomainError(
                "This person is not eligible (not living in the city, no city GP). "
                "Say which service they are signposted to.",
                field="signposted_to",
            )
        status = ReferralStatus.SIGNPOSTED_INELIGIBLE
        signpost_reason = signpost_reason.strip() or INELIGIBLE_REASON
    else:
        signposted_to = signpost_reason = ""
    referral = Referral.objects.create(
        person=person,
        received_at=received_at,
        received_on=received_on,
        first_contact_due=first_contact_due(received_on),
        source=source,
        referrer_name=referrer_name,
        referrer_organisation=referrer_organisation,
        referrer_contact=referrer_contact,
        reason=reason,
        urgency=urgency,
        service=service,
        team=team,
        lives_in_city=lives_in_city,
        registered_with_city_gp=registered_with_city_gp,
        status=status,
        signposted_to=signposted_to.strip(),
        signpost_reason=signpost_reason,
        created_by=actor,
    )
    referral.presenting_substances.set(presenting_substances)
    TeamInvolvement.objects.get_or_create(
        person=person, team=team, defaults={"since": received_on, "reason": "referral"}
    )
    audit.record(
        AuditAction.CREATE,
        referral,
        actor=actor,
        details={"service": service, "team": team.name, "status": status, "episode_id": referral.episode_id},
    )
    return referral


@transaction.atomic
def contact_attempt_record(*, actor, referral: Referral, made_on: date, method: str, notes: str = "") -> ContactAttempt:
    """Every attempt is kept; a phone call or meeting moves the referral on to triage."""
    if not actor.has_role(*TRIAGE_ROLES):
        raise DomainError("Only assessors and team managers record first contact.", field="made_on")
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status not in OPEN_STATUSES:
        raise DomainError(
            f"This referral is closed ({referral.get_status_display().lower()}): no more contacts.", field="made_on"
        )
    check_contact_date(received_on=referral.received_on, made_on=made_on)
    if made_on > timezone.localdate():
        raise DomainError("The contact date must not be in the future.", field="made_on")
    attempt = ContactAttempt.objects.create(
        referral=referral, made_on=made_on, method=method, notes=notes, recorded_by=actor
    )
    if method in CONTACT_METHODS_THAT_COUNT and referral.status == ReferralStatus.AWAITING_CONTACT:
        referral.status = ReferralStatus.AWAITING_TRIAGE
        Referral.objects.filter(pk=referral.pk).update(status=referral.status, version=referral.version + 1)
    audit.record(AuditAction.CREATE, attempt, actor=actor, details={"referral": referral.pk, "method": method})
    return attempt


def first_contact_on(referral: Referral) -> date | None:
    dates = [a.made_on for a in referral.contact_attempts.all() if a.method in CONTACT_METHODS_THAT_COUNT]
    return min(dates) if dates else None


@transaction.atomic
def referral_triage(
    *,
    actor,
    referral: Referral,
    outcome: str,
    triaged_on: date,
    expected_version: int,
    advice_given: str = "",
    signposted_to: str = "",
    presenting_substances=None,
) -> Referral:
    """Close with a brief intervention, signpost to tier 1/2, or accept into treatment (opens an episode).

    `presenting_substances`, when given, replaces the referral's with what triage found (None keeps them).
    """
    if not actor.has_role(*TRIAGE_ROLES):
        raise DomainError("Only assessors and team managers triage referrals.", field="outcome")
    if outcome not in TRIAGE_OUTCOMES:
        raise DomainError("Choose a triage outcome.", field="outcome")
    if referral.status == ReferralStatus.AWAITING_CONTACT:
        raise DomainError("Record the first contact (phone or in person) before triage.", field="outcome")
    if referral.status != ReferralStatus.AWAITING_TRIAGE:
        raise DomainError(f"This referral has already been closed: {referral.get_status_display()}.", field="outcome")
    check_triage_date(received_on=referral.received_on, triaged_on=triaged_on)
    if triaged_on > timezone.localdate():
        raise DomainError("The triage date must not be in the future.", field="triaged_on")
    if outcome == ReferralStatus.BRIEF_INTERVENTION and not advice_given.strip():
        raise DomainError("Record the advice given in the brief intervention.", field="advice_given")
    substances = list(referral.presenting_substances.all() if presenting_substances is None else presenting_substances)
    if outcome == ReferralStatus.SIGNPOSTED_TIER_1_2:
        _check_tier_1_2(referral=referral, substances=substances, triaged_on=triaged_on)
        signposted_to = signposted_to.strip() or TIER_1_2_SERVICE
    else:
        signposted_to = referral.signposted_to
    referral.status = outcome
    referral.triaged_on = triaged_on
    referral.triaged_by = actor
    referral.advice_given = advice_given.strip()
    referral.signposted_to = signposted_to
    save_if_unchanged(
        referral,
        expected_version=expected_version,
        fields=["status", "triaged_on", "triaged_by", "advice_given", "signposted_to"],
        what="referral",
    )
    if presenting_substances is not None:
        referral.presenting_substances.set(substances)
    episode = None
    if outcome == ReferralStatus.ACCEPTED:
        episode = _episode_open(referral=referral, opened_on=triaged_on)
    details = {"outcome": outcome, "triaged_on": triaged_on.isoformat()}
    if presenting_substances is not None:
        details["presenting_substances"] = sorted(substance.code for substance in substances)
    if episode is not None:
        details["episode_id"] = episode.episode_id
    audit.record(AuditAction.CHANGE, referral, actor=actor, details=details)
    return referral


@transaction.atomic
def referral_close(
    *, actor, referral: Referral, outcome: str, closed_on: date, notes: str, expected_version: int
) -> Referral:
    """Close a referral that will not reach triage: nobody could be contacted, or the person declined treatment.

    "No contact made" needs the failed attempts on the record first, so the closure shows what was tried.
    """
    if not actor.has_role(*TRIAGE_ROLES):
        raise DomainError("Only assessors and team managers close referrals.", field="outcome")
    if outcome not in CLOSURE_OUTCOMES:
        raise DomainError("Choose why the referral is closing.", field="outcome")
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status not in OPEN_STATUSES:
        raise DomainError(f"This referral has already been closed: {referral.get_status_display()}.", field="outcome")
    attempts = list(referral.contact_attempts.all())
    check_closure(
        received_on=referral.received_on, closed_on=closed_on, outcome=outcome, first_contact=first_contact_on(referral)
    )
    if outcome == ReferralStatus.CLOSED_NO_CONTACT and not attempts:
        raise DomainError(
            "Record the attempts to contact the person (Record contact, method 'Failed attempt') before closing "
            "for no contact.",
            field="outcome",
        )
    if attempts and closed_on < attempts[-1].made_on:
        raise DomainError(
            f"The closing date cannot be before the last contact attempt ({long_date(attempts[-1].made_on)}).",
            field="closed_on",
        )
    if closed_on > timezone.localdate():
        raise DomainError("The closing date must not be in the future.", field="closed_on")
    if not notes.strip():
        raise DomainError("Say why the referral is closing (what was tried, or what the person said).", field="notes")
    referral.status = outcome
    referral.closed_on = closed_on
    referral.closed_by = actor
    referral.closure_notes = notes.strip()
    save_if_unchanged(
        referral,
        expected_version=expected_version,
        fields=["status", "closed_on", "closed_by", "closure_notes"],
        what="referral",
    )
    audit.record(
        AuditAction.CHANGE, referral, actor=actor, details={"outcome": outcome, "closed_on": closed_on.isoformat()}
    )
    return referral


def _check_tier_1_2(*, referral: Referral, substances, triaged_on: date) -> None:
    """The tier 1/2 alcohol service takes adults whose only problem substance is alcohol (SPEC 11)."""
    if not substances:
        raise DomainError(
            "Tier 1/2 signposting is for alcohol only, and no presenting substance is recorded: "
            "tick the substances the person uses, or choose another outcome.",
            field="presenting_substances",
        )
    others = sorted(str(substance) for substance in substances if substance.group != SubstanceGroup.ALCOHOL)
    if others:
        raise DomainError(
            f"Tier 1/2 signposting is for alcohol only, and this person also uses {', '.join(others)}: "
            "choose a brief intervention or accept them into treatment.",
            field="presenting_substances",
        )
    age = age_on(referral.person.date_of_birth, triaged_on)
    if age < TIER_1_2_MIN_AGE:
        raise DomainError(
            f"This person is {age} on the triage date and the tier 1/2 alcohol service is for adults "
            f"({TIER_1_2_MIN_AGE} and over): choose a brief intervention or accept them into treatment.",
            field="outcome",
        )


def _open_episode_message(person: Person) -> str:
    return (
        f"{person} already has an open episode. Discharge it before accepting a new referral "
        "into structured treatment: a person has at most one open episode."
    )


def has_open_episode(person_id: int) -> bool:
    return Episode.objects.filter(person=person_id, discharged_on__isnull=True).exists()


def _episode_open(*, referral: Referral, opened_on: date) -> Episode:
    if has_open_episode(referral.person_id):
        raise DomainError(_open_episode_message(referral.person), field="outcome")
    try:
        # The check above races with a second accept; the database constraint settles it.
        with transaction.atomic():
            episode = Episode.objects.create(
                person_id=referral.person_id,
                referral=referral,
                team_id=referral.team_id,
                opened_on=opened_on,
                # The EPISODID given at receipt: the row a never-treated referral would have been sent as
                # becomes this episode's row.
                episode_id=referral.episode_id,
            )
    except IntegrityError as exc:
        raise DomainError(_open_episode_message(referral.person), field="outcome") from exc
    audit.record(AuditAction.CREATE, episode, actor=referral.triaged_by, details={"referral": referral.pk})
    return episode
