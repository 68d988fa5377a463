from core.choices import Role

ROLE_PERMISSIONS = {
    Role.DATA_ADMIN: ["referrals.view_person", "referrals.change_person", "referrals.view_referral"],
}

# Who may break the glass on a record outside their scope (issue 15, item 9): staff who treat people.
# Referrers and commissioners never; data admins see everyone already.
BREAK_GLASS_ROLES = (Role.KEYWORKER, Role.ASSESSOR, Role.TEAM_MANAGER, Role.PRESCRIBER, Role.HARM_REDUCTION_WORKER)
