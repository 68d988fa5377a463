"""Demo recovery plans in every state, after the modalities demo.

Open allocated episodes take the states in turn: no plan yet, draft, submitted (awaiting sign-off, so
`assessor.arm` has a queue), returned with a reason, signed, signed with a superseded earlier version,
signed and reviewed (half of those reviews started a new draft), and signed with its review overdue.
Each plan is written by the keyworker who holds the episode and signed by an assessor of the episode's team,
who is never the author. Rows go in by COPY (core.bulk), deterministic from `context.rng`.
"""

from datetime import datetime, time, timedelta

from django.db import connection
from django.utils import timezone

from core.bulk import copy_insert
from core.choices import Role
from recovery_plans.models import (
    Action,
    ActionStatus,
    Goal,
    GoalProgress,
    Intervention,
    Modality,
    PlannedModality,
    PlanReview,
    PlanVersion,
    RecoveryPlan,
    VersionStatus,
)
from referrals.models import Allocation

SIGNED_VERSION_TRIGGER = "recovery_plans_signed_version_read_only"
STATES = ("none", "draft", "submitted", "returned", "signed", "superseded", "reviewed", "overdue")
OVERDUE_AGE_DAYS = 130  # old enough to have been signed, reviewed once, and missed the next review

GOALS = {
    "substance_use": [
        ("Stop using heroin", ["Pick up my script every day", "Go to the relapse prevention group"]),
        ("Cut down to two drinking days a week", ["Keep a drink diary", "Tell my partner my plan"]),
        ("Stop using crack at weekends", ["Plan what I do on Friday nights", "Call my peer mentor when I crave"]),
    ],
    "physical_health": [
        ("Get my leg ulcer seen to", ["Book a nurse appointment", "Go to the wound clinic"]),
        ("Have a hepatitis C test", ["Do the dry blood spot test at the hub"]),
    ],
    "mental_health": [("Feel less anxious", ["Ask my GP about talking therapy", "Try the breathing exercises"])],
    "housing": [
        ("Find my own flat", ["Register with the council housing team", "View flats with my support worker"]),
        ("Keep my tenancy", ["Set up a rent payment plan", "Meet the housing officer monthly"]),
    ],
    "ete": [("Start a college course", ["Go to the college open day", "Apply for the bursary"])],
    "family": [("See my children every week", ["Ask social care about contact", "Go to the family support group"])],
    "offending": [("Finish my DRR without a breach", ["Attend every probation appointment"])],
    "finances": [("Sort out my debts", ["Book an appointment with Citizens Advice", "Open a bank account"])],
}
WHO = ("Me", "Me and my keyworker", "My keyworker", "The housing officer", "My GP", "My peer mentor")
OWN_WORDS = (
    "I want to be a proper dad again.",
    "I'm tired of waking up ill every morning. I want a normal life.",
    "I want my own place and a job by next summer.",
    "I want to stop drinking before it kills me.",
    "I want to get my kids back and keep them.",
)
PROGRESS = ("Some progress since the last review.", "Done.", "Not started yet: we agreed to try again.")
REVIEW = "Going steadily. We looked at each goal together."
RETURN_REASONS = (
    "Add dates to the actions so we know when each will happen.",
    "The housing goal needs an action for who contacts the council.",
    "Please add the person's own words before I sign this off.",
)


def _at(day):
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _content(rng):
    """2-3 goals in different domains, each with its actions, as plain data to copy into versions."""
    domains = rng.sample(sorted(GOALS), rng.randint(2, 3))
    goals = []
    for domain in domains:
        text, actions = rng.choice(GOALS[domain])
        goals.append((domain, text, [(what, rng.choice(WHO)) for what in actions]))
    return goals


