from core.choices import Role
from core.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        "Returns",
        "reporting:return-months",
        (Role.DATA_ADMIN,),
        "The monthly NDTMS return: ready to send, sent, changed since; the transfer-of-care file.",
    ),
]
