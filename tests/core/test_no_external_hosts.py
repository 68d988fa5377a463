"""Issue 14: nothing a page loads comes from another host (fonts included): a template, stylesheet or script that
loads a file, style or font by an absolute URL fails here. Links a person follows (<a href>) and XML namespaces
are not loads and are allowed."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# An absolute or protocol-relative URL in a loading position: src=, <link href=>, CSS url(...) and @import.
LOADS_IN_HTML = re.compile(r"""(?:\bsrc|<link[^>]*\bhref)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
LOADS_IN_CSS = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])\s*(?:https?:)?//""", re.IGNORECASE)
LOADS_IN_JS = re.compile(r"""(?:import\s*\(?\s*|fetch\(\s*|src\s*=\s*)["'`](?:https?:)?//""", re.IGNORECASE)


def _offences(pattern, paths):
    return [str(path.relative_to(ROOT)) for path in paths if pattern.search(path.read_text(errors="replace"))]


def test_templates_load_nothing_from_another_host():
    assert _offences(LOADS_IN_HTML, ROOT.glob("templates/**/*.html")) == []


def test_stylesheets_load_no_font_or_image_from_another_host():
    stylesheets = list(ROOT.glob("static/**/*.css"))
    assert any("nhsuk-frontend" in path.name for path in stylesheets)
    assert _offences(LOADS_IN_CSS, stylesheets) == []


def test_scripts_load_nothing_from_another_host():
    assert _offences(LOADS_IN_JS, ROOT.glob("static/**/*.js")) == []


def test_the_patterns_catch_an_external_font_and_script():
    assert LOADS_IN_CSS.search("@font-face{src:url(https://assets.nhs.uk/fonts/a.woff2)}")
    assert LOADS_IN_HTML.search('<script src="https://cdn.example/x.js"></script>')
    assert not LOADS_IN_HTML.search('<a href="https://www.nhs.uk/">NHS website</a>')
