# Intake and episode work keep their menu entries in separate modules so each engineer owns one.
from referrals.navigation_episodes import EPISODE_NAV_ITEMS
from referrals.navigation_intake import INTAKE_NAV_ITEMS

NAV_ITEMS = [*INTAKE_NAV_ITEMS, *EPISODE_NAV_ITEMS]
