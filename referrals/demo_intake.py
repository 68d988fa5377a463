"""Demo people and referrals in every intake state, by COPY (core.bulk) so 10,000 people load in seconds.

Most people are accepted into treatment with an open episode (the other half allocates them to
keyworkers); the rest wait for first contact (some overdue), wait for triage, were signposted or
given a brief intervention, or were closed before triage (no contact made, or declined). Dates are
relative to `context.today` so due and overdue states show.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from core.bulk import copy_insert, reserve_ids
from core.calendar import add_working_days
from core.choices import Gender, SubstanceGroup, TeamKind
from core.models import Ethnicity, ReferralSource, Sex, Substance
from referrals import nhs_number
from referrals.choices import ContactMethod, ReferralStatus, Service, Urgency
from referrals.models import ContactAttempt, Episode, Person, Referral, TeamInvolvement
from referrals.services.intake import INELIGIBLE_REASON, TIER_1_2_SERVICE, service_for

LONDON = ZoneInfo("Europe/London")

# (state, share of people): what the referral queue, the person pages and caseloads will show.
STATES = [
    ("awaiting_contact_overdue", 0.04),
    ("awaiting_contact_due", 0.04),
    ("awaiting_triage", 0.05),
    ("signposted_ineligible", 0.03),
    ("brief_intervention", 0.07),
    ("signposted_tier_1_2", 0.04),
    ("closed_no_contact", 0.02),
    ("closed_declined", 0.01),
    ("accepted", 0.70),
]
# Closed before triage: three failed attempts over a week, then closed; or declined at the first call.
CLOSED_AFTER_DAYS = {"closed_no_contact": timedelta(days=10), "closed_declined": timedelta(days=2)}
NO_CONTACT_ATTEMPTS = [(1, ContactMethod.FAILED_ATTEMPT), (3, ContactMethod.FAILED_ATTEMPT), (6, ContactMethod.LETTER)]
CLOSURE_NOTES = {
    "closed_no_contact": "Two calls and a letter unanswered; the referrer has been told.",
    "closed_declined": "Does not want treatment now; given the service's number to come back.",
}
REASONS = [
    "Wants help to stop using heroin",
    "Drinking daily, worried about health",
    "Crack use increasing, GP concerned",
    "Referred after arrest, wants support",
    "Cannabis use affecting college",
    "Released from prison, on a script",
]


def _valid_nhs_number(rng, taken: set) -> str:
    while True:
        stem = f"{rng.randrange(400000000, 999999999):09d}"
        total = sum(int(d) * w for d, w in zip(stem, range(10, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        number = f"{stem}{check}"
        if check != 10 and number not in taken and nhs_number.is_valid(number):
            taken.add(number)
            return number


def _pick_state(rng) -> str:
    roll, total = rng.random(), 0.0
    for state, share in STATES:
        total += share
        if roll < total:
            return state
    return STATES[-1][0]


def seed(context):
    rng, faker, today = context.rng, context.faker, context.today
    sexes = {s.code: s for s in Sex.objects.all()}
    ethnicities = list(Ethnicity.objects.filter(active=True))
    sources = list(ReferralSource.objects.filter(active=True))
    substances = list(Substance.objects.filter(active=True))
    alcohol = next((substance for substance in substances if substance.group == SubstanceGroup.ALCOHOL), None)
    teams = {
        Service.ARM: next(t for t in context.teams.values() if t.kind == TeamKind.ARM),
        Service.ESAP: next(t for t in context.teams.values() if t.kind == TeamKind.ESAP),
    }
    referrer = context.staff["referrer"]
    now = timezone.now()
    assessors = {Service.ARM: context.staff["assessor.arm"], Service.ESAP: context.staff["assessor.esap"]}

    count = context.people
    person_ids = reserve_ids(Person, count)
    people, referrals, attempts, episodes, involvements, substance_links = [], [], [], [], [], []
    taken_numbers: set[str] = set()
    referral_ids = reserve_ids(Referral, count)
    accepted_total = 0
    plans = []
    for _ in range(count):
        state = _pick_state(rng)
        if state.startswith("awaiting_contact"):
            received_on = today - timedelta(days=rng.randint(6, 20) if state.endswith("overdue") else rng.randint(0, 2))
        elif state == "awaiting_triage":
            received_on = today - timedelta(days=rng.randint(2, 12))
        else:
            received_on = today - timedelta(days=rng.randint(20, 900))
        young = rng.random() < 0.18
        age_days = rng.randint(14 * 365, 24 * 365) if young else rng.randint(26 * 365, 70 * 365)
        if state == "signposted_tier_1_2":
            # The tier 1/2 alcohol service takes adults only (SPEC 11).
            age_days = max(age_days, 19 * 365)
        date_of_birth = received_on - timedelta(days=age_days)
        service = service_for(date_of_birth=date_of_birth, on=received_on)
        plans.append((state, received_on, date_of_birth, service))
        accepted_total += state == "accepted"
    episode_ids = reserve_ids(Episode, accepted_total)

    for index, (state, received_on, date_of_birth, service) in enumerate(plans):
        person_id, referral_id = person_ids[index], referral_ids[index]
        sex = sexes["F"] if rng.random() < 0.35 else sexes["M"]
        given = faker.first_name_female() if sex.code == "F" else faker.first_name_male()
        people.append(
            Person(
                id=person_id,
                client_id=f"C{person_id:08d}",
                given_name=given,
                family_name=faker.last_name(),
                date_of_birth=date_of_birth,
                sex=sex,
                ethnicity=rng.choice(ethnicities) if ethnicities else None,
                nhs_number=_valid_nhs_number(rng, taken_numbers) if rng.random() < 0.75 else "",
                address=faker.street_address(),
                postcode=faker.postcode(),
                local_authority="E06000045",
                gp_practice=f"J82{rng.randint(0, 999):03d}",
                phone=faker.phone_number()[:30],
                consent_partner_sharing=rng.random() < 0.6,
                consent_national_return=rng.random() < 0.9,
                # Asked at the first appointment; a few new referrals have not been asked yet (DQ counts them).
                consent_asked_on=received_on if rng.random() < 0.95 else None,
                preferred_worker_gender=rng.choice([Gender.NOT_STATED] * 4 + [Gender.FEMALE, Gender.MALE]),
                pregnant=sex.code == "F" and rng.random() < 0.04,
                children_in_need=rng.random() < 0.05,
                recent_prison_release=rng.random() < 0.08,
                domestic_abuse=rng.random() < 0.06,
                homelessness_risk=rng.random() < 0.1,
                comorbid_mental_health=rng.random() < 0.2,
                treatment_naive=rng.random() < 0.3,
                veteran=rng.random() < 0.02,
                created_by=referrer,
            )
        )
        team = teams[service]
        ineligible = state == "signposted_ineligible"
        triaged = state in ("brief_intervention", "signposted_tier_1_2", "accepted")
        contacted_on = (
            received_on + timedelta(days=rng.randint(0, 2)) if state == "awaiting_triage" or triaged else None
        )
        triaged_on = contacted_on + timedelta(days=rng.randint(0, 7)) if triaged else None
        closed_on = CLOSED_AFTER_DAYS[state] + received_on if state in CLOSED_AFTER_DAYS else None
        status = {
            "awaiting_contact_overdue": ReferralStatus.AWAITING_CONTACT,
            "awaiting_contact_due": ReferralStatus.AWAITING_CONTACT,
        }.get(state, state)
        referrals.append(
            Referral(
                id=referral_id,
                person_id=person_id,
                # A referral received today is never timed later than now.
                received_at=min(
                    datetime.combine(received_on, time(rng.randint(8, 17), rng.choice([0, 15, 30, 45])), LONDON), now
                ),
                received_on=received_on,
                first_contact_due=add_working_days(received_on, 3),
                source=rng.choice(sources),
                referrer_name=faker.name() if rng.random() < 0.5 else "",
                reason=rng.choice(REASONS),
                urgency=Urgency.URGENT if rng.random() < 0.1 else Urgency.ROUTINE,
                service=service,
                team=team,
                lives_in_city=not ineligible,
                registered_with_city_gp=not ineligible and rng.random() < 0.9,
                status=status,
                signposted_to=(
                    "County drug and alcohol service"
                    if ineligible
                    else TIER_1_2_SERVICE
                    if state == "signposted_tier_1_2"
                    else ""
                ),
                signpost_reason=INELIGIBLE_REASON if ineligible else "",
                triaged_on=triaged_on,
                triaged_by=assessors[service] if triaged else None,
                advice_given="Harm reduction advice and safer drinking" if state == "brief_intervention" else "",
                closed_on=closed_on,
                closed_by=assessors[service] if closed_on else None,
                closure_notes=CLOSURE_NOTES.get(state, ""),
                created_by=referrer,
            )
        )
        involvements.append(TeamInvolvement(person_id=person_id, team=team, since=received_on, reason="referral"))
        presenting = rng.sample(substances, k=min(len(substances), rng.randint(1, 2)))
        if state == "signposted_tier_1_2" and alcohol is not None:
            presenting = [alcohol]  # alcohol only, or the referral could not have been signposted there
        substance_links.extend(
            Referral.presenting_substances.through(referral_id=referral_id, substance_id=substance.pk)
            for substance in presenting
        )
        if state.startswith("awaiting_contact") and rng.random() < 0.5:
            attempts.append(
                ContactAttempt(
                    referral_id=referral_id,
                    made_on=min(received_on + timedelta(days=1), today),
                    method=ContactMethod.FAILED_ATTEMPT,
                    notes="No answer; voicemail left",
                    recorded_by=assessors[service],
                )
            )
        if state == "closed_no_contact":
            attempts.extend(
                ContactAttempt(
                    referral_id=referral_id,
                    made_on=received_on + timedelta(days=days),
                    method=method,
                    notes="No answer",
                    recorded_by=assessors[service],
                )
                for days, method in NO_CONTACT_ATTEMPTS
            )
        if state == "closed_declined":
            contacted_on = received_on + timedelta(days=1)
        if contacted_on:
            attempts.append(
                ContactAttempt(
                    referral_id=referral_id,
                    made_on=min(contacted_on, today),
                    method=rng.choice([ContactMethod.PHONE, ContactMethod.IN_PERSON]),
                    recorded_by=assessors[service],
                )
            )
        if state == "accepted":
            episode_id = episode_ids[len(episodes)]
            episodes.append(
                Episode(
                    id=episode_id,
                    person_id=person_id,
                    referral_id=referral_id,
                    episode_id=f"E{episode_id:08d}",
                    team=team,
                    opened_on=triaged_on,
                )
            )

    for rows in (people, referrals, substance_links, involvements, attempts, episodes):
        copy_insert(rows)
