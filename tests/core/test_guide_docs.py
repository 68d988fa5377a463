"""docs/guide: every picture a page shows exists, and every picture taken is shown somewhere (README included)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "guide"


def shown_pictures():
    pages = [*GUIDE.glob("*.md"), ROOT / "README.md"]
    for page in pages:
        for target in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", page.read_text()):
            yield page, (page.parent / target).resolve()


def test_every_picture_the_guide_shows_exists():
    missing = [f"{page.name}: {picture}" for page, picture in shown_pictures() if not picture.exists()]
    assert missing == []


def test_every_picture_taken_is_shown():
    shown = {picture for _page, picture in shown_pictures()}
    unused = sorted(path.name for path in (GUIDE / "img").glob("*.jpg") if path.resolve() not in shown)
    assert unused == [], "show these in a guide page or stop taking them"
