from core.choices import Role
from core.navigation import NavItem

NAV_ITEMS = [
    NavItem("Clinic", "prescribing:clinic", (Role.PRESCRIBER,)),
    # The waits page is the team board of prescribing starts: prescribers and team managers see their breaches.
    NavItem("Prescribing waits", "prescribing:waits", (Role.PRESCRIBER, Role.TEAM_MANAGER)),
]
