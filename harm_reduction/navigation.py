from core.choices import Role
from core.navigation import NavItem

WORKERS = (Role.HARM_REDUCTION_WORKER, Role.DATA_ADMIN)

NAV_ITEMS = [
    NavItem("NSP", "harm_reduction:nsp", WORKERS, "Record a needle and syringe programme visit in under a minute."),
    NavItem("BBV", "harm_reduction:doses-due", WORKERS, "Hepatitis B doses due this week and hepatitis C offers."),
    NavItem("Outreach", "harm_reduction:outreach", WORKERS, "Street, hostel, hospital and custody contacts."),
    NavItem(
        "Safeguarding",
        "harm_reduction:safeguarding",
        WORKERS,
        "Follow up every NSP visit by an attender under 18: one task per visit for the team.",
    ),
]
