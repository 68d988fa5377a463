"""design.md: dependencies run one way, the clinical apps on core. No module of core imports a clinical app;
the clinical apps fill core's registries instead (core.history, core.subject_access, core.registry)."""

import ast
from pathlib import Path

from django.conf import settings

from core.registry import OUR_APPS

CORE = Path(settings.BASE_DIR) / "core"
CLINICAL_APPS = set(OUR_APPS) - {"core"}
# Not part of the running application: `manage.py bench` measures every app's pages, jobs and files, so it
# reads them all, as reporting does. Moving it out of core is left to its owner (issue 16).
OUTSIDE_THE_APPLICATION = ("core/bench/", "core/management/commands/bench.py")


def imported_modules(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def test_no_module_in_core_imports_a_clinical_app():
    modules = [
        path
        for path in CORE.rglob("*.py")
        if "migrations" not in path.parts and not str(path.relative_to(CORE.parent)).startswith(OUTSIDE_THE_APPLICATION)
    ]
    assert len(modules) > 30
    reaching_up = [
        f"{path.relative_to(CORE.parent)}:{line} imports {name}"
        for path in modules
        for line, name in imported_modules(path)
        if name.split(".")[0] in CLINICAL_APPS
    ]
    assert reaching_up == []


def test_the_check_would_see_an_import_inside_a_function(tmp_path):
    module = tmp_path / "example.py"
    module.write_text("def f():\n    from referrals.models import Person\n")
    assert imported_modules(module) == [(2, "referrals.models")]


def test_the_clinical_apps_filled_cores_registries():
    from core import history, subject_access

    labels = {model._meta.label for model in history.CLINICAL_MODELS}
    assert {"referrals.Person", "assessment.Top", "prescribing.Prescription", "harm_reduction.BbvTest"} <= labels
    assert subject_access.PERSON_PATHS["recovery_plans.Action"] == "goal__plan_version__plan__episode__person"
    assert subject_access.people().model._meta.label == "referrals.Person"
