"""Hepatitis B vaccination, blood-borne virus tests, naloxone, the needle and syringe programme and outreach for
`seed_scale` (core.scale), on the episodes the referrals app made in the chunk.

The shares lean the way the service specification's targets and the national figures do, short of the targets
as services are (SPEC appendix 1: hepatitis B offered to 95% of new episodes, refused by 10% or fewer, at least
one dose for 90% of those who accept and a completed course for 75%; a hepatitis C test offered to 95% of those
who inject or have injected):

- hepatitis B: offered in most new episodes, more often to people who use opiates or inject; a person immunised
  in an earlier episode is recorded as already immune; most accept, about one in eight refuses; of those who
  accept, about nine in ten have a first dose and about seven in ten finish the course (accelerated for most who
  inject, else standard), each dose on time or a few days late, so doses fall due this week and next;
- hepatitis C antibody: offered to nearly all who inject or have injected and to some others; about eight in ten
  accept; around half of those who have injected test positive (the national unlinked anonymous survey of
  people who inject drugs), few others do; HIV tests for some who inject;
- take-home naloxone to most people in the opiate group at the start of treatment, a second kit for some later;
- the needle and syringe programme: many who inject now are known attenders (linked to their record) visiting
  every few weeks during their episode in its last year, and people who never gave a name visit too; a few kits
  of naloxone go to those anonymous attenders;
- outreach contacts in hostels, on the street, in hospital and custody, most with no person record.

The area's harm reduction worker records them, and the harm reduction team becomes involved with each person it
has a record for (so its workers see them). Attender codes are unique across the whole load: a person whose code
another attender already holds is not made an attender.
"""

from datetime import timedelta

from core.bulk import reserve_ids
from core.models import Sex
from core.scale import Weighted, between
from harm_reduction import conf
from harm_reduction.choices import (
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
    NspSite,
    NspVisit,
    OutreachContact,
)
from harm_reduction.services import age_on, doses_in_course, next_dose_due
from referrals.models import TeamInvolvement

ACCEPTED, REFUSED, OFFERED = str(HepBOffer.ACCEPTED), str(HepBOffer.REFUSED), str(HepBOffer.OFFERED)
ALREADY_IMMUNISED = str(HepBOffer.ALREADY_IMMUNISED)
ACCELERATED, STANDARD = str(VaccinationSchedule.ACCELERATED), str(VaccinationSchedule.STANDARD)
HEP_C, HIV = str(BbvTestKind.HEP_C_ANTIBODY), str(BbvTestKind.HIV)
POSITIVE, NEGATIVE = str(BbvResult.POSITIVE), str(BbvResult.NEGATIVE)

# Hepatitis B offer in a new episode, for those who use opiates or inject (at risk) and for the others.
HEP_B_OFFERED = {True: 0.9, False: 0.7}
ALREADY_IMMUNE_AT_FIRST = 0.08
HEP_B_ANSWER = Weighted((ACCEPTED, REFUSED, OFFERED), (84, 13, 3))
FIRST_DOSE = 0.9
COMPLETES = 0.72
DOSE_LATE = (0, 6)
# Hepatitis C antibody test offered, by injecting status (current or previous, or never), and its uptake.
HEP_C_OFFERED = {True: 0.93, False: 0.3}
TEST_ACCEPTED = 0.8
TEST_TAKEN = 0.9
HEP_C_POSITIVE = {True: 0.5, False: 0.03}
HIV_OFFERED = 0.5  # of those who inject
HIV_POSITIVE = 0.01
RESULT_AFTER = (7, 14)
NALOXONE = 0.75  # of the opiate group
NALOXONE_AGAIN = 0.3
NALOXONE_FORM = Weighted((str(NaloxoneForm.NASAL), str(NaloxoneForm.INJECTABLE)), (55, 45))
NALOXONE_RECIPIENT = Weighted([str(r) for r in NaloxoneRecipient.values], (90, 8, 2))
# The needle and syringe programme: known attenders (of those who inject now), the days between visits in
# their episode's last year, and people who never gave a name (per person in the chunk).
NSP_ATTENDS = 0.6
NSP_EVERY = (10, 45)
NSP_DAYS = 365
ANONYMOUS_PER_PERSON = 0.04
ANONYMOUS_VISITS = (1, 8)
ANONYMOUS_NALOXONE = 0.15
OUTREACH_PER_PERSON = 0.03
OUTREACH_KNOWN = 0.3
OUTREACH_SETTING = Weighted([str(s) for s in OutreachSetting.values], (45, 35, 12, 8))
ADVICE = ("", "", "Safer injecting sites", "Overdose awareness", "Wound care")
INITIALS = "ABCDEFGHJKLMNPRSTW"
# What attenders say they inject: heroin most, then crack, image and performance-enhancing drugs, amphetamines.
INJECTED = {"HER": 50, "CRK": 20, "STER": 15, "AMP": 15}


