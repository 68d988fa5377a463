"""People, referrals and episodes for `seed_scale` (core.scale): ten years of a national service.

Shares follow the national statistics for adults in drug and alcohol treatment in England (OHID, 2023-24)
rounded: who presents with what (opiates, alcohol only, non-opiates, non-opiates with alcohol), where referrals
come from, how long treatment lasts and how it ends by group, and how many come back (re-presentation). A person's
referrals follow one another: the next is received only after the last episode ended, so at most one episode is
open per person, and every date falls in order (received, contacted, triaged and opened, allocated, discharged).

Each open episode goes to the keyworker whose turn it is (core.scale.Staffing), so caseloads hold 30-60.

After a discharge the service's own rules follow (services.episodes.episode_discharge): a completion has its
6- and 12-month follow-ups, owned by the last keyworker and their team, done around their due day (the follow-up
job's task is open for those due within a fortnight or overdue); an unplanned exit (a death aside) goes on the
team's re-engagement list, closed within three months unless recent. The audit log holds the last
`AUDIT_DAYS` of work: each referral received (by the referrer), each discharge (by the keyworker), and the
keyworkers' views of the people on their caseloads; `core.scale` seals it onto the hash chain after each chunk.
"""

from datetime import timedelta
from math import log

from django.db import connection

from core.bulk import reserve_ids
from core.calendar import add_working_days
from core.choices import AuditAction
from core.models import AuditEvent, DischargeReason, Ethnicity, ReferralSource, Sex, Substance
from core.scale import ScaleEpisode, Weighted, between
from referrals.choices import ContactMethod, FollowUpKind, ReferralStatus, Service, TaskKind, Urgency
from referrals.models import (
    Allocation,
    ContactAttempt,
    Episode,
    FollowUp,
    NextEpisodeId,
    Person,
    ReengagementEntry,
    Referral,
    Task,
    TeamInvolvement,
)
from referrals.services.episodes import CLIENT_DIED, FOLLOW_UP_MONTHS, FOLLOW_UP_TASK_WINDOW_DAYS, add_months
from referrals.services.intake import INELIGIBLE_REASON, TIER_1_2_SERVICE, age_on, service_for

YEARS = 10

# Presenting group of a person (NDTMS: opiate, non-opiate only, non-opiate and alcohol, alcohol only).
GROUPS = {"opiate": 30, "alcohol": 36, "non_opiate": 16, "non_opiate_alcohol": 18}
# Age at first referral (low, high) by group: people in treatment for opiates are older.
AGES = {"opiate": (24, 62), "alcohol": (22, 72), "non_opiate": (14, 45), "non_opiate_alcohol": (17, 50)}
OPIATES = {"1011": 85, "1000": 8, "1105": 5, "1106": 2}
NON_OPIATES = {"5000": 42, "3200": 28, "3201": 14, "3100": 6, "2200": 4, "3406": 2, "9005": 2, "8799": 2}
# Used alongside opiates (crack most of all).
WITH_OPIATES = {"3201": 45, "7000": 15, "2200": 8, "5000": 10}
# Referral source codes (core.ReferralSource): self-referral is over half.
SOURCES = {
    "4": 55,
    "3": 9,
    "24": 2,
    "25": 1,
    "1": 3,
    "2": 2,
    "5": 3,
    "6": 3,
    "7": 1,
    "8": 5,
    "13": 4,
    "9": 1,
    "22": 3,
    "11": 1,
    "19": 3,
    "16": 1,
    "15": 3,
}
# Discharge reason codes by group: completions are far fewer for opiates, who also die more often.
EXITS = {
    "opiate": {"80": 22, "83": 12, "84": 5, "85": 42, "86": 4, "87": 3, "88": 6, "89": 6},
    "alcohol": {"81": 45, "83": 7, "84": 1, "85": 33, "86": 3, "87": 1, "88": 7, "89": 3},
    "non_opiate": {"80": 38, "82": 22, "83": 6, "84": 2, "85": 24, "86": 2, "87": 1, "88": 4, "89": 1},
    "non_opiate_alcohol": {
        "80": 30,
        "81": 10,
        "82": 18,
        "83": 6,
        "84": 2,
        "85": 26,
        "86": 2,
        "87": 1,
        "88": 4,
        "89": 1,
    },
}
# Median days in treatment and the spread (log-normal): opiate treatment lasts years, the others months.
DURATION = {"opiate": (560, 0.9), "alcohol": (170, 0.7), "non_opiate": (150, 0.7), "non_opiate_alcohol": (170, 0.7)}
# How many referrals a person has over the ten years (1 = never came back).
REFERRALS = {1: 62, 2: 22, 3: 10, 4: 6}
# After a referral that did not end in treatment, or an episode, how long before the next (days): some who
# completed come back within six months (the re-presentation KPIs).
GAP_AFTER = {"successful": (60, 1500), "unsuccessful": (30, 700), "neutral": (30, 400), None: (60, 900)}
REASONS = {
    "opiate": "Wants help to stop using heroin",
    "alcohol": "Drinking daily, worried about health",
    "non_opiate": "Cannabis and cocaine use affecting work",
    "non_opiate_alcohol": "Cocaine and drinking at weekends getting out of hand",
}
GROUP = Weighted.of(GROUPS)
REFERRAL_COUNT = Weighted.of(REFERRALS)
# Days from receipt to first contact, and from contact to triage (the episode opens on triage).
CONTACT_DAYS = Weighted((0, 1, 2, 3, 5), (40, 30, 15, 10, 5))
TRIAGE_DAYS = Weighted((0, 2, 5, 7, 12), (30, 30, 20, 15, 5))
MALE_SHARE = 0.67
NHS_NUMBER_SHARE = 0.85
RECENT_DAYS = 14
UNALLOCATED_DAYS = 7
# A follow-up is made within a week either side of its due day; most reach the person.
FOLLOW_UP_DONE = (-7, 10)
FOLLOW_UP_OUTCOMES = Weighted(
    (
        "Spoke to them: still abstinent, doing well",
        "Spoke to them: using occasionally, offered support",
        "No answer; letter sent",
    ),
    (55, 20, 25),
)
REENGAGEMENT_CLOSED = (14, 90)
REENGAGEMENT_OUTCOMES = Weighted(
    ("Re-referred and back in treatment", "No contact after three attempts", "Declined further contact"), (30, 55, 15)
)
AUDIT_DAYS = 90
CASELOAD_VIEWS = (0, 4)  # views of each person on a caseload in the last month
FOLLOW_UP_LABELS = {str(kind): kind.label for kind in FollowUpKind}


