"""Sessions end after 30 minutes idle or 10 hours in all; the cookie ends with the browser; no-store everywhere
a signed-in person goes (issue 15, item 6)."""

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.choices import Role

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def keyworker(staff):
    return staff(Role.KEYWORKER, username="kw.session")


def _set_signed_in_at(client, seconds_ago):
    session = client.session
    session["signed_in_at"] = time.time() - seconds_ago
    session.save()


@pytest.mark.django_db
def test_the_session_cookie_ends_with_the_browser(client, keyworker):
    response = client.post("/sign-in/", {"username": "kw.session", "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["expires"] == ""
    assert cookie["max-age"] == ""


@pytest.mark.django_db
def test_the_session_lasts_30_minutes_from_the_last_request(client, keyworker):
    client.force_login(keyworker)
    client.get("/")
    session = Session.objects.get()
    left = session.expire_date - timezone.now()
    assert timedelta(minutes=29) < left <= timedelta(minutes=30)


@pytest.mark.django_db
def test_an_idle_session_past_its_30_minutes_is_signed_out(client, keyworker):
    client.force_login(keyworker)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


@pytest.mark.django_db
def test_a_session_just_under_10_hours_old_still_works(client, keyworker):
    client.force_login(keyworker)
    _set_signed_in_at(client, 10 * 3600 - 60)
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_a_session_over_10_hours_old_is_signed_out_however_active(client, keyworker):
    client.force_login(keyworker)
    _set_signed_in_at(client, 10 * 3600 + 1)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/"
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_pages_carry_the_warning_timings_for_the_script(client, keyworker):
    client.force_login(keyworker)
    page = client.get("/").content.decode()
    assert 'data-session-idle-seconds="1800"' in page
    assert 'data-session-warning-seconds="120"' in page
    assert 'id="session-warning"' in page
    assert "js/session-timeout.js" in page


@pytest.mark.django_db
def test_the_sign_in_page_carries_no_timeout_script(client):
    assert "session-timeout.js" not in client.get("/sign-in/").content.decode()


@pytest.mark.django_db
def test_stay_signed_in_renews_the_session_and_says_how_long_is_left(client, keyworker):
    client.force_login(keyworker)
    _set_signed_in_at(client, 3600)
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))
    answer = client.post("/session/keep-alive/").json()
    assert answer["idle_seconds"] == 1800
    assert 9 * 3600 - 5 < answer["absolute_seconds_left"] <= 9 * 3600
    assert Session.objects.get().expire_date > timezone.now() + timedelta(minutes=29)


@pytest.mark.django_db
def test_stay_signed_in_needs_a_session(client):
    assert client.post("/session/keep-alive/").status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/api/v1/schema/"])
def test_a_signed_in_persons_pages_and_api_answers_are_never_stored(client, keyworker, path):
    client.force_login(keyworker)
    assert "no-store" in client.get(path)["Cache-Control"]


@pytest.mark.django_db
def test_an_api_answer_to_nobody_is_never_stored_either(client):
    assert "no-store" in client.get("/api/v1/people/")["Cache-Control"]


def _renewed_seconds_ago(client, seconds):
    session = client.session
    session["renewed_at"] = session["signed_in_at"] = time.time() - seconds
    session.save()
    Session.objects.update(expire_date=timezone.now() + timedelta(seconds=30 * 60 - seconds))


@pytest.mark.django_db
def test_a_request_within_a_minute_of_the_last_renewal_writes_no_session(client, keyworker):
    client.force_login(keyworker)
    _renewed_seconds_ago(client, 50)
    before = Session.objects.get().expire_date
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200
    writes = [query["sql"] for query in captured.captured_queries if query["sql"].startswith(("UPDATE", "INSERT"))]
    assert not [sql for sql in writes if "django_session" in sql]
    assert Session.objects.get().expire_date == before
    # The page and the answer say what is left of the idle limit, not the full 30 minutes.
    assert 1740 - 5 <= int(response["X-Session-Idle-Seconds-Left"]) <= 1750
    assert 'data-session-idle-seconds-left="17' in response.content.decode()


@pytest.mark.django_db
def test_a_request_a_minute_after_the_last_renewal_renews_the_30_minutes(client, keyworker):
    client.force_login(keyworker)
    _renewed_seconds_ago(client, 61)
    response = client.get("/")
    assert Session.objects.get().expire_date > timezone.now() + timedelta(minutes=29, seconds=55)
    assert int(response["X-Session-Idle-Seconds-Left"]) >= 1795


@pytest.mark.django_db
def test_signing_in_starts_both_clocks_so_the_first_page_writes_no_session(client, keyworker):
    client.post("/sign-in/", {"username": "kw.session", "password": PASSWORD})
    session = client.session
    assert time.time() - session["signed_in_at"] < 60
    assert session["renewed_at"] == pytest.approx(session["signed_in_at"], abs=1)
    client.force_login(keyworker)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    assert not [
        query for query in captured.captured_queries if "django_session" in query["sql"] and "UPDATE" in query["sql"]
    ]
