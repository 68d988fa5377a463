from core.choices import Role
from core.navigation import NavItem

NAV_ITEMS = [
    NavItem("Clinic", "prescribing:clinic", (Role.PRESCRIBER,)),
    NavItem("Prescribing waits", "prescribing:waits", (Role.PRESCRIBER,)),
]