def _reference(context):
    def make():
        sources = dict(ReferralSource.objects.values_list("code", "pk"))
        substances = dict(Substance.objects.values_list("code", "pk"))
        reasons = dict(DischargeReason.objects.values_list("code", "pk"))
        outcomes = dict(DischargeReason.objects.values_list("code", "outcome"))
        return {
            "sex": dict(Sex.objects.values_list("code", "pk")),
            "ethnicities": list(Ethnicity.objects.filter(active=True).order_by("code").values_list("pk", flat=True)),
            "sources": Weighted([sources[code] for code in SOURCES], SOURCES.values()),
            "opiates": Weighted([substances[c] for c in OPIATES], OPIATES.values()),
            "non_opiates": Weighted([substances[c] for c in NON_OPIATES], NON_OPIATES.values()),
            "with_opiates": Weighted([substances[c] for c in WITH_OPIATES], WITH_OPIATES.values()),
            "alcohol": substances["7000"],
            "groups": dict(Substance.objects.values_list("pk", "group")),
            "exits": {
                group: Weighted([(reasons[c], outcomes[c]) for c in table], table.values())
                for group, table in EXITS.items()
            },
            "contact_due": {},
            "died": reasons[CLIENT_DIED],
        }

    return context.lookup("referrals", make)


def _nhs_number(person_id: int) -> str:
    """A valid, unique NHS number derived from the person's id (no set of numbers held), or none when the
    derived nine digits have no check digit."""
    stem = f"{400000000 + person_id * 7:09d}"
    total = sum(int(digit) * weight for digit, weight in zip(stem, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return "" if check == 10 else f"{stem}{check}"


def _substances(rng, ref, group) -> list[int]:
    if group == "alcohol":
        return [ref["alcohol"]]
    if group == "opiate":
        found = [ref["opiates"].pick(rng)]
        if rng.random() < 0.6:
            found.append(ref["with_opiates"].pick(rng))
    else:
        found = [ref["non_opiates"].pick(rng)]
        if rng.random() < 0.3:
            found.append(ref["non_opiates"].pick(rng))
        if group == "non_opiate_alcohol":
            found.append(ref["alcohol"])
    return list(dict.fromkeys(found))


def build(chunk):
    context = chunk.context
    rng, today, names, staffing = context.rng, context.today, context.names, context.staffing
    ref = _reference(context)
    referrer = context.staff["referrer"].pk
    span = YEARS * 365

    people = chunk.table(
        Person,
        [
            "id",
            "client_id",
            "given_name",
            "family_name",
            "date_of_birth",
            "sex_id",
            "ethnicity_id",
            "nhs_number",
            "address",
            "postcode",
            "local_authority",
            "gp_practice",
            "phone",
            "consent_partner_sharing",
            "consent_national_return",
            "consent_asked_on",
            "pregnant",
            "recent_prison_release",
            "domestic_abuse",
            "homelessness_risk",
            "comorbid_mental_health",
            "treatment_naive",
            "veteran",
            "created_by_id",
        ],
    )
    referrals = chunk.table(
        Referral,
        [
            "id",
            "episode_id",
            "person_id",
            "received_at",
            "received_on",
            "first_contact_due",
            "source_id",
            "reason",
            "urgency",
            "service",
            "team_id",
            "lives_in_city",
            "registered_with_city_gp",
            "status",
            "signposted_to",
            "signpost_reason",
            "triaged_on",
            "triaged_by_id",
            "advice_given",
            "created_by_id",
        ],
    )
    presenting = chunk.table(Referral.presenting_substances.through, ["referral_id", "substance_id"])
    involvements = chunk.table(TeamInvolvement, ["person_id", "team_id", "since", "reason"])
    contacts = chunk.table(ContactAttempt, ["referral_id", "made_on", "method", "notes", "recorded_by_id"])
    episodes = chunk.table(
        Episode,
        [
            "id",
            "episode_id",
            "person_id",
            "referral_id",
            "team_id",
            "opened_on",
            "discharged_on",
            "discharge_reason_id",
            "discharged_by_id",
        ],
    )
    allocations = chunk.table(
        Allocation,
        ["episode_id", "assessor_id", "keyworker_id", "team_id", "allocated_on", "ended_on", "allocated_by_id"],
    )

    aftercare = _Aftercare(chunk, ref)
    person_ids = iter(reserve_ids(Person, chunk.people))
    # Referrals and episodes per person vary: ids are taken in blocks as needed.
    referral_ids, episode_ids = _ReferralIds(Referral), _IdBlock(Episode)
    due = ref["contact_due"]
    born = chunk.shared.setdefault("born", {})
    for _ in range(chunk.people):
        person_id = next(person_ids)
        group = GROUP.pick(rng)
        area = staffing.area
        male = rng.random() < MALE_SHARE
        first_received = today - timedelta(days=rng.randrange(span))
        low, high = AGES[group]
        date_of_birth = first_received - timedelta(days=between(rng, low * 365, high * 365 + 364))
        asked = first_received if rng.random() < 0.97 else None
        nhs = _nhs_number(person_id) if rng.random() < NHS_NUMBER_SHARE else ""
        given, family = rng.choice(names.male if male else names.female), rng.choice(names.family)
        # For the harm reduction app's NSP attender codes (initials, date of birth, sex).
        born[person_id] = (given[0] + family[0], date_of_birth, male)
        people.add(
            person_id,
            f"C{person_id:08d}",
            given,
            family,
            date_of_birth,
            ref["sex"]["M" if male else "F"],
            rng.choice(ref["ethnicities"]),
            nhs,
            rng.choice(names.streets),
            rng.choice(names.postcodes),
            area.local_authority,
            f"{chr(65 + area.number % 26)}{81 + area.number % 9}{rng.randrange(1000):03d}",
            rng.choice(names.phones),
            rng.random() < 0.6,
            rng.random() < 0.92,
            asked,
            not male and rng.random() < 0.03,
            rng.random() < 0.07,
            rng.random() < 0.08,
            rng.random() < 0.12,
            rng.random() < 0.3,
            rng.random() < 0.35,
            rng.random() < 0.02,
            referrer,
        )
        teams_seen = set()
        substances = _substances(rng, ref, group)
        received = first_received
        for _ in range(REFERRAL_COUNT.pick(rng)):
            if received > today:
                break
            last_possible = (today - received).days <= RECENT_DAYS
            age = age_on(date_of_birth, received)
            service = service_for(date_of_birth=date_of_birth, on=received)
            team = area.arm if service == Service.ARM else area.esap
            assessor = rng.choice(area.assessors) if service == Service.ARM else area.esap_assessor
            referral_id, episode_number = referral_ids.next()
            if received not in due:
                due[received] = add_working_days(received, 3)
            status, triaged_on, contacted_on = _intake(rng, received, today, group, age, last_possible)
            ineligible = status == ReferralStatus.SIGNPOSTED_INELIGIBLE
            hour = between(rng, 8, 17)
            referrals.add(
                referral_id,
                episode_number,
                person_id,
                f"{received.isoformat()} {hour:02d}:{rng.choice((0, 15, 30, 45)):02d}:00+00",
                received,
                due[received],
                ref["sources"].pick(rng),
                REASONS[group],
                Urgency.URGENT if rng.random() < 0.08 else Urgency.ROUTINE,
                service,
                team,
                not ineligible,
                not ineligible,
                status,
                "County drug and alcohol service"
                if ineligible
                else TIER_1_2_SERVICE
                if status == ReferralStatus.SIGNPOSTED_TIER_1_2
                else "",
                INELIGIBLE_REASON if ineligible else "",
                triaged_on,
                assessor if triaged_on else None,
                "Harm reduction advice and safer drinking" if status == ReferralStatus.BRIEF_INTERVENTION else "",
                referrer,
            )
            for substance in [ref["alcohol"]] if status == ReferralStatus.SIGNPOSTED_TIER_1_2 else substances:
                presenting.add(referral_id, substance)
            if team not in teams_seen:
                teams_seen.add(team)
                involvements.add(person_id, team, received, "referral")
            if (today - received).days <= AUDIT_DAYS:
                aftercare.audit(
                    received, referrer, AuditAction.CREATE, Referral, referral_id, person_id, REASONS[group]
                )
            if contacted_on:
                contacts.add(referral_id, contacted_on, ContactMethod.PHONE, "", assessor)
            elif status == ReferralStatus.AWAITING_CONTACT and rng.random() < 0.5:
                contacts.add(referral_id, received, ContactMethod.FAILED_ATTEMPT, "No answer; voicemail left", assessor)
            if status != ReferralStatus.ACCEPTED:
                if status in (ReferralStatus.AWAITING_CONTACT, ReferralStatus.AWAITING_TRIAGE):
                    break  # still in intake: nothing after it yet
                received += timedelta(days=between(rng, *GAP_AFTER[None]))
                continue
            episode_id = episode_ids.next()
            opened = triaged_on
            median, spread = DURATION[group]
            length = int(rng.lognormvariate(log(median), spread))
            discharged = opened + timedelta(days=length)
            keyworker, delivery_team = None, None
            if discharged >= today:
                discharged, reason, outcome = None, None, None
                if (today - opened).days > UNALLOCATED_DAYS or rng.random() < 0.5:
                    worker = staffing.take()
                    keyworker, delivery_team = worker.id, worker.team.id
            else:
                (reason, outcome) = ref["exits"][group].pick(rng)
                keyworker, delivery_team = staffing.past_keyworker(area)
            episodes.add(
                episode_id,
                episode_number,
                person_id,
                referral_id,
                team,
                opened,
                discharged,
                reason,
                keyworker if discharged else None,
            )
            allocated_on = None
            if keyworker:
                allocated_on = min(opened + timedelta(days=between(rng, 0, 10)), discharged or today)
                allocations.add(episode_id, assessor, keyworker, delivery_team, allocated_on, discharged, area.manager)
                if delivery_team not in teams_seen:
                    teams_seen.add(delivery_team)
                    involvements.add(person_id, delivery_team, allocated_on, "allocation")
            chunk.episodes.append(
                ScaleEpisode(
                    episode_id,
                    person_id,
                    opened,
                    discharged,
                    outcome,
                    group,
                    area,
                    keyworker,
                    assessor,
                    substances,
                    delivery_team,
                    not male,
                    team,
                )
            )
            name = f"{given} {family}"
            if discharged is None:
                if keyworker:
                    aftercare.views(keyworker, person_id, name)
                break  # the one open episode is the last
            aftercare.discharged(episode_id, person_id, name, discharged, reason, outcome, keyworker, delivery_team)
            received = discharged + timedelta(days=between(rng, *GAP_AFTER[outcome]))


class _Aftercare:
    """What follows a discharge (follow-ups, their tasks, re-engagement) and the recent audit rows."""

    def __init__(self, chunk, ref):
        self.rng, self.today = chunk.context.rng, chunk.context.today
        self.usernames = chunk.context.staffing.usernames
        self.died = ref["died"]
        self.follow_ups = chunk.table(
            FollowUp, ["id", "episode_id", "kind", "due_on", "done_on", "outcome", "keyworker_id", "team_id"]
        )
        self.tasks = chunk.table(
            Task, ["person_id", "episode_id", "kind", "title", "assigned_to_id", "team_id", "due_on", "source_key"]
        )
        self.reengagement = chunk.table(
            ReengagementEntry, ["person_id", "episode_id", "added_on", "closed_on", "outcome"]
        )
        self.events = chunk.table(
            AuditEvent,
            ["at", "actor_id", "actor_username", "action", "object_type", "object_id", "object_repr", "details"],
        )
        self.follow_up_ids = _IdBlock(FollowUp)

    def discharged(self, episode_id, person_id, name, on, reason, outcome, keyworker, team):
        rng, today = self.rng, self.today
        if (today - on).days <= AUDIT_DAYS:
            self.audit(on, keyworker, AuditAction.CHANGE, Episode, episode_id, person_id, f"Episode of {name}")
        if outcome == "successful":
            for kind, months in FOLLOW_UP_MONTHS.items():
                due = add_months(on, months)
                done = due + timedelta(days=between(rng, *FOLLOW_UP_DONE))
                follow_up_id = self.follow_up_ids.next()
                if done <= today:
                    self.follow_ups.add(
                        follow_up_id, episode_id, kind, due, done, FOLLOW_UP_OUTCOMES.pick(rng), keyworker, team
                    )
                    continue
                self.follow_ups.add(follow_up_id, episode_id, kind, due, None, "", keyworker, team)
                if due <= today + timedelta(days=FOLLOW_UP_TASK_WINDOW_DAYS):
                    title = f"{FOLLOW_UP_LABELS[kind]}: contact {name}"
                    key = f"follow_up:{follow_up_id}"
                    self.tasks.add(person_id, episode_id, TaskKind.FOLLOW_UP, title, keyworker, team, due, key)
        elif outcome == "unsuccessful" and reason != self.died:
            closed = on + timedelta(days=between(rng, *REENGAGEMENT_CLOSED))
            if closed <= today:
                self.reengagement.add(person_id, episode_id, on, closed, REENGAGEMENT_OUTCOMES.pick(rng))
            else:
                self.reengagement.add(person_id, episode_id, on, None, "")

    def views(self, keyworker, person_id, name):
        for _ in range(between(self.rng, *CASELOAD_VIEWS)):
            on = self.today - timedelta(days=between(self.rng, 0, 30))
            self.audit(on, keyworker, AuditAction.VIEW, Person, person_id, person_id, name)

    def audit(self, on, actor, action, model, object_id, person_id, text):
        rng = self.rng
        at = f"{on.isoformat()} {between(rng, 8, 17):02d}:{between(rng, 0, 59):02d}:{between(rng, 0, 59):02d}+00"
        self.events.add(
            at,
            actor,
            self.usernames.get(actor, ""),
            action,
            model._meta.label,
            str(object_id),
            text[:200],
            f'{{"person": {person_id}}}',
        )


def _intake(rng, received, today, group, age, recent):
    """The referral's state and its contact and triage days (None where not reached)."""
    waited = (today - received).days
    if recent:
        roll = rng.random()
        if roll < 0.3:
            return ReferralStatus.AWAITING_CONTACT, None, None
        if roll < 0.5 and waited >= 1:
            return ReferralStatus.AWAITING_TRIAGE, None, received + timedelta(days=between(rng, 0, min(2, waited)))
    contacted = received + timedelta(days=CONTACT_DAYS.pick(rng))
    triaged = contacted + timedelta(days=TRIAGE_DAYS.pick(rng))
    if triaged > today:
        if contacted > today:
            return ReferralStatus.AWAITING_CONTACT, None, None
        return ReferralStatus.AWAITING_TRIAGE, None, contacted
    roll = rng.random()
    if roll < 0.03:
        return ReferralStatus.SIGNPOSTED_INELIGIBLE, None, contacted
    if roll < 0.08:
        return ReferralStatus.BRIEF_INTERVENTION, triaged, contacted
    if roll < 0.10 and group == "alcohol" and age >= 19:
        return ReferralStatus.SIGNPOSTED_TIER_1_2, triaged, contacted
    return ReferralStatus.ACCEPTED, triaged, contacted


class _IdBlock:
    """Primary keys from the table's sequence, a block at a time (a person's referrals are not known ahead)."""

    BLOCK = 2000

    def __init__(self, model):
        self.model, self.ids = model, []

    def next(self):
        if not self.ids:
            self.ids = self._reserve()[::-1]
        return self.ids.pop()

    def _reserve(self):
        return reserve_ids(self.model, self.BLOCK)


class _ReferralIds(_IdBlock):
    """A referral's id and its EPISODID, both from their sequences: given here rather than by the database's
    default and trigger, so a trusted load (no triggers) writes the episode with the same EPISODID."""

    def _reserve(self):
        with connection.cursor() as cursor:
            cursor.execute(
                # The function's name is the model's own; the table and count are bound.
                f"SELECT nextval(pg_get_serial_sequence(%s, 'id')), {NextEpisodeId.function}() "  # nosec B608
                "FROM generate_series(1, %s)",
                [Referral._meta.db_table, self.BLOCK],
            )
            return cursor.fetchall()
