"""Issue 15: a bounded schemathesis run over the whole OpenAPI schema, signed in as three roles, finds no 500.

Cases come from the schema drf-spectacular generates (so a new endpoint is fuzzed without editing this test),
with a fixed number of examples per operation and a derandomized seed, so a run is repeatable and bounded.
Each request goes through Django's test client (sessions from `force_login`, which passes two-factor in tests)
inside a savepoint rolled back afterwards, so every case sees the same data. Figures: docs/security.md.
"""

import json
from urllib.parse import urlencode

import pytest
import schemathesis
from django.db import transaction
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from schemathesis.core import NOT_SET

from core.choices import Role, TeamKind
from core.factories import TeamFactory, make_staff
from referrals.factories import AllocationFactory

MAX_EXAMPLES = 4
ROLES = [Role.DATA_ADMIN, Role.KEYWORKER, Role.COMMISSIONER]


def _schema():
    generated = SchemaGenerator().get_schema(request=None, public=True)
    # Through JSON so lazy strings and enums become plain values, as a client reading /schema/ would see them.
    return schemathesis.openapi.from_dict(json.loads(json.dumps(generated, default=str)))


def _send(client, case):
    query = {key: value for key, value in (case.query or {}).items() if value is not None}
    method = case.method.lower()
    path = case.formatted_path
    body = case.body
    send = getattr(client, method)
    if method in {"get", "delete", "head", "options"}:
        return send(path, query)
    if query:
        path = f"{path}?{urlencode(query, doseq=True)}"
    # Every body goes as JSON: the form and multipart encodings the schema also lists reach the same serializers,
    # and Django's test client cannot encode the nulls the generator makes for them.
    content = "" if body is NOT_SET else json.dumps(body, default=str)
    return send(path, content, content_type="application/json")


@pytest.fixture
def signed_in_clients(db):
    team = TeamFactory(name="Delivery", kind=TeamKind.DELIVERY)
    keyworker = make_staff(Role.KEYWORKER, team=team, username="fuzz.keyworker")
    AllocationFactory(keyworker=keyworker, team=team)
    clients = {}
    for role in ROLES:
        user = keyworker if role == Role.KEYWORKER else make_staff(role, username=f"fuzz.{role}", team=team)
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients[role] = client
    return clients


def test_fuzzing_the_api_as_three_roles_finds_no_server_error(signed_in_clients, record_property):
    schema = _schema()
    operations = [result.ok() for result in schema.get_all_operations()]
    cases = 0
    server_errors = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case):
            nonlocal cases
            for role, client in signed_in_clients.items():
                cases += 1
                with transaction.atomic():
                    response = _send(client, case)
                    transaction.set_rollback(True)
                if response.status_code >= 500:
                    server_errors.append(f"{role} {case.method} {case.formatted_path} {case.query} {case.body!r:.200}")

        fuzz()

    record_property("operations", len(operations))
    record_property("cases", cases)
    print(f"schemathesis: {len(operations)} operations, {cases} requests, {len(server_errors)} server errors")
    assert len(operations) > 50
    assert not server_errors, "\n".join(server_errors[:20])
