"""Who may use the dashboard pages: one rule each, shared by the pages and the API."""

from django.core.exceptions import PermissionDenied

from core.choices import Role

# Aggregates for the contract: the commissioner, and the data admin who prepares and checks them.
DASHBOARD_ROLES = (Role.COMMISSIONER, Role.DATA_ADMIN)
# Feedback is written down by whoever the person gives it to; commissioners see only the aggregate.
FEEDBACK_ROLES = (
    Role.REFERRER,
    Role.ASSESSOR,
    Role.KEYWORKER,
    Role.PRESCRIBER,
    Role.HARM_REDUCTION_WORKER,
    Role.TEAM_MANAGER,
    Role.DATA_ADMIN,
)


def may_view_dashboard(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(*DASHBOARD_ROLES))


def may_enter_comparators(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(Role.DATA_ADMIN))


def may_record_feedback(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(*FEEDBACK_ROLES))


def require_dashboard(user):
    if not may_view_dashboard(user):
        raise PermissionDenied("Only commissioners and data admins see the KPI dashboard and the quarterly reports.")


def require_feedback(user):
    if not may_record_feedback(user):
        raise PermissionDenied("Service user feedback is recorded by the service's staff.")


def require_comparators(user):
    if not may_enter_comparators(user):
        raise PermissionDenied("Only data admins enter the national and similar-area comparators.")
