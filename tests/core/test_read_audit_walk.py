"""Every page is walked from the URL configuration (a new page is covered without editing this test), as a
superuser, over the demo data: a page naming a record by id, or a list page showing a person's name, must
write an audit row in the same request (issue 15, item 8)."""

import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.choices import AuditAction
from core.models import AuditEvent, User
from referrals.models import Person

pytestmark = pytest.mark.django_db

SKIPPED_PREFIXES = ("admin", "api", "healthz", "sign-", "two-factor", "session")


def _walk(resolver=None, namespace="", prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, inner, route)
        elif isinstance(entry, URLPattern) and entry.name and not route.startswith(SKIPPED_PREFIXES):
            yield f"{namespace}{entry.name}", route, entry


def _model_for(route: str, kwarg: str, app_label: str):
    """The model an id in the path names: `<x>_pk` is model x; a bare `pk` is named by the path segment
    before it (people, episodes, plan-versions, bbv-tests ...)."""
    if kwarg.endswith("_pk"):
        stem = kwarg[: -len("_pk")].replace("_", "")
    else:
        segment = re.search(r"([a-z-]+)/<id:" + kwarg + ">", route).group(1)
        stem = "person" if segment == "people" else re.sub(r"(es|s)$", "", segment.replace("-", ""))
        stem = {"breach": "breach", "serie": "series"}.get(stem, stem)
    candidates = [*apps.get_app_config(app_label).get_models(), *apps.get_app_config("referrals").get_models()]
    matches = [model for model in candidates if model._meta.model_name.startswith(stem)]
    return min(matches, key=lambda model: len(model._meta.model_name)) if matches else None


def test_every_page_that_shows_identifiable_data_writes_an_audit_row(client):
    call_command("seed_demo", people=25, seed=3)
    admin = User.objects.create_superuser("walker", password="correct-horse-battery-staple")
    client.force_login(admin)
    names = set(Person.objects.values_list("family_name", flat=True))
    checked, unaudited = [], []
    for name, route, entry in _walk():
        kwargs = {}
        for kwarg in re.findall(r"<id:(\w+)>", route):
            model = _model_for(route, kwarg, entry.callback.__module__.split(".")[0])
            first = model.objects.order_by("pk").first() if model else None
            if first is None:
                break
            kwargs[kwarg] = first.pk
        else:
            if re.search(r"<(?!id:)", route):
                continue
            before = AuditEvent.objects.filter(actor=admin, action=AuditAction.VIEW).count()
            response = client.get(reverse(name, kwargs=kwargs))
            if response.status_code != 200 or response.get("Content-Type", "").startswith("application/pdf"):
                continue
            shows_a_name = any(family in response.content.decode() for family in names)
            if not (kwargs or shows_a_name):
                continue
            checked.append(name)
            if AuditEvent.objects.filter(actor=admin, action=AuditAction.VIEW).count() == before:
                unaudited.append(name)
    assert unaudited == []
    assert len(checked) >= 25, checked
