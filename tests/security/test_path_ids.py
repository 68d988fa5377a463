"""Issue 15 item 11: an id in the path that is not a record id (not a number, 0, negative, past the widest
column) is a 400 naming the path parameter on every route, generated from the URL configuration; and a string
too long for its column, let through by a plain serializer, is a 400 naming the field."""

import re

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core import route_walk
from core.choices import Role
from core.path_ids import ID_MAX, MESSAGE, IdConverter, InvalidId
from tests.referrals.episode_fixtures import *  # noqa: F403 (shared fixtures)

NOT_IDS = ["abc", "0", "-1", "+1", "007x", "1e9", "\u0661", str(ID_MAX + 1)]


def id_routes():
    """(template, parameter names) for every page and API route taking a record id."""
    for route in route_walk.routes():
        names = re.findall(r"<id:(\w+)>", route.path)
        if names:
            yield route.path, names


def test_every_page_and_api_route_naming_a_record_takes_its_id_through_the_id_converter():
    ids = dict(id_routes())
    assert len(ids) > 150
    assert any(path.startswith("/api/v1/") for path in ids)
    # The `int` converter (a 404 for `abc`) is gone from our routes; the admin's (django-otp's) are its own.
    ours = [route.path for route in route_walk.routes() if not route.path.startswith("/admin/")]
    assert [path for path in ours if "<int:" in path] == []


@pytest.mark.parametrize("value", NOT_IDS)
def test_the_id_converter_takes_only_whole_numbers_from_1_to_the_widest_column(value):
    assert isinstance(IdConverter().to_python(value), InvalidId)


def test_the_id_converter_passes_record_ids_as_integers():
    assert IdConverter().to_python("1") == 1
    assert IdConverter().to_python(str(ID_MAX)) == ID_MAX


def test_a_path_id_that_is_not_a_record_id_is_a_400_naming_the_parameter_on_every_route(staff, client):
    """As a data admin (who may reach the most routes): the answer comes before the view, so any method.
    Every route gets a word and 0; each value the converter refuses is proved above."""
    client.force_login(staff(Role.DATA_ADMIN, username="path.ids", is_staff=True))
    wrong = []
    requests = 0
    for template, names in id_routes():
        for value in ("abc", "0"):
            url = route_walk.fill(re.sub(r"<id:\w+>", value, template), route_walk.IN_SCOPE)
            response = client.get(url)
            requests += 1
            if response.status_code != 400:
                wrong.append(f"{url}: {response.status_code}")
            elif template.startswith("/api/"):
                if sorted(response.json()) != sorted(names):
                    wrong.append(f"{url}: names {sorted(response.json())}")
            elif not all(f"{name}: Enter a record id" in response.content.decode() for name in names):
                wrong.append(f"{url}: the page does not name {names}")
    assert wrong == []
    assert requests > 300


@pytest.mark.parametrize("value", ["-1", str(ID_MAX + 1)])
def test_negative_and_too_large_ids_are_a_400_on_pages_and_api(staff, client, value):
    client.force_login(staff(Role.DATA_ADMIN, username="path.ids", is_staff=True))
    assert client.get(f"/api/v1/people/{value}/").json() == {"pk": [MESSAGE]}
    assert client.get(f"/referrals/people/{value}/").status_code == 400


def test_a_valid_id_of_no_record_is_still_a_404(staff, client):
    client.force_login(staff(Role.DATA_ADMIN, username="path.ids", is_staff=True))
    assert client.get("/api/v1/people/999999/").status_code == 404
    assert client.get("/referrals/people/999999/").status_code == 404


def test_an_anonymous_visitor_gets_the_same_400_page(client):
    response = client.get("/referrals/people/abc/")
    assert response.status_code == 400
    assert "There is a problem with the web address" in response.content.decode()


@pytest.mark.parametrize("field", ["organisation", "contact_name"])
def test_a_string_too_long_for_its_column_on_a_plain_serializer_is_a_400_naming_the_field(
    allocated_episode, keyworker, field
):
    client = APIClient()
    client.force_authenticate(keyworker)
    body = {"episode": allocated_episode.pk, "agency": "housing", "started_on": str(timezone.localdate())}
    response = client.post("/api/v1/partner-involvements/", {**body, field: "x" * 201}, format="json")
    assert response.status_code == 400
    assert response.json() == {field: ["Ensure this field has no more than 200 characters."]}
    assert client.post("/api/v1/partner-involvements/", {**body, field: "x" * 200}, format="json").status_code == 201
