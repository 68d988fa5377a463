import pytest

from core import audit
from core.choices import AuditAction, Role

pytestmark = pytest.mark.django_db


def test_me_lists_roles_and_teams(client, staff, arm_team):
    user = staff(Role.ASSESSOR, team=arm_team)
    client.force_login(user)
    body = client.get("/api/v1/me/").json()
    assert body["roles"] == ["assessor"]
    assert [team["name"] for team in body["teams"]] == ["ARM"]


def test_the_api_refuses_anonymous_callers(client):
    assert client.get("/api/v1/me/").status_code == 403


def test_reference_lists_are_served_with_their_attributes(client, staff):
    client.force_login(staff(Role.REFERRER))
    rows = client.get("/api/v1/reference/substance/").json()
    heroin = next(row for row in rows if row["code"] == "1011")
    assert heroin["extra"] == {"group": "opiate"}
    assert client.get("/api/v1/reference/user/").status_code == 404


def test_only_data_admins_read_the_audit_log(client, staff, data_admin):
    audit.record(AuditAction.CHANGE, data_admin)
    client.force_login(staff(Role.TEAM_MANAGER))
    assert client.get("/api/v1/audit-events/").status_code == 403
    client.force_login(data_admin)
    body = client.get("/api/v1/audit-events/", {"action": "change"}).json()
    assert body["count"] == 1


def test_the_openapi_schema_builds_and_covers_api_v1(client, staff):
    client.force_login(staff(Role.DATA_ADMIN))
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/me/" in paths
    assert all(path.startswith("/api/v1/") for path in paths)


def test_health_check_answers_without_sign_in(client):
    response = client.get("/healthz/")
    assert (response.status_code, response.content) == (200, b"ok")
