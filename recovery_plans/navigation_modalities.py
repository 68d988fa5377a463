from core.choices import Role
from core.navigation import NavItem

MODALITIES_NAV_ITEMS = [
    NavItem("Modality waits", "recovery_plans:modality-clocks", (Role.TEAM_MANAGER,)),
]
