"""Break-glass: emergency access to a person outside one's scope (issue 15, item 9).

A clinical worker names the person by client ID or NHS number and gives a reason; they can then open the
person's record for BREAK_GLASS_HOURS. The access is folded into the visibility rule (`referrals/querysets.py`)
so every page and API route honours it and its expiry without code of their own; the team manager gets a task
to review it, the data admin lists every one on the report, and the grant is audited.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from core import audit
from core.choices import AuditAction, Role
from core.errors import DomainError
from referrals import nhs_number
from referrals.choices import TaskKind
from referrals.models import BreakGlassAccess, Person, Task
from referrals.roles import BREAK_GLASS_ROLES

BREAK_GLASS_HOURS = 4
MIN_REASON_LENGTH = 10


def may_break_glass(user) -> bool:
    return bool(user.is_authenticated and user.has_role(*BREAK_GLASS_ROLES))


def find_person(*, client_id: str = "", nhs_number_value: str = "") -> Person:
    """The one current person with exactly this client ID or NHS number: no partial search, no list."""
    client_id = (client_id or "").strip().upper()
    number = nhs_number.normalise(nhs_number_value or "")
    if not client_id and not number:
        raise DomainError("Enter the person's client ID or NHS number", field="client_id")
    people = Person.objects.filter(merged_into__isnull=True)
    person = (
        people.filter(client_id__iexact=client_id).first() if client_id else people.filter(nhs_number=number).first()
    )
    if person is None:
        field = "client_id" if client_id else "nhs_number"
        raise DomainError("No person has this client ID or NHS number. Check it and try again", field=field)
    return person


@transaction.atomic
def break_glass_open(*, actor, person: Person, reason: str) -> BreakGlassAccess:
    if not may_break_glass(actor):
        raise PermissionDenied("Break-glass access is for staff who treat people.")
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise DomainError("Enter the emergency that needs this record (at least 10 characters)", field="reason")
    now = timezone.now()
    access = BreakGlassAccess.objects.create(
        person=person, user=actor, reason=reason, granted_at=now, expires_at=now + timedelta(hours=BREAK_GLASS_HOURS)
    )
    manager = (
        get_user_model()
        .objects.filter(groups__name=Role.TEAM_MANAGER.label, teams__in=actor.teams.all(), is_active=True)
        .exclude(pk=actor.pk)
        .order_by("pk")
        .first()
    )
    Task.objects.create(
        person=person,
        kind=TaskKind.BREAK_GLASS_REVIEW,
        title=f"Review break-glass access by {actor.get_full_name() or actor.username}",
        assigned_to=manager,
        team=actor.teams.order_by("pk").first(),
        due_on=timezone.localdate(),
        source_key=f"break_glass:{access.pk}",
    )
    audit.record(
        AuditAction.CREATE,
        access,
        actor=actor,
        details={
            "break_glass": True,
            "person": person.pk,
            "reason": reason,
            "expires_at": access.expires_at.isoformat(),
        },
    )
    return access


def break_glass_report():
    """Every break-glass access, newest first (the data admin's report)."""
    return BreakGlassAccess.objects.select_related("person", "user").order_by("-granted_at", "-id")
