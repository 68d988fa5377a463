"""Who may see which person, and so every record hanging off a person (design.md, who sees what).

- data admins: everyone; commissioners: nobody (aggregates only, in reporting);
- keyworkers: their caseload (a current allocation as lead keyworker);
- assessors and team managers, prescribers and harm reduction workers: people referred to their teams
  (`TeamInvolvement`, added by the services that route, allocate and refer);
- referrers: the people whose referrals they recorded, and those referrals: never the treatment records
  hanging off them (domain.md section 1: a referrer sees the referral form and duplicate warnings);
- anyone holding an open task for a person (a follow-up after discharge goes to the last keyworker, who no
  longer holds the episode but must reach the record to do it);
- the keyworker who discharged a person, while a follow-up of theirs (6 or 12 months after a planned exit, with
  its post-exit TOP) is not done (issue 14: nobody is lost after discharge);
- anyone: a record shared with them explicitly and not expired (guardian's direct foreign key table);
- a worker who broke the glass on the person, until the access expires (`BreakGlassAccess`).

Lists start from `visible_to(user)`; anything outside it is a 404, on pages and API alike.
"""

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models import BooleanField, F, Q, Subquery
from django.db.models.expressions import Expression, RawSQL
from django.utils import timezone

from core import request_context
from core.choices import Role
from core.visibility import scope_for
from referrals.roles import HARM_REDUCTION_TASK_KINDS, TREATMENT_DETAIL_ROLES

TEAM_SCOPED_ROLES = (Role.ASSESSOR, Role.TEAM_MANAGER, Role.PRESCRIBER, Role.HARM_REDUCTION_WORKER)


class _IsAnyOf(Expression):
    """`column = ANY(ARRAY(<people>))`: PostgreSQL computes the set once (an InitPlan) and probes the column's
    index with it. Written as `IN (<people>)`, the planner may instead hash the set against a scan of the list's
    table, or walk the list's order testing each row (docs/benchmarks.md, "Lists and visibility")."""

    output_field = BooleanField()

    def __init__(self, column, people):
        super().__init__()
        self.column, self.people = column, people

    def get_source_expressions(self):
        return [self.column, self.people]

    def set_source_expressions(self, expressions):
        self.column, self.people = expressions

    def as_sql(self, compiler, connection):
        column, column_params = compiler.compile(self.column)
        people, people_params = compiler.compile(self.people)
        return f"{column} = ANY(ARRAY({people}))", (*column_params, *people_params)


def _visible_person_ids(user, *, as_referrer: bool = False):
    """The ids of the people the user may see, as one query; None means everyone (data admins). `as_referrer`
    counts the people the user referred, which only intake records (the person, their referrals) do.

    A UNION of indexed sets (open tasks, shares, break-glass, caseload, follow-ups, own referrals, the teams'
    involvements), less merged records: a list costs what its own rows cost, whatever the role, rather than a test
    of every row of the service (an OR of correlated EXISTS), or a walk in the list's order until a page of the
    team's people turns up (18-80 s for an assessor's or manager's lists at 1,000,000 people)."""
    from referrals.models import (
        Allocation,
        BreakGlassAccess,
        FollowUp,
        Person,
        PersonUserObjectPermission,
        Referral,
        Task,
        TeamInvolvement,
    )

    scope = scope_for(user)
    if scope.sees_everything:
        return None
    if not scope.identifiable:
        return Person.objects.none().values_list("pk")
    today = timezone.localdate()
    sets = [
        PersonUserObjectPermission.objects.filter(user_id=scope.user_id, permission__codename="view_person")
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .values_list("content_object_id"),
        Task.objects.filter(assigned_to_id=scope.user_id, done_on__isnull=True).values_list("person_id"),
        # Break-glass: a stated emergency reason opens the person for a few hours, and only until then.
        BreakGlassAccess.objects.filter(user_id=scope.user_id, expires_at__gt=timezone.now()).values_list("person_id"),
    ]
    if scope.has_role(Role.KEYWORKER):
        sets.append(
            Allocation.objects.filter(keyworker_id=scope.user_id, ended_on__isnull=True).values_list(
                "episode__person_id"
            )
        )
        # Nobody lost after discharge: the discharging keyworker, while a follow-up of theirs is open
        # (index open_follow_up_owner_idx).
        sets.append(
            FollowUp.objects.filter(keyworker_id=scope.user_id, done_on__isnull=True).values_list("episode__person_id")
        )
    if as_referrer and scope.has_role(Role.REFERRER):
        # Only a person the referrer recorded themselves: a referral attached to an existing record (a
        # duplicate-check match) must not open that record's details to them (issue 15, item 3).
        sets.append(
            Referral.objects.filter(created_by_id=scope.user_id, person__created_by_id=scope.user_id).values_list(
                "person_id"
            )
        )
    if scope.has_role(*TEAM_SCOPED_ROLES) and scope.team_ids:
        sets.append(TeamInvolvement.objects.filter(team_id__in=scope.team_ids).values_list("person_id"))
    # No ORDER BY inside (the models' default orderings would add sorts that change nothing). Merged records are
    # taken out of the set, not by joining each list to Person (a join the planner can turn into a scan of every
    # person); the EXCEPT drops duplicates too, so the sets are a UNION ALL (one hash, not two).
    first, *rest = (rows.order_by() for rows in sets)
    merged = Person.objects.filter(merged_into__isnull=False).order_by().values_list("pk")
    return first.union(*rest, all=True).difference(merged)


