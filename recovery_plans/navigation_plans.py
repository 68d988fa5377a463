from core.choices import Role
from core.navigation import NavItem

PLANS_NAV_ITEMS = [NavItem("Plans to sign off", "recovery_plans:plan-queue", (Role.ASSESSOR,))]
