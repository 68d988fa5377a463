# Plans and modalities keep their menu entries in separate modules so each half owns one.
from recovery_plans.navigation_modalities import MODALITIES_NAV_ITEMS
from recovery_plans.navigation_plans import PLANS_NAV_ITEMS

NAV_ITEMS = [*PLANS_NAV_ITEMS, *MODALITIES_NAV_ITEMS]
