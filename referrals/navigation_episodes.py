from core.choices import Role
from core.navigation import NavItem

EPISODE_NAV_ITEMS = [
    NavItem("My caseload", "referrals:my-caseload", (Role.KEYWORKER,)),
    NavItem("Allocation", "referrals:allocation-board", (Role.TEAM_MANAGER,)),
    NavItem("Re-engagement", "referrals:reengagement-list", (Role.TEAM_MANAGER, Role.KEYWORKER)),
]
