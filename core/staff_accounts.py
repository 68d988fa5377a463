"""Staff accounts, managed by data admins in the app (issue 14): create, change roles and teams, deactivate,
reset a password. Every change is audited (never the password itself). A new account signs in with the
password the data admin set and enrols two-factor at that first sign-in (core/two_factor.py).

Edits carry a fingerprint of the account as it was read, so two data admins changing the same account at
once never silently overwrite each other: the second is told to reload.
"""

import hashlib

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from core import audit, two_factor
from core.choices import AuditAction, Role
from core.errors import DomainError, StaleEditError
from core.models import Team

User = get_user_model()

PROFILE_FIELDS = ("first_name", "last_name", "email")


def may_manage_accounts(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.has_role(Role.DATA_ADMIN)))


def _refuse_unless_data_admin(actor) -> None:
    if not may_manage_accounts(actor):
        raise PermissionDenied("Only a data admin manages staff accounts.")


def accounts():
    """Every account for the data admin's list, with what the list shows in a fixed number of queries."""
    return User.objects.prefetch_related("groups", "teams")


def role_values(user) -> list[str]:
    return sorted(user.roles)


def fingerprint(user) -> str:
    """What an edit was based on: details, roles, teams and whether the account is active."""
    parts = [*(getattr(user, name) for name in PROFILE_FIELDS), str(user.is_active)]
    parts += role_values(user) + [str(pk) for pk in sorted(team.pk for team in user.teams.all())]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def _locked(user, expected: str | None):
    locked = User.objects.select_for_update().get(pk=user.pk)
    if expected is not None and fingerprint(locked) != expected:
        raise StaleEditError("account")
    return locked


def _check_password(password: str, user) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), field="password") from None


def _set_roles_and_teams(user, roles, teams) -> None:
    if not roles:
        raise DomainError("Choose at least one of the roles", field="roles")
    user.groups.set(Group.objects.filter(name__in=[Role(role).label for role in roles]))
    user.teams.set(teams)
    for remembered in ("_roles", "_team_ids"):
        user.__dict__.pop(remembered, None)


def _summary(user) -> dict:
    return {
        "username": user.username,
        "roles": role_values(user),
        "teams": sorted(team.name for team in user.teams.all()),
        "active": user.is_active,
        **{name: getattr(user, name) for name in PROFILE_FIELDS},
    }


@transaction.atomic
def create_account(*, actor, username: str, password: str, roles, teams=(), **profile):
    _refuse_unless_data_admin(actor)
    username = (username or "").strip()
    if not username:
        raise DomainError("Enter a username", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError("An account with this username already exists: choose another", field="username")
    user = User(username=username, **{name: profile.get(name, "") for name in PROFILE_FIELDS})
    _check_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise DomainError("An account with this username already exists: choose another", field="username") from None
    _set_roles_and_teams(user, roles, teams)
    audit.record(AuditAction.CREATE, user, actor=actor, details={"staff_account": "created", **_summary(user)})
    return user


@transaction.atomic
def update_account(*, actor, user, roles, teams, expected: str | None = None, **profile):
    """Change an account's details, roles and teams."""
    _refuse_unless_data_admin(actor)
    user = _locked(user, expected)
    before = _summary(user)
    if actor.pk == user.pk and Role.DATA_ADMIN not in roles:
        raise DomainError("Ask another data admin to take the data admin role from your own account", field="roles")
    for name in PROFILE_FIELDS:
        setattr(user, name, profile.get(name, getattr(user, name)))
    user.save(update_fields=list(PROFILE_FIELDS))
    _set_roles_and_teams(user, roles, teams)
    after = _summary(user)
    changed = {key: {"from": before[key], "to": after[key]} for key in after if before[key] != after[key]}
    audit.record(AuditAction.CHANGE, user, actor=actor, details={"staff_account": "changed", "changes": changed})
    return user


@transaction.atomic
def set_active(*, actor, user, active: bool, expected: str | None = None):
    """Deactivate an account (it can no longer sign in; its sessions end) or let it sign in again."""
    _refuse_unless_data_admin(actor)
    if actor.pk == user.pk:
        raise DomainError("Ask another data admin to deactivate your own account")
    user = _locked(user, expected)
    if user.is_active == active:
        raise DomainError("This account is already " + ("active" if active else "deactivated"))
    user.is_active = active
    user.save(update_fields=["is_active"])
    sessions = 0 if active else two_factor.end_sessions_of(user)
    action = "reactivated" if active else "deactivated"
    audit.record(AuditAction.CHANGE, user, actor=actor, details={"staff_account": action, "sessions_ended": sessions})
    return user


@transaction.atomic
def reset_password(*, actor, user, password: str):
    """A new password the data admin gives the member of staff; their sessions end."""
    _refuse_unless_data_admin(actor)
    user = _locked(user, None)
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    sessions = two_factor.end_sessions_of(user)
    audit.record(
        AuditAction.CHANGE, user, actor=actor, details={"staff_account": "password reset", "sessions_ended": sessions}
    )
    return user


def active_teams():
    return Team.objects.filter(active=True).order_by("name")
