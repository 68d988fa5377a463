"""Who sees which work list: the pages, the API and the menu read these, so they never disagree."""

from django.core.exceptions import PermissionDenied

from core.choices import Role

TEAM_EPISODES_ROLES = (Role.ASSESSOR, Role.TEAM_MANAGER, Role.DATA_ADMIN)
FOLLOW_UPS_ROLES = (Role.KEYWORKER, Role.TEAM_MANAGER, Role.DATA_ADMIN)
TEAM_ROLES = (Role.TEAM_MANAGER, Role.DATA_ADMIN)


def require(user, roles) -> None:
    if not (user.is_superuser or user.has_role(*roles)):
        raise PermissionDenied
