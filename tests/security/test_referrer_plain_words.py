"""Issue 14: reception (the referrer role) reads plain words, never the national return's codes: a form or page
that says "GPPTCE" where it means "GP practice" fails here. Every page a referrer can open in the route walk's
data set is read, with its tags and attributes left out (a field's `name` is for the browser, not the person)."""

import re

from django.db import transaction

from core import route_walk
from core.choices import Role
from reporting.returns.columns import MODALITY_FIELDS, PERSON_EPISODE_FIELDS, TOP_FIELDS

CODES = re.compile(r"\b(" + "|".join(sorted(set(PERSON_EPISODE_FIELDS + MODALITY_FIELDS + TOP_FIELDS))) + r")\b")
MARKUP = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.DOTALL)


def codes_shown(html: str) -> set[str]:
    return set(CODES.findall(MARKUP.sub(" ", html)))


def test_a_referrer_sees_no_national_return_code(db):
    shown = {}
    with transaction.atomic():
        users, _people, _treatment_detail = route_walk._data_set()
        client = route_walk._signed_in(users[Role.REFERRER])
        for route in route_walk.routes():
            if route.path.startswith(("/api/", "/admin/")):
                continue
            url = route_walk.fill(route.path, route_walk.IN_SCOPE)
            response = client.get(url)
            html = response.status_code == 200 and "text/html" in response.get("Content-Type", "")
            if html and (found := codes_shown(response.content.decode())):
                shown[url] = sorted(found)
        transaction.set_rollback(True)
    assert shown == {}


def test_a_code_in_the_words_of_a_page_is_found_and_one_in_markup_is_not():
    assert codes_shown("<p>GP practice code (GPPTCE)</p>") == {"GPPTCE"}
    assert codes_shown('<input name="GPPTCE" class="x">') == set()