def reads_treatment_detail(user) -> bool:
    """The role rule for treatment detail (full assessments, TOPs, court orders, breach reports, carers, task
    titles, priority groups), decided here once: data admins and TREATMENT_DETAIL_ROLES (no query)."""
    scope = scope_for(user)
    return scope.sees_everything or scope.has_role(*TREATMENT_DETAIL_ROLES)


def visible_people(user, *, as_referrer: bool = False):
    """The user's people (`_visible_person_ids`) as a subquery; None means everyone (data admins).

    Within a request it is built and compiled once, and its SQL reused by every later list: a person or episode
    page asks it for a dozen record types, and building it costs about 3 ms of Python each time where the query
    itself costs a fraction of that. The SQL holds no rows, only the user's scope, today and now, so reusing it
    within one request reads exactly what a fresh one would. Outside a request (tasks, commands, tests calling
    querysets directly) it is built every time."""
    context = request_context.get()
    key = ("visible_people", getattr(user, "pk", None), as_referrer)
    if not context.request_id or key not in context.memo:
        people = _visible_person_ids(user, as_referrer=as_referrer)
        if people is None or not context.request_id:
            return people
        try:
            context.memo[key] = people.query.sql_with_params()
        except EmptyResultSet:
            # Nobody (a commissioner): Django turns the whole filter into "no rows" without a query.
            return people
    sql, params = context.memo[key]
    # Not raw text: the SQL is Django's own compilation of the queryset above, its values kept apart as parameters.
    return RawSQL(sql, params)  # nosec B611


def in_scope(person_lookup: str, user, *, as_referrer: bool = False) -> Q:
    """Rows whose `person_lookup` ("pk" on Person, else a path to its person, e.g. "episode__person") is a person
    the user may see: the one filter every list, page and API alike, starts from."""
    from referrals.models import Person

    people = visible_people(user, as_referrer=as_referrer)
    if people is None:
        # Everyone (data admins), but never a merged record, nor a row through one.
        if person_lookup == "pk":
            return Q(merged_into__isnull=True)
        return Q(**{f"{person_lookup}__in": Person.objects.filter(merged_into__isnull=True).values("pk")})
    return Q(_IsAnyOf(F(person_lookup), people if isinstance(people, RawSQL) else Subquery(people)))


def sees_person(user, pk, *, as_referrer: bool = False) -> bool:
    """Whether the person `pk` is in the user's scope: one query on the request's own visibility subquery."""
    from referrals.models import Person

    return Person.objects.filter(Q(pk=pk) & in_scope("pk", user, as_referrer=as_referrer)).exists()


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user, *, as_referrer: bool = False):
        """`as_referrer=True` only on intake pages (the person's details, referrals, duplicate check): a
        treatment page that starts from a person must not show it to the referrer who recorded it."""
        return self.filter(in_scope("pk", user, as_referrer=as_referrer))


class ScopedToPersonQuerySet(models.QuerySet):
    """For any model that hangs off a person: subclasses set `person_lookup` (e.g. "episode__person")."""

    person_lookup = "person"
    # Only intake records (referrals) are shown to the referrer who recorded them.
    referrer_sees = False
    # Full assessments, TOPs, court orders, breach reports and carers: only roles in TREATMENT_DETAIL_ROLES
    # read them, so a harm reduction worker sees the person and NSP/BBV records, not these (domain.md 1).
    treatment_detail = False

    def visible_to(self, user):
        scope = scope_for(user)
        if scope.sees_everything:
            return self.all()
        if self.treatment_detail and not reads_treatment_detail(user):
            return self.none()
        return self.filter(in_scope(self.person_lookup, user, as_referrer=self.referrer_sees))


class TaskQuerySet(ScopedToPersonQuerySet):
    """A task's title names a treatment matter (MARAC, safeguarding, breach, antenatal): treatment detail. A
    role without it (a harm reduction worker) sees its own work only: the tasks assigned to it, the tasks its
    team holds with no one person named, and the blood-borne-virus referrals of the people in its scope."""

    treatment_detail = True

    def visible_to(self, user):
        if reads_treatment_detail(user):
            return super().visible_to(user)
        own_work = Q(kind__in=HARM_REDUCTION_TASK_KINDS) & in_scope("person", user)
        scope = scope_for(user)
        held = Q(assigned_to_id=scope.user_id) | Q(assigned_to__isnull=True, team_id__in=scope.team_ids)
        return self.filter(held | own_work)


class ReferralQuerySet(ScopedToPersonQuerySet):
    referrer_sees = True

    def visible_to(self, user):
        """A referrer reads the referrals they made, not another service's referral of the same person (its
        triage outcome would tell them about treatment); any other role of theirs adds its own scope."""
        scope = scope_for(user)
        if scope.sees_everything or not scope.has_role(Role.REFERRER):
            return super().visible_to(user)
        referred = in_scope("person", user, as_referrer=True) & Q(created_by_id=scope.user_id)
        return self.filter(in_scope("person", user) | referred)


class ScopedToEpisodeQuerySet(ScopedToPersonQuerySet):
    person_lookup = "episode__person"


class TreatmentDetailQuerySet(ScopedToPersonQuerySet):
    treatment_detail = True


class BreachReportQuerySet(TreatmentDetailQuerySet):
    person_lookup = "order__person"


class EpisodeQuerySet(ScopedToPersonQuerySet):
    def open(self):
        return self.filter(discharged_on__isnull=True)
