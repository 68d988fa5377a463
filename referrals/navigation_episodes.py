from core.choices import Role
from core.navigation import NavItem

EPISODE_NAV_ITEMS = [
    NavItem(
        "My caseload",
        "referrals:my-caseload",
        (Role.KEYWORKER,),
        "The people you key-work, with what is due and overdue for each.",
    ),
    NavItem(
        "My tasks",
        "referrals:my-tasks",
        (Role.KEYWORKER, Role.ASSESSOR, Role.TEAM_MANAGER, Role.PRESCRIBER, Role.HARM_REDUCTION_WORKER),
        "Your open tasks and your team's, soonest due first, whether or not the person is in treatment.",
    ),
    NavItem(
        "Allocation",
        "referrals:allocation-board",
        (Role.TEAM_MANAGER,),
        "Open episodes with no keyworker yet, and each keyworker's caseload.",
    ),
    NavItem(
        "Re-engagement",
        "referrals:reengagement-list",
        (Role.TEAM_MANAGER, Role.KEYWORKER),
        "People discharged unsuccessfully, to contact about coming back.",
    ),
]
