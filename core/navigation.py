"""The role-aware header menu and the home page's cards. Each app adds its entries in `<app>/navigation.py`
as NAV_ITEMS: (label, url name, roles that see it, and a one-line description for the home page card);
an entry whose url does not resolve yet is left out."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from core.registry import app_modules


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...]
    # One line under the card on the home page: what the person finds there. Optional, so a new entry
    # can land before its words do.
    description: str = ""


def navigation_for(request) -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = []
    for module in app_modules("navigation"):
        for item in getattr(module, "NAV_ITEMS", ()):
            if not (user.is_superuser or user.has_role(*item.roles)):
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            items.append(
                {
                    "label": item.label,
                    "url": url,
                    "description": item.description,
                    "current": request.path.startswith(url) and url != "/",
                }
            )
    return items


# Core's own entries (the other apps keep theirs in `<app>/navigation.py`): the data admin's account tools.
NAV_ITEMS = [
    NavItem(
        "Staff accounts",
        "staff-list",
        ("data_admin",),
        "Create accounts, give roles and teams, reset passwords and deactivate leavers.",
    ),
    NavItem(
        "Unlock a sign-in",
        "sign-in-unlock",
        ("data_admin",),
        "Lift the lockout on a colleague's sign-in after too many failed attempts.",
    ),
    NavItem(
        "Reset two-factor",
        "two-factor-reset",
        ("data_admin",),
        "Remove a colleague's lost authenticator so they enrol a new one at their next sign-in.",
    ),
]
