"""Issue 14: development serves what a user sees, not Django's internals. DEBUG is off unless asked for, so
`make run` answers a wrong address with the NHS-styled 404 (not the debug page listing every URL pattern), and a
refused request is logged as one line, not a traceback."""

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from core.choices import Role
from core.logging import OneLineRefusals

ROOT = Path(__file__).resolve().parents[2]


def test_debug_is_off_unless_asked_for():
    env = {key: value for key, value in os.environ.items() if key not in ("DJANGO_DEBUG", "APP_ENV")}
    code = "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); django.setup();"
    code += "from django.conf import settings; print(settings.DEBUG)"
    answer = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    assert answer.stdout.strip() == "False"
    assert "runserver --insecure" in (ROOT / "Makefile").read_text()


@pytest.mark.django_db
def test_a_wrong_address_gets_the_nhs_page_not_the_url_patterns(client, staff):
    client.force_login(staff(Role.KEYWORKER))
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in page
    assert "nhsuk-header" in page
    assert "URLconf" not in page
    assert "api/v1/" not in page


@pytest.mark.django_db
def test_a_refused_request_is_logged_in_one_line(client, staff):
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.addFilter(OneLineRefusals())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.force_login(staff(Role.COMMISSIONER))
        response = client.get(reverse("referrals:referral-new"))
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 403
    assert output.getvalue().splitlines() == ["Forbidden (Permission denied): /referrals/new/"]


def test_a_server_error_keeps_its_traceback():
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), None)
    record.status_code = 500
    record.exc_info = (ValueError, ValueError("broken"), None)
    assert OneLineRefusals().filter(record)
    assert record.exc_info is not None
