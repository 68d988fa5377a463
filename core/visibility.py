"""The one place that decides who may see which record.

Each family of identifiable models gets a `visible_to(user)` queryset method written against the
`Scope` below, so pages, API, exports and search all share it. Anything out of scope is a 404.
"""

from dataclasses import dataclass

from core.choices import Role


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    sees_everything: bool
    team_ids: frozenset[int]
    roles: frozenset[str]
    identifiable: bool

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def sees_team(self) -> bool:
        """Assessors and team managers see their teams' records; keyworkers only their caseload."""
        return self.has_role(Role.ASSESSOR, Role.TEAM_MANAGER)


def scope_for(user) -> Scope:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope(None, False, frozenset(), frozenset(), False)
    cached = getattr(user, "_visibility_scope", None)
    if cached is not None:
        return cached
    roles = user.roles
    scope = Scope(
        user_id=user.pk,
        sees_everything=_sees_everything(user, roles),
        team_ids=user.team_ids,
        roles=roles,
        identifiable=sees_identifiable_records(user),
    )
    user._visibility_scope = scope
    return scope


def _sees_everything(user, roles) -> bool:
    return user.is_superuser or Role.DATA_ADMIN in roles


def sees_identifiable_records(user) -> bool:
    """Whether the person may open any identifiable record at all, decided from their roles alone (no query
    beyond the roles), so the header can ask it on every page. Commissioners see aggregates only, whatever
    else they hold."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    roles = user.roles
    return _sees_everything(user, roles) or bool(roles - {Role.COMMISSIONER})