def _reference(context):
    def make():
        items = list(EquipmentItem.objects.filter(active=True).values_list("pk", "is_needle", "is_sharps_bin"))
        drugs = dict(InjectedDrug.objects.values_list("code", "pk"))
        return {
            "needles": [pk for pk, needle, _ in items if needle],
            "others": [pk for pk, needle, bin_ in items if not needle and not bin_],
            "bins": [pk for pk, _, bin_ in items if bin_],
            "drugs": Weighted([drugs[code] for code in INJECTED], INJECTED.values()),
            "sex": dict(Sex.objects.values_list("code", "pk")),
            "codes": set(),  # attender codes made so far, across chunks
            "sites": {},
            "young_below": conf.young_person_age_limit(),
        }

    return context.lookup("harm_reduction", make)


def build(chunk):
    context = chunk.context
    ref = _reference(context)
    records = _Records(chunk, ref)
    for episode in chunk.episodes:
        records.episode(episode)
    records.anonymous()
    records.outreach()


class _Records:
    def __init__(self, chunk, ref):
        self.chunk, self.ref = chunk, ref
        self.rng, self.today = chunk.context.rng, chunk.context.today
        self.injecting = chunk.shared.get("injecting", {})
        self.born = chunk.shared.get("born", {})
        self.involved = chunk.shared.setdefault("involved", set())
        self.immune: set[int] = set()  # people of the chunk immunised in an earlier episode
        self.involvements = chunk.table(TeamInvolvement, ["person_id", "team_id", "since", "reason"])
        self.courses = chunk.table(
            HepBCourse,
            [
                "id",
                "person_id",
                "episode_id",
                "offer",
                "offered_on",
                "outcome_on",
                "schedule",
                "next_dose_due",
                "course_complete",
                "completed_on",
                "recorded_by_id",
            ],
        )
        self.doses = chunk.table(HepBDose, ["course_id", "dose_number", "given_on"])
        self.tests = chunk.table(
            BbvTest,
            [
                "person_id",
                "episode_id",
                "kind",
                "offered_on",
                "accepted",
                "answered_on",
                "tested_on",
                "result",
                "result_on",
                "recorded_by_id",
            ],
        )
        self.naloxone = chunk.table(
            NaloxoneSupply,
            [
                "person_id",
                "attender_id",
                "supplied_on",
                "form",
                "recipient",
                "quantity",
                "training_given",
                "recorded_by_id",
            ],
        )
        self.attenders = chunk.table(
            Attender, ["id", "code", "initials", "date_of_birth", "sex_id", "person_id", "linked_on", "linked_by_id"]
        )
        self.visits = chunk.table(
            NspVisit,
            [
                "id",
                "attender_id",
                "site_id",
                "visited_on",
                "items_returned",
                "sharps_bins_returned",
                "advice_given",
                "onward_referral_offered",
                "young_peoples_service_offered",
                "young_person_issue_reason",
                "recorded_by_id",
            ],
        )
        self.issues = chunk.table(NspIssue, ["visit_id", "item_id", "quantity"])
        self.drugs_injected = chunk.table(NspVisit.drugs_injected.through, ["nspvisit_id", "injecteddrug_id"])
        self.outreach_contacts = chunk.table(
            OutreachContact, ["setting", "contacted_on", "person_id", "description", "recorded_by_id"]
        )

    def episode(self, episode):
        rng, today = self.rng, self.today
        end = episode.discharged_on or today
        status = self.injecting.get(episode.id)
        injects = status in ("C", "P")
        worker = episode.area.harm_reduction_worker
        recorded = self._hep_b(episode, end, injects or episode.group == "opiate", worker)
        recorded |= self._hep_c(episode, end, injects, worker)
        if status == "C" and rng.random() < HIV_OFFERED:
            recorded |= self._test(episode, end, HIV, HIV_POSITIVE, worker)
        if episode.group == "opiate" and rng.random() < NALOXONE:
            supplied = min(episode.opened_on + timedelta(days=between(rng, 0, 28)), end)
            self._naloxone(episode.person_id, None, supplied, worker)
            again = supplied + timedelta(days=between(rng, 180, 400))
            if again <= end and rng.random() < NALOXONE_AGAIN:
                self._naloxone(episode.person_id, None, again, worker)
            recorded = True
        if status == "C" and rng.random() < NSP_ATTENDS:
            recorded |= self._attends(episode, end, worker)
        if recorded and (episode.person_id, episode.area.harm_reduction) not in self.involved:
            self.involved.add((episode.person_id, episode.area.harm_reduction))
            self.involvements.add(episode.person_id, episode.area.harm_reduction, episode.opened_on, "harm reduction")

    def _hep_b(self, episode, end, at_risk, worker) -> bool:
        rng, today = self.rng, self.today
        person = episode.person_id
        offered = min(episode.opened_on + timedelta(days=between(rng, 0, 21)), end)
        course_id = self._next_id(HepBCourse)
        if person in self.immune or rng.random() < ALREADY_IMMUNE_AT_FIRST:
            self.immune.add(person)
            self.courses.add(
                course_id, person, episode.id, ALREADY_IMMUNISED, offered, offered, "", None, False, None, worker
            )
            return True
        if rng.random() >= HEP_B_OFFERED[at_risk]:
            return False
        answer = HEP_B_ANSWER.pick(rng)
        if answer != ACCEPTED:
            outcome = offered if answer == REFUSED else None
            self.courses.add(course_id, person, episode.id, answer, offered, outcome, "", None, False, None, worker)
            return True
        schedule = ACCELERATED if at_risk and rng.random() < 0.7 else STANDARD
        course = doses_in_course(schedule)
        if rng.random() >= FIRST_DOSE:
            wanted = 0
        elif rng.random() < COMPLETES / FIRST_DOSE:
            wanted = course
        else:
            wanted = between(rng, 1, course - 1)
        doses = []
        if wanted:
            # Given while the episode is open: an episode that ends leaves the course where it was.
            first = offered + timedelta(days=between(rng, 0, 14))
            day = first
            while day <= min(end, today) and len(doses) < wanted:
                doses.append(day)
                due = next_dose_due(schedule, first, len(doses))
                if due is None:
                    break
                day = due + timedelta(days=between(rng, *DOSE_LATE))
        complete = len(doses) == course
        due = None if complete or not doses else next_dose_due(schedule, doses[0], len(doses))
        self.courses.add(
            course_id,
            person,
            episode.id,
            ACCEPTED,
            offered,
            offered,
            schedule,
            due,
            complete,
            doses[-1] if complete else None,
            worker,
        )
        for number, given in enumerate(doses, start=1):
            self.doses.add(course_id, number, given)
        if complete:
            self.immune.add(person)
        return True

    def _hep_c(self, episode, end, injects, worker) -> bool:
        if self.rng.random() >= HEP_C_OFFERED[injects]:
            return False
        return self._test(episode, end, HEP_C, HEP_C_POSITIVE[injects], worker)

    def _test(self, episode, end, kind, positive, worker) -> bool:
        rng, today = self.rng, self.today
        offered = min(episode.opened_on + timedelta(days=between(rng, 0, 28)), end)
        accepted = rng.random() < TEST_ACCEPTED
        tested = offered + timedelta(days=between(rng, 0, 14)) if accepted and rng.random() < TEST_TAKEN else None
        if tested and tested > min(end, today):
            tested = None
        result, result_on = "", None
        if tested:
            result_on = tested + timedelta(days=between(rng, *RESULT_AFTER))
            if result_on <= today:
                result = POSITIVE if rng.random() < positive else NEGATIVE
            else:
                result_on = None
        self.tests.add(
            episode.person_id, episode.id, kind, offered, accepted, offered, tested, result, result_on, worker
        )
        return True

    def _naloxone(self, person_id, attender_id, supplied, worker):
        rng = self.rng
        recipient = NALOXONE_RECIPIENT.pick(rng) if person_id else "person"
        self.naloxone.add(
            person_id, attender_id, supplied, NALOXONE_FORM.pick(rng), recipient, 1, rng.random() < 0.9, worker
        )

    def _attends(self, episode, end, worker) -> bool:
        """The person as a known NSP attender, visiting through their episode's last year (NSP_DAYS)."""
        initials, born, male = self.born[episode.person_id]
        sex = self.ref["sex"]["M" if male else "F"]
        code = f"{initials.upper()}{born:%d%m%Y}{'M' if male else 'F'}"
        if code in self.ref["codes"]:
            return False
        self.ref["codes"].add(code)
        attender_id = self._next_id(Attender)
        linked = f"{episode.opened_on.isoformat()} 11:00:00+00"
        self.attenders.add(attender_id, code, initials.upper(), born, sex, episode.person_id, linked, worker)
        day = max(episode.opened_on, end - timedelta(days=NSP_DAYS))
        while day <= end:
            self._visit(attender_id, episode.area, day, born, worker)
            day += timedelta(days=between(self.rng, *NSP_EVERY))
        return True

    def _visit(self, attender_id, area, day, born, worker):
        rng, ref = self.rng, self.ref
        visit_id = self._next_id(NspVisit)
        young = age_on(born, day) < ref["young_below"]
        needles = between(rng, 5, 20 if young else 40)
        self.visits.add(
            visit_id,
            attender_id,
            rng.choice(self._sites(area)),
            day,
            between(rng, 0, needles),
            1 if rng.random() < 0.3 else 0,
            rng.choice(ADVICE),
            rng.random() < 0.1,
            young,
            "Declined the young people's service; injecting daily" if young else "",
            worker,
        )
        self.issues.add(visit_id, rng.choice(ref["needles"]), needles)
        self.issues.add(visit_id, rng.choice(ref["others"]), between(rng, 5, 20))
        if rng.random() < 0.2:
            self.issues.add(visit_id, ref["bins"][0], 1)
        if rng.random() < 0.7:
            self.drugs_injected.add(visit_id, ref["drugs"].pick(rng))

    def anonymous(self):
        """Attenders who never gave a name: people in the chunk's areas who are not in treatment."""
        rng, today, ref = self.rng, self.today, self.ref
        areas = {episode.area.number: episode.area for episode in self.chunk.episodes}
        if not areas:
            return
        areas = list(areas.values())
        for _ in range(int(self.chunk.people * ANONYMOUS_PER_PERSON)):
            area = rng.choice(areas)
            male = rng.random() < 0.75
            born = today - timedelta(days=between(rng, 25 * 365, 60 * 365))
            initials = rng.choice(INITIALS) + rng.choice(INITIALS)
            code = f"{initials}{born:%d%m%Y}{'M' if male else 'F'}"
            if code in ref["codes"]:
                continue
            ref["codes"].add(code)
            attender_id = self._next_id(Attender)
            self.attenders.add(attender_id, code, initials, born, ref["sex"]["M" if male else "F"], None, None, None)
            worker = area.harm_reduction_worker
            for _ in range(between(rng, *ANONYMOUS_VISITS)):
                self._visit(attender_id, area, today - timedelta(days=between(rng, 0, NSP_DAYS)), born, worker)
            if rng.random() < ANONYMOUS_NALOXONE:
                self._naloxone(None, attender_id, today - timedelta(days=between(rng, 0, NSP_DAYS)), worker)

    def outreach(self):
        rng, today = self.rng, self.today
        episodes = self.chunk.episodes
        if not episodes:
            return
        for _ in range(int(self.chunk.people * OUTREACH_PER_PERSON)):
            episode = rng.choice(episodes)
            known = rng.random() < OUTREACH_KNOWN
            self.outreach_contacts.add(
                OUTREACH_SETTING.pick(rng),
                today - timedelta(days=between(rng, 0, 2 * 365)),
                episode.person_id if known else None,
                "" if known else "Met on outreach; gave a first name only",
                episode.area.harm_reduction_worker,
            )

    def _sites(self, area) -> list[int]:
        """The area's hub and two pharmacies with a needle exchange, made the first time one is visited."""
        sites = self.ref["sites"]
        if area.number not in sites:
            ids = reserve_ids(NspSite, 3)
            table = self.chunk.table(NspSite, ["id", "name", "kind"])
            table.add(ids[0], f"Harm reduction hub {area.number:03d}", str(SiteKind.SERVICE))
            table.add(ids[1], f"Pharmacy {area.number:03d}-1 needle exchange", str(SiteKind.PHARMACY))
            table.add(ids[2], f"Pharmacy {area.number:03d}-2 needle exchange", str(SiteKind.PHARMACY))
            sites[area.number] = ids
        return sites[area.number]

    def _next_id(self, model):
        block = self.chunk.shared.setdefault(("ids", model), [])
        if not block:
            block.extend(reversed(reserve_ids(model, 1000)))
        return block.pop()
