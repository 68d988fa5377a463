from core.choices import Role
from core.navigation import NavItem
from referrals.roles import BREAK_GLASS_ROLES, SHARE_RECIPIENT_ROLES

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
    NavItem(
        "Emergency access",
        "referrals:break-glass",
        BREAK_GLASS_ROLES,
        "Open a record outside your caseload when a person's safety cannot wait (reviewed by your manager).",
    ),
    NavItem(
        "Break-glass report",
        "referrals:break-glass-report",
        (Role.DATA_ADMIN,),
        "Every emergency access to a record outside the worker's scope.",
    ),
    NavItem(
        "Shared with me",
        "referrals:shared-with-me",
        SHARE_RECIPIENT_ROLES,
        "Records another team's manager has shared with you, until each share ends.",
    ),
    NavItem(
        "Shared records",
        "referrals:record-shares",
        (Role.TEAM_MANAGER, Role.DATA_ADMIN),
        "Every record shared with a worker outside the team: who, why, until when; end a share early.",
    ),
]
