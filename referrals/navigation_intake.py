from core.choices import Role
from core.navigation import NavItem

INTAKE_ROLES = (Role.REFERRER, Role.ASSESSOR, Role.TEAM_MANAGER, Role.DATA_ADMIN)

INTAKE_NAV_ITEMS = [
    NavItem(
        "New referral",
        "referrals:referral-new",
        INTAKE_ROLES,
        "Record a referral, after checking the person is not already known.",
    ),
    NavItem(
        "Referrals",
        "referrals:referral-queue",
        INTAKE_ROLES,
        "Referrals waiting for first contact or triage, the soonest due first.",
    ),
]
