from core.choices import Role
from core.navigation import NavItem

NAV_ITEMS = [
    NavItem("NSP", "harm_reduction:nsp", (Role.HARM_REDUCTION_WORKER, Role.DATA_ADMIN)),
    NavItem("BBV", "harm_reduction:doses-due", (Role.HARM_REDUCTION_WORKER, Role.DATA_ADMIN)),
]
