"""The hazard log names the test that proves each control; a renamed or deleted test must fail here."""

import ast
import re
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
LOG = BASE / "docs" / "clinical-safety" / "hazard-log.md"
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def test_every_test_the_hazard_log_names_exists():
    references = REFERENCE.findall(LOG.read_text())
    assert len(references) >= 30
    missing = [
        f"{file}::{name}"
        for file, name in references
        if not (BASE / file).is_file() or name not in _test_names(BASE / file)
    ]
    assert not missing, "The hazard log names tests that do not exist:\n" + "\n".join(missing)


def test_every_hazard_row_names_at_least_one_test():
    rows = [line for line in LOG.read_text().splitlines() if re.match(r"\| H\d\d \|", line)]
    assert len(rows) >= 15
    assert all(REFERENCE.search(row) for row in rows)
