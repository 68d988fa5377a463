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
    sees_everything = user.is_superuser or Role.DATA_ADMIN in roles
    # Commissioners see aggregates only: no identifiable record at all, whatever else they hold.
    identifiable = sees_everything or bool(roles - {Role.COMMISSIONER})
    scope = Scope(
        user_id=user.pk,
        sees_everything=sees_everything,
        team_ids=frozenset(user.teams.values_list("id", flat=True)),
        roles=roles,
        identifiable=identifiable,
    )
    user._visibility_scope = scope
    return scope
