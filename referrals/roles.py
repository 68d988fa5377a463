from core.choices import Role

ROLE_PERMISSIONS = {
    Role.DATA_ADMIN: ["referrals.view_person", "referrals.change_person", "referrals.view_referral"],
}
