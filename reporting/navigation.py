from core.choices import Role
from core.navigation import NavItem
from reporting.dashboard.access import DASHBOARD_ROLES, FEEDBACK_ROLES

NAV_ITEMS = [
    NavItem(
        "KPI dashboard",
        "reporting:dashboard",
        DASHBOARD_ROLES,
        "Each KPI for a quarter against its threshold, with trends, comparators and management information.",
    ),
    NavItem(
        "Quarterly reports",
        "reporting:reports",
        DASHBOARD_ROLES,
        "The quarter's KPI report as a PDF for the contract review meeting.",
    ),
    NavItem(
        "Returns",
        "reporting:return-months",
        (Role.DATA_ADMIN,),
        "The monthly NDTMS return: ready to send, sent, changed since; the transfer-of-care file.",
    ),
    NavItem(
        "Team KPIs",
        "reporting:team-kpis",
        (Role.TEAM_MANAGER, Role.DATA_ADMIN),
        "Each KPI of your team for a quarter or month, and the records that missed it.",
    ),
    NavItem(
        "At risk",
        "reporting:at-risk",
        (Role.TEAM_MANAGER, Role.KEYWORKER, Role.DATA_ADMIN),
        "Records that will miss a KPI in the next 7 days unless something is done.",
    ),
    NavItem(
        "Data quality",
        "reporting:data-quality",
        (Role.DATA_ADMIN,),
        "Open episodes missing an item the national return needs, and where to fill it.",
    ),
    NavItem(
        "Transfer imports",
        "reporting:imports",
        (Role.DATA_ADMIN,),
        "Import a caseload transferred from another provider, and read past imports' reports.",
    ),
    NavItem(
        "Service user feedback",
        "reporting:feedback-new",
        tuple(role for role in FEEDBACK_ROLES if role != Role.DATA_ADMIN),
        "Record a rating and comment a person gives about the service.",
    ),
]
