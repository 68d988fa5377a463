"""What each route declares about itself, read from its view: the methods it takes and, for API views, the
roles its permission classes refuse. The route walk (core.route_walk) expects these answers from the route
itself, so an expected status comes from the code rather than only from the committed table."""

from django.urls import resolve
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def view_for(url: str):
    return resolve(url).func


def _declared_page_methods(func) -> list[str] | None:
    """The list given to require_http_methods (require_POST, require_GET) anywhere in the decorator chain."""
    while func is not None:
        for name, cell in zip(func.__code__.co_freevars, func.__closure__ or (), strict=False):
            if name == "request_method_list":
                return [method.upper() for method in cell.cell_contents]
        func = getattr(func, "__wrapped__", None)
    return None


def methods(func) -> list[str] | None:
    """The HTTP methods the view takes (upper case), or None when it does not say (a page taking any)."""
    cls = getattr(func, "cls", None)
    if cls is not None:
        actions = getattr(func, "actions", None)
        names = actions.keys() if actions else [name for name in cls.http_method_names if hasattr(cls, name)]
        return sorted(name.upper() for name in names if name != "options")
    return _declared_page_methods(func)


def unsafe_methods(func) -> list[str]:
    """The write methods to send: those the view takes, or a POST when it takes none (expecting a refusal)."""
    taken = methods(func)
    declared = [method for method in WRITE_METHODS if taken is None or method in taken]
    return declared if taken is not None and declared else ["POST"]


def refused_by_permissions(func, user, method: str, kwargs: dict) -> bool | None:
    """Whether an API view's permission classes refuse the user before the view runs; None for a page or
    when the classes cannot be asked out of a request (they then decide in the view)."""
    cls = getattr(func, "cls", None)
    if cls is None:
        return None
    request = Request(APIRequestFactory().generic(method, "/"))
    request.user = user
    view = cls(**getattr(func, "initkwargs", {}))
    actions = getattr(func, "actions", None)
    if actions:
        view.action_map = actions
        view.action = actions.get(method.lower())
    view.request, view.args, view.kwargs, view.format_kwarg = request, (), kwargs, None
    try:
        return not all(permission.has_permission(request, view) for permission in view.get_permissions())
    except Exception:  # a permission reading what only the view sets decides in the view
        return None
