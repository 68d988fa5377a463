from core.choices import Role
from core.navigation import NavItem

# Data admins may open every list (they see everyone) but their menu stays theirs.

NAV_ITEMS = [
    NavItem(
        "Team episodes",
        "worklists:team-episodes",
        (Role.ASSESSOR, Role.TEAM_MANAGER),
        "Your teams' open episodes by stage: awaiting assessment or allocation, a plan to sign off, a review due.",
    ),
    NavItem(
        "Follow-ups",
        "worklists:follow-ups",
        (Role.KEYWORKER, Role.TEAM_MANAGER),
        "Contacts due 6 and 12 months after a planned exit, for the team of the last keyworker.",
    ),
    NavItem(
        "My team",
        "worklists:team",
        (Role.TEAM_MANAGER,),
        "Each member of your teams with their caseload, open and overdue tasks and follow-ups due.",
    ),
]
