"""Demo harm reduction: NSP sites, anonymous and known attenders with visits over the last four months,
hepatitis B courses in every state (some doses due this week), hepatitis C and HIV tests, a positive hepatitis B
result referred to hepatology (on its owner's work list), naloxone and outreach. Bulk inserts, except the referral
(made by the service, so its owner is chosen by the rule); dates relative to `context.today`."""

from datetime import UTC, date, datetime, time, timedelta

from core.models import Sex
from harm_reduction import conf
from harm_reduction.choices import (
    HEP_B_IMMUNE,
    BbvResult,
    BbvTestKind,
    HepBOffer,
    NaloxoneForm,
    NaloxoneRecipient,
    OutreachSetting,
    SiteKind,
    VaccinationSchedule,
)
from harm_reduction.models import (
    Attender,
    BbvTest,
    EquipmentItem,
    HepBCourse,
    HepBDose,
    InjectedDrug,
    NaloxoneSupply,
    NspIssue,
    NspSafeguardingTask,
    NspSite,
    NspVisit,
    OutreachContact,
)
from harm_reduction.services import age_on, attender_code, doses_in_course, next_dose_due, refer_positive_result
from referrals.models import Allocation, Episode, TeamInvolvement

SITES = [
    ("Harm reduction hub", SiteKind.SERVICE),
    ("Shirley Road Pharmacy", SiteKind.PHARMACY),
    ("Portswood Pharmacy", SiteKind.PHARMACY),
    ("Woolston Pharmacy", SiteKind.PHARMACY),
]
ANONYMOUS_ATTENDERS = 60
KNOWN_PEOPLE = 30


