"""Sharing one person's record with a named worker outside the team (domain.md section 1, issue 14).

A team manager whose team is involved with the person shares the record for a stated reason until an end
date. The grant is a guardian object permission (`PersonUserObjectPermission`, `view_person`, with
`expires_on`) which the visibility rule in `referrals/querysets.py` already reads, end date included, so every
page and API route honours the share and its expiry without code of its own. The daily job removes the
permissions of expired shares; a manager of the sharing team (or a data admin) can end a share early.
Every share, end and expiry is audited; `RecordShare` keeps the history for the data admin's list.
"""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import audit
from core.choices import AuditAction, Role
from core.errors import DomainError
from core.models import Team
from referrals.models import Person, PersonUserObjectPermission, RecordShare
from referrals.roles import SHARE_RECIPIENT_ROLES, SHARING_ROLES

MAX_SHARE_DAYS = 90
MIN_REASON_LENGTH = 10


def may_share(user) -> bool:
    return bool(user.is_authenticated and user.has_role(*SHARING_ROLES))


def sharing_team(manager, person: Person) -> Team | None:
    """The manager's team that is involved with the person (the team the share is made for), if any."""
    return Team.objects.filter(members=manager, involvements__person=person).order_by("pk").first()


def may_share_person(manager, person: Person) -> bool:
    return may_share(manager) and sharing_team(manager, person) is not None


def recipients_for(manager):
    """Active clinical staff outside every team of the manager: the people a record can be shared with."""
    labels = [Role(role).label for role in SHARE_RECIPIENT_ROLES]
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=labels)
        .exclude(teams__in=manager.teams.all())
        .exclude(pk=manager.pk)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _audit_details(share: RecordShare, **extra) -> dict:
    return {
        "record_share": share.pk,
        "person": share.person_id,
        "worker": share.worker.username,
        "reason": share.reason,
        "ends_on": share.ends_on.isoformat(),
        **extra,
    }


@transaction.atomic
def share_record(*, actor, person: Person, worker, reason: str, ends_on: date) -> RecordShare:
    """Share `person` with `worker` until `ends_on` (inclusive) for `reason`."""
    if not may_share(actor):
        raise PermissionDenied("Only a team manager can share a record.")
    team = sharing_team(actor, person)
    if team is None:
        raise PermissionDenied("You can share only the records of people your team works with.")
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise DomainError("Enter why the worker needs this record (at least 10 characters)", field="reason")
    if worker is None or not recipients_for(actor).filter(pk=worker.pk).exists():
        raise DomainError(
            "Choose a worker outside your team who treats people (keyworker, assessor, prescriber, harm "
            "reduction worker or team manager)",
            field="worker",
        )
    today = timezone.localdate()
    if ends_on is None or ends_on < today:
        raise DomainError("The last day of the share must be today or later", field="ends_on")
    if ends_on > today + timedelta(days=MAX_SHARE_DAYS):
        raise DomainError(f"The last day of the share must be within {MAX_SHARE_DAYS} days of today", field="ends_on")
    if RecordShare.objects.filter(person=person, worker=worker, ended_on__isnull=True).exists():
        raise DomainError("This record is already shared with this worker: end that share first", field="worker")
    view_person = Permission.objects.get(content_type__app_label="referrals", codename="view_person")
    try:
        with transaction.atomic():
            # A leftover grant (a share that expired today, before the daily job ran) is replaced.
            PersonUserObjectPermission.objects.filter(
                content_object=person, user=worker, permission=view_person
            ).delete()
            permission = PersonUserObjectPermission.objects.create(
                content_object=person, user=worker, permission=view_person, expires_on=ends_on
            )
            share = RecordShare.objects.create(
                person=person,
                worker=worker,
                shared_by=actor,
                team=team,
                reason=reason,
                starts_on=today,
                ends_on=ends_on,
                permission=permission,
            )
    except IntegrityError:
        # Another manager shared the same record with the same worker at the same moment.
        raise DomainError(
            "This record is already shared with this worker: end that share first", field="worker"
        ) from None
    audit.record(AuditAction.CREATE, share, actor=actor, details=_audit_details(share, shared=True))
    return share


def may_end_share(user, share: RecordShare) -> bool:
    if user.is_superuser or user.has_role(Role.DATA_ADMIN):
        return True
    return may_share(user) and share.team.members.filter(pk=user.pk).exists()


def _close(share: RecordShare, *, reason: str, by, on: date) -> None:
    permission = share.permission
    share.ended_on, share.ended_by, share.end_reason, share.permission = on, by, reason, None
    share.save(update_fields=["ended_on", "ended_by", "end_reason", "permission"])
    if permission is not None:
        permission.delete()


@transaction.atomic
def end_share(*, actor, share: RecordShare) -> RecordShare:
    """A manager of the sharing team (or a data admin) ends a share before its end date."""
    share = RecordShare.objects.select_for_update().select_related("worker", "team").get(pk=share.pk)
    if not may_end_share(actor, share):
        raise PermissionDenied("Only a manager of the team that shared the record can end the share.")
    if share.ended_on is not None:
        raise DomainError("This share has already ended")
    _close(share, reason=RecordShare.EndReason.ENDED_EARLY, by=actor, on=timezone.localdate())
    audit.record(AuditAction.CHANGE, share, actor=actor, details=_audit_details(share, ended="early"))
    return share


@transaction.atomic
def expire_shares(*, today: date | None = None) -> int:
    """The daily job: shares whose end date has passed lose their permission and are recorded as expired.
    The visibility rule already hides them from the day after `ends_on`; this tidies the grant away."""
    today = today or timezone.localdate()
    due = list(
        RecordShare.objects.select_for_update(skip_locked=True)
        .filter(ended_on__isnull=True, ends_on__lt=today)
        .select_related("worker")
    )
    for share in due:
        _close(share, reason=RecordShare.EndReason.EXPIRED, by=None, on=share.ends_on + timedelta(days=1))
        audit.record(AuditAction.CHANGE, share, actor=None, details=_audit_details(share, ended="expired"))
    return len(due)


def shares_with(worker):
    """The live shares a worker has received: their "Shared with me" list."""
    today = timezone.localdate()
    return (
        RecordShare.objects.filter(worker=worker, ended_on__isnull=True, ends_on__gte=today)
        .select_related("person", "shared_by", "team")
        .order_by("ends_on", "id")
    )


def may_list_shares(user) -> bool:
    return bool(user.is_superuser or user.has_role(Role.DATA_ADMIN) or may_share(user))


def shares_visible_to(user):
    """Every share for a data admin; a team manager's teams' shares; nothing for anyone else."""
    shares = RecordShare.objects.select_related("person", "worker", "shared_by", "team", "ended_by")
    if user.is_superuser or user.has_role(Role.DATA_ADMIN):
        return shares
    if may_share(user):
        return shares.filter(team__in=user.teams.all())
    return shares.none()
