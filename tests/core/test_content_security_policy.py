"""Content-Security-Policy on every page, and no inline script or style in any template (issue 15, item 7)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# WeasyPrint reads these to make PDFs; no browser ever loads them, so their styles may live inline.
PRINT_ONLY = re.compile(r"(print|pdf)", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+=", re.IGNORECASE)


def _directives(header: str) -> dict[str, str]:
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/sign-in/", "/healthz/"])
def test_every_response_carries_the_policy(client, path):
    header = client.get(path)["Content-Security-Policy"]
    directives = _directives(header)
    assert directives["object-src"] == "object-src 'none'"
    assert directives["base-uri"] == "base-uri 'none'"
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert directives["script-src"] == "script-src 'self'"
    assert directives["style-src"] == "style-src 'self'"


@pytest.mark.django_db
def test_a_signed_in_page_carries_the_policy(client, data_admin):
    client.force_login(data_admin)
    response = client.get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]


def _browser_templates():
    return [path for path in TEMPLATES.rglob("*.html") if not PRINT_ONLY.search(str(path.relative_to(TEMPLATES)))]


@pytest.mark.parametrize("pattern", [INLINE_SCRIPT, INLINE_STYLE, EVENT_HANDLER], ids=["script", "style", "onevent"])
def test_no_template_a_browser_loads_has_inline_script_or_style(pattern):
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {found.group(0).strip()}"
        for path in _browser_templates()
        for found in [pattern.search(path.read_text())]
        if found
    ]
    assert not offenders, "The Content-Security-Policy blocks these; move them to static files:\n" + "\n".join(
        offenders
    )


def test_the_template_scan_finds_an_inline_script():
    assert INLINE_SCRIPT.search('<script>alert("x")</script>')
    assert not INLINE_SCRIPT.search('<script src="/static/js/app.js" defer></script>')
    assert INLINE_STYLE.search('<p style="color: red">')
    assert len(_browser_templates()) > 20


@pytest.mark.django_db
def test_the_api_docs_page_loads_its_script_from_a_file_and_allows_only_its_own_inline_style(client, data_admin):
    client.force_login(data_admin)
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    assert not INLINE_SCRIPT.search(page.content.decode())
    assert "style-src 'self' 'unsafe-inline'" in page["Content-Security-Policy"]
    assert "script-src 'self';" in page["Content-Security-Policy"] + ";"
    assert client.get("/api/v1/docs/?script=").status_code == 200
