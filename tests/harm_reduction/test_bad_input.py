"""Issue 15 item 11: bad input is a 400 naming the field, never a 500 (the defaults in core.api_input)."""

import json

import pytest
from django.db import IntegrityError, transaction

from core.api_input import MAX_JSON_DEPTH
from core.choices import Role
from harm_reduction.models import NaloxoneSupply


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def offer(client, person, today):
    body = {"person": person.pk, "kind": "hepc_pcr", "offered_on": str(today), "accepted": True}
    return post(client, "/api/v1/bbv-tests/", body)


def test_deeply_nested_json_is_a_400_not_a_recursion_error(client, worker):
    client.force_login(worker)
    nested = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/bbv-tests/", nested, content_type="application/json")
    assert response.status_code == 400
    just_over = json.dumps({"person": 1, "x": json.loads("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH)})
    response = client.post("/api/v1/bbv-tests/", just_over, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper" in response.json()["detail"]


@pytest.mark.parametrize("offered_on", ["1899-12-31", "2101-01-01", "0001-01-01", "9999-12-31"])
def test_dates_outside_1900_to_2100_are_refused_naming_the_field(client, worker, hr_episode, offered_on):
    client.force_login(worker)
    body = {"person": hr_episode.person.pk, "kind": "hepc_pcr", "offered_on": offered_on}
    response = post(client, "/api/v1/bbv-tests/", body)
    assert response.status_code == 400
    assert response.json() == {"offered_on": ["Enter a date between 1900 and 2100."]}


@pytest.mark.parametrize("person", [0, -1, 2**31, 2**63, 10**30, 999_999])
def test_ids_of_zero_out_of_range_or_of_no_record_are_a_400_or_404_never_500(client, worker, today, person):
    client.force_login(worker)
    response = post(client, "/api/v1/bbv-tests/", {"person": person, "kind": "hepc_pcr", "offered_on": str(today)})
    assert response.status_code in {400, 404}
    if response.status_code == 400:
        assert "person" in response.json()


def test_non_numeric_id_in_the_path_is_a_400_naming_the_parameter(client, worker):
    client.force_login(worker)
    response = client.get("/api/v1/bbv-tests/abc/")
    assert response.status_code == 400
    assert list(response.json()) == ["pk"]
    response = client.post("/api/v1/bbv-tests/1e9/result/", {}, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()) == ["pk"]


def test_integer_over_the_column_range_is_refused_naming_the_field(client, worker, hr_episode, today):
    client.force_login(worker)
    test_id = offer(client, hr_episode.person, today).json()["id"]
    response = post(
        client, f"/api/v1/bbv-tests/{test_id}/answer/", {"accepted": True, "answered_on": str(today), "version": 2**40}
    )
    assert response.status_code == 400
    assert "version" in response.json()


def test_naloxone_for_neither_person_nor_attender_is_refused_by_the_database(worker, today):
    with pytest.raises(IntegrityError), transaction.atomic():
        NaloxoneSupply.objects.create(supplied_on=today, form="nasal", recipient="person", recorded_by=worker)


def test_a_second_result_from_an_old_read_is_refused(client, worker, hr_episode, today):
    client.force_login(worker)
    test_id = offer(client, hr_episode.person, today).json()["id"]
    url = f"/api/v1/bbv-tests/{test_id}/result/"
    body = {"result": "negative", "tested_on": str(today), "result_on": str(today)}
    first = post(client, url, body)
    assert first.status_code == 200
    read_version = first.json()["version"]
    assert post(client, url, {**body, "result": "positive"}).json() == {
        "version": ["This test already has a result: send the version you read to change it."]
    }
    assert post(client, url, {**body, "result": "positive", "version": read_version}).status_code == 200
    stale = post(client, url, {**body, "result": "negative", "version": read_version})
    assert stale.status_code == 409


def test_filter_on_an_id_outside_scope_answers_as_an_id_that_does_not_exist(client, staff, hr_episode):
    keyworker = staff(Role.KEYWORKER, username="other.keyworker")
    client.force_login(keyworker)
    outside = client.get(f"/api/v1/bbv-tests/?person={hr_episode.person.pk}")
    missing = client.get("/api/v1/bbv-tests/?person=999999")
    assert outside.status_code == missing.status_code == 400
    assert outside.json().keys() == missing.json().keys() == {"person"}