def seed(context):
    rng, today, staff = context.rng, context.today, context.staff
    allocations = list(
        Allocation.objects.filter(ended_on__isnull=True, episode__discharged_on__isnull=True)
        .select_related("episode")
        .order_by("episode_id")
    )
    # Signers: the assessors of each assessment team (ARM, ESAP); a keyworker writes, so never the signer.
    signers = {}
    for user in staff.values():
        if user.has_role(Role.ASSESSOR):
            for team in user.teams.all():
                signers.setdefault(team.pk, []).append(user)
    interventions = list(Intervention.objects.filter(active=True).order_by("sort_order", "pk"))
    modalities: dict[int, list[int]] = {}
    for episode_id, intervention_id in Modality.objects.filter(
        episode_id__in=[a.episode_id for a in allocations]
    ).values_list("episode_id", "intervention_id"):
        modalities.setdefault(episode_id, []).append(intervention_id)

    rows = []  # (allocation, state, content)
    for index, allocation in enumerate(allocations):
        state = STATES[index % len(STATES)]
        if state == "none" or not signers.get(allocation.episode.team_id):
            continue
        age = (today - allocation.episode.opened_on).days
        if state == "overdue" and age < OVERDUE_AGE_DAYS:
            state = "signed"
        rows.append((allocation, state, _content(rng)))

    plan_objs = copy_insert([RecoveryPlan(episode_id=a.episode_id) for a, _, _ in rows])

    versions = []  # (version, goals it holds, planned interventions, the day it was written, version it copies)
    reviews = []  # (review, the signed version it read)
    for (allocation, state, goals), plan in zip(rows, plan_objs, strict=True):
        episode, author_id = allocation.episode, allocation.keyworker_id
        signer = rng.choice(signers[episode.team_id])
        started = min(episode.opened_on + timedelta(days=rng.randint(2, 14)), today)
        planned = list(dict.fromkeys(modalities.get(episode.pk) or [rng.choice(interventions).pk]))
        base = {"plan": plan, "own_words": rng.choice(OWN_WORDS), "author_id": author_id}
        review_base = {"summary": REVIEW, "by_id": author_id}

        if state in ("draft", "submitted", "returned"):
            draft = PlanVersion(number=1, status=VersionStatus.DRAFT, **base)
            if state == "submitted":
                draft.status = VersionStatus.SUBMITTED
                draft.submitted_at = _at(min(started + timedelta(days=rng.randint(0, 5)), today))
            if state == "returned":
                draft.returned_reason, draft.version = rng.choice(RETURN_REASONS), 2
            versions.append((draft, goals, planned, started, None))
            continue

        signed_on = min(started + timedelta(days=rng.randint(1, 7)), today)
        if state == "overdue":
            # Signed long ago and reviewed once, more than the plan's interval (84 days) before today.
            signed_on = episode.opened_on + timedelta(days=rng.randint(5, 20))
            started = min(started, signed_on)
        first = PlanVersion(
            number=1,
            status=VersionStatus.SIGNED,
            signed_by=signer,
            signed_on=signed_on,
            submitted_at=_at(signed_on),
            **base,
        )
        versions.append((first, goals, planned, started, None))
        if state == "superseded":
            first.status = VersionStatus.SUPERSEDED
            later = min(signed_on + timedelta(days=rng.randint(10, 60)), today)
            second = PlanVersion(
                number=2,
                status=VersionStatus.SIGNED,
                signed_by=signer,
                signed_on=later,
                submitted_at=_at(later),
                **base,
            )
            changed = [*goals[:-1], ("finances", "Sort out my debts", [("Open a bank account", "Me")])]
            versions.append((second, changed, planned, later, first))
        elif state == "reviewed":
            reviewed_on = min(signed_on + timedelta(days=rng.randint(60, 84)), today)
            review = PlanReview(plan=plan, reviewed_on=reviewed_on, reviewed_version=first, **review_base)
            if rng.random() < 0.5:
                review.new_version = PlanVersion(number=2, status=VersionStatus.DRAFT, **base)
                versions.append((review.new_version, goals, planned, reviewed_on, first))
            reviews.append((review, first))
        elif state == "overdue":
            latest = max((today - signed_on).days - 90, 10)
            reviewed_on = signed_on + timedelta(days=rng.randint(10, latest))
            review = PlanReview(plan=plan, reviewed_on=reviewed_on, reviewed_version=first, **review_base)
            reviews.append((review, first))

    # A copied version goes in after the one it copies, which then has an id to point at.
    copy_insert([v for v, *_, copied in versions if copied is None], model=PlanVersion)
    for obj, *_, copied in versions:
        if copied is not None:
            obj.based_on_id = copied.pk
    copy_insert([v for v, *_, copied in versions if copied is not None], model=PlanVersion)
    # COPY stamps `created_at` with now, as auto_now_add would; a demo plan was started on its own day. Signed
    # versions refuse any UPDATE (migration 0004), so the trigger is off for this one statement of the load,
    # inside the seeding transaction (ALTER TABLE needs the table's owner, as migrations do).
    with connection.cursor() as cursor:
        # Foreign keys are checked at commit; ALTER TABLE wants no such check pending on the table.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {PlanVersion._meta.db_table} DISABLE TRIGGER {SIGNED_VERSION_TRIGGER}")
        # The table name is the model's own; the values are bound parameters.
        cursor.execute(
            f"UPDATE {PlanVersion._meta.db_table} AS v SET created_at = d.created "  # nosec B608
            "FROM unnest(%s::bigint[], %s::timestamptz[]) AS d(id, created) WHERE v.id = d.id",
            [[v.pk for v, *_ in versions], [_at(written) for _, _, _, written, _ in versions]],
        )
        cursor.execute(f"ALTER TABLE {PlanVersion._meta.db_table} ENABLE TRIGGER {SIGNED_VERSION_TRIGGER}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    goal_objs, goal_actions, planned_objs = [], [], []
    goals_of: dict[int, list[Goal]] = {}
    for obj, content, planned, created_on, _ in versions:
        for position, (domain, text, actions) in enumerate(content):
            goal = Goal(plan_version_id=obj.pk, domain=domain, text=text, position=position)
            goal_objs.append(goal)
            goal_actions.append((goal, actions, created_on))
            goals_of.setdefault(obj.pk, []).append(goal)
        planned_objs += [PlannedModality(plan_version_id=obj.pk, intervention_id=pk) for pk in planned]
    copy_insert(goal_objs, model=Goal)
    statuses = ActionStatus.values
    action_objs = [
        Action(
            goal_id=goal.pk,
            what=what,
            who=who,
            position=position,
            by_when=created_on + timedelta(days=rng.choice((14, 28, 42))),
            status=rng.choice(statuses),
        )
        for goal, actions, created_on in goal_actions
        for position, (what, who) in enumerate(actions)
    ]
    copy_insert(action_objs, model=Action)
    copy_insert(planned_objs, model=PlannedModality)

    for review, signed in reviews:
        # Built before the versions had ids, so the ids are copied in now.
        review.reviewed_version_id = signed.pk
        review.new_version_id = review.new_version.pk if review.new_version else None
    copy_insert([review for review, _ in reviews], model=PlanReview)
    copy_insert(
        [
            GoalProgress(review_id=review.pk, goal_id=goal.pk, progress=rng.choice(PROGRESS))
            for review, signed in reviews
            for goal in goals_of[signed.pk]
        ],
        model=GoalProgress,
    )
