"""Lists and searches only go through selectors: views and APIs never query sensitive models directly."""

from __future__ import annotations

import ast
from pathlib import Path

import openasc
from openasc.core import audit

ROOT = Path(openasc.__file__).parent
INTERFACE_FILES = ("views.py", "api.py")


def _sensitive_names() -> set[str]:
    from django.apps import apps

    apps.get_models()  # make sure the registry is ready
    return {m.__name__ for m in audit.SENSITIVE_MODELS}


def _direct_queries(path: Path, names: set[str]) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        # Model.objects / Model._default_manager / Model._base_manager
        if (isinstance(node, ast.Attribute) and node.attr in {"objects", "_default_manager", "_base_manager"}
                and isinstance(node.value, ast.Name) and node.value.id in names):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value.id}.{node.attr}")
        # person.contacts.all() and the like are fine only after a selector returned the person, so we only
        # flag the managers above, plus raw SQL.
        if isinstance(node, ast.Attribute) and node.attr in {"raw", "extra"}:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}()")
    return found


def test_views_and_apis_do_not_query_sensitive_models_directly(db):
    names = _sensitive_names()
    assert {"Person", "Contact", "CarerLink", "Alert"} <= names
    offenders = []
    for path in ROOT.rglob("*.py"):
        if path.name in INTERFACE_FILES or (path.parent.name in {"views", "api"}):
            offenders += _direct_queries(path, names)
    assert offenders == [], "Use a selector (which applies the access rules) instead of:\n" + "\n".join(offenders)


def test_the_check_itself_finds_a_direct_query(tmp_path, db):
    bad = tmp_path / "views.py"
    bad.write_text("from openasc.people.models import Person\n\ndef v(request):\n    return Person.objects.all()\n")
    found = _direct_queries_at(bad)
    assert found and "Person.objects" in found[0]


def _direct_queries_at(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    names = _sensitive_names()
    return [f"{n.lineno} {n.value.id}.{n.attr}" for n in ast.walk(tree)
            if isinstance(n, ast.Attribute) and n.attr == "objects" and isinstance(n.value, ast.Name)
            and n.value.id in names]