def seed(context):
    rng, today = context.rng, context.today
    worker = context.staff["harm.reduction"]
    team = context.teams["Harm reduction"]
    sites = [NspSite.objects.get_or_create(name=name, defaults={"kind": kind})[0] for name, kind in SITES]
    sexes = list(Sex.objects.filter(code__in=["M", "F"]))
    items = list(EquipmentItem.objects.filter(active=True))
    drugs = list(InjectedDrug.objects.filter(active=True))

    episodes = list(
        Episode.objects.filter(discharged_on__isnull=True)
        .select_related("person", "person__sex")
        .order_by("pk")[:KNOWN_PEOPLE]
    )
    people = [episode.person for episode in episodes]
    TeamInvolvement.objects.bulk_create(
        [
            TeamInvolvement(person=p, team=team, since=today - timedelta(days=90), reason="harm reduction")
            for p in people
        ],
        ignore_conflicts=True,
    )

    attenders, codes = [], set()
    for person in people[: KNOWN_PEOPLE // 2]:
        code = attender_code(initials=person.initials, date_of_birth=person.date_of_birth, sex=person.sex)
        if code not in codes:
            codes.add(code)
            attenders.append(
                Attender(
                    code=code,
                    initials=person.initials,
                    date_of_birth=person.date_of_birth,
                    sex=person.sex,
                    person=person,
                    linked_on=datetime.combine(today - timedelta(days=rng.randint(1, 60)), time(10), tzinfo=UTC),
                    linked_by=worker,
                )
            )
    while len(attenders) < ANONYMOUS_ATTENDERS + KNOWN_PEOPLE // 2:
        sex = rng.choice(sexes)
        # A few 16 and 17 year olds (safeguarding) and some under 25 so the young people's rule shows.
        age = rng.choice([16, 17]) if rng.random() < 0.05 else rng.randint(19, 62)
        born = date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
        initials = context.faker.first_name()[0] + context.faker.last_name()[0]
        code = attender_code(initials=initials, date_of_birth=born, sex=sex)
        if code not in codes:
            codes.add(code)
            attenders.append(Attender(code=code, initials=initials.upper(), date_of_birth=born, sex=sex))
    Attender.objects.bulk_create(attenders, ignore_conflicts=True)
    attenders = list(Attender.objects.filter(code__in=codes))

    visits, planned = [], []
    for attender in attenders:
        for _ in range(rng.randint(1, 8)):
            visited_on = today - timedelta(days=rng.randint(0, 120))
            young = age_on(attender.date_of_birth, visited_on) < conf.young_person_age_limit()
            issue = [(item, rng.randint(1, 4 if young else 30)) for item in rng.sample(items, rng.randint(1, 4))]
            issued = sum(q for item, q in issue if not item.is_sharps_bin)
            visits.append(
                NspVisit(
                    attender=attender,
                    site=rng.choice(sites),
                    visited_on=visited_on,
                    items_returned=rng.randint(0, issued),
                    sharps_bins_returned=rng.randint(0, 1),
                    advice_given=rng.choice(["", "Safer injecting sites", "Overdose awareness", "Wound care"]),
                    onward_referral_offered=rng.random() < 0.2,
                    young_peoples_service_offered=young,
                    young_person_issue_reason="Declined the young people's service; injecting daily" if young else "",
                    recorded_by=worker,
                )
            )
            planned.append(issue)
    NspVisit.objects.bulk_create(visits)
    # Each visit by an attender under 18 is the team's safeguarding matter; the older ones already followed up.
    NspSafeguardingTask.objects.bulk_create(
        [
            NspSafeguardingTask(
                visit=v,
                team=team,
                due_on=v.visited_on,
                done_on=v.visited_on + timedelta(days=1) if v.visited_on < today - timedelta(days=14) else None,
                done_by=worker if v.visited_on < today - timedelta(days=14) else None,
            )
            for v in visits
            if age_on(v.attender.date_of_birth, v.visited_on) < conf.SAFEGUARDING_AGE
        ]
    )
    NspIssue.objects.bulk_create(
        [
            NspIssue(visit=v, item=item, quantity=q)
            for v, issue in zip(visits, planned, strict=True)
            for item, q in issue
        ]
    )
    Through = NspVisit.drugs_injected.through
    Through.objects.bulk_create(
        [Through(nspvisit=v, injecteddrug=rng.choice(drugs)) for v in visits if rng.random() < 0.7]
    )

    _vaccinations(context, episodes, worker)
    _tests_naloxone_outreach(context, episodes, worker)
    _positive_hep_b_referral(context, episodes, worker)
    # Kits given at the NSP counter to attenders who never gave a name.
    NaloxoneSupply.objects.bulk_create(
        [
            NaloxoneSupply(
                attender=attender,
                supplied_on=today - timedelta(days=rng.randint(0, 60)),
                form=NaloxoneForm.NASAL,
                recipient=NaloxoneRecipient.PERSON,
                training_given=True,
                recorded_by=worker,
            )
            for attender in attenders[::7]
            if attender.person_id is None
        ]
    )


def _vaccinations(context, episodes, worker):
    rng, today = context.rng, context.today
    monday = today - timedelta(days=today.weekday())
    offers = [HepBOffer.OFFERED, HepBOffer.REFUSED, *HEP_B_IMMUNE] + [HepBOffer.ACCEPTED] * 5
    courses, dose_plans = [], []
    for index, episode in enumerate(episodes):
        offer = offers[index % len(offers)]
        schedule = rng.choice(VaccinationSchedule.values) if offer == HepBOffer.ACCEPTED else ""
        doses = []
        if offer == HepBOffer.ACCEPTED:
            if index % 3 == 0:
                # Dose 1 a week ago on the accelerated schedule: dose 2 falls due this week.
                schedule = VaccinationSchedule.ACCELERATED
                doses = [monday - timedelta(days=7) + timedelta(days=index % 7)]
            else:
                first = today - timedelta(days=rng.randint(30, 400))
                count = rng.randint(0, doses_in_course(schedule))
                doses = [first] + [next_dose_due(schedule, first, n) for n in range(1, count)] if count else []
                doses = [d for d in doses if d <= today]
        complete = bool(schedule) and len(doses) == doses_in_course(schedule)
        courses.append(
            HepBCourse(
                person=episode.person,
                episode=episode,
                offer=offer,
                offered_on=(offered_on := doses[0] if doses else today - timedelta(days=rng.randint(0, 60))),
                outcome_on=None if offer == HepBOffer.OFFERED else offered_on,
                schedule=schedule,
                next_dose_due=None if complete or not doses else next_dose_due(schedule, doses[0], len(doses)),
                course_complete=complete,
                completed_on=doses[-1] if complete else None,
                recorded_by=worker,
            )
        )
        dose_plans.append(doses)
    HepBCourse.objects.bulk_create(courses)
    HepBDose.objects.bulk_create(
        [
            HepBDose(course=course, dose_number=n, given_on=given)
            for course, doses in zip(courses, dose_plans, strict=True)
            for n, given in enumerate(doses, start=1)
        ]
    )


def _positive_hep_b_referral(context, episodes, worker):
    """A positive hepatitis B result referred to hepatology with consent, through the service, so the task lands on
    its owner's work list: the demo keyworker's when one of their people is among the known attenders."""
    if not episodes:
        return
    today = context.today
    mine = (
        Allocation.objects.filter(episode__in=episodes, ended_on__isnull=True, keyworker=context.staff["keyworker"])
        .select_related("episode__person")
        .first()
    )
    person = mine.episode.person if mine else episodes[0].person
    offered_on = today - timedelta(days=14)
    test = BbvTest.objects.create(
        person=person,
        episode=mine.episode if mine else episodes[0],
        kind=BbvTestKind.HEP_B_SURFACE_ANTIGEN,
        offered_on=offered_on,
        accepted=True,
        answered_on=offered_on,
        tested_on=offered_on,
        result=BbvResult.POSITIVE,
        result_on=offered_on + timedelta(days=7),
        recorded_by=worker,
    )
    refer_positive_result(actor=worker, test=test, consent=True)


def _tests_naloxone_outreach(context, episodes, worker):
    rng, today = context.rng, context.today
    tests = []
    for index, episode in enumerate(episodes):
        offered_on = today - timedelta(days=rng.randint(5, 150))
        # Every fourth offer is refused or still waiting for an answer, so the answer form has work to do.
        accepted = True if index % 4 else (None if index % 8 == 0 else False)
        tested = accepted is True and index % 5 != 1
        tests.append(
            BbvTest(
                person=episode.person,
                episode=episode,
                kind=BbvTestKind.HEP_C_ANTIBODY if index % 3 else BbvTestKind.HIV,
                offered_on=offered_on,
                accepted=accepted,
                answered_on=None if accepted is None else offered_on,
                tested_on=offered_on if tested else None,
                result=(BbvResult.POSITIVE if index % 9 == 2 else BbvResult.NEGATIVE) if tested else "",
                result_on=offered_on + timedelta(days=7) if tested else None,
                recorded_by=worker,
            )
        )
    BbvTest.objects.bulk_create(tests)
    NaloxoneSupply.objects.bulk_create(
        [
            NaloxoneSupply(
                person=episode.person,
                supplied_on=today - timedelta(days=rng.randint(0, 120)),
                form=rng.choice(NaloxoneForm.values),
                recipient=rng.choice(NaloxoneRecipient.values),
                training_given=rng.random() < 0.8,
                recorded_by=worker,
            )
            for episode in episodes[::2]
        ]
    )
    OutreachContact.objects.bulk_create(
        [
            OutreachContact(
                setting=rng.choice(OutreachSetting.values),
                contacted_on=today - timedelta(days=rng.randint(0, 90)),
                person=rng.choice(episodes).person if episodes and rng.random() < 0.3 else None,
                description=f"{context.faker.first_name()}, met on outreach",
                recorded_by=worker,
            )
            for _ in range(40)
        ]
    )
