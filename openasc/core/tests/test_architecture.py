"""Reads of personal data only go through selectors: no other module queries a sensitive model directly.

`find_direct_queries` is the one checking function. The repository tests run it over every module under openasc/
except the data layer (services, selectors, migrations, tests and the short allow-list below); the self-tests at the
end feed it one small source per evasion, and legitimate code that must not be flagged.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import openasc
from openasc.core import audit

ROOT = Path(openasc.__file__).parent

# ---------------------------------------------------------------------------------------------------------------------
# What the check knows about the models, computed from the registry

MANAGER_ATTRIBUTES = frozenset({"objects", "_default_manager", "_base_manager"})
META_MANAGERS = frozenset({"default_manager", "base_manager"})
# What a connection tells without running SQL: `connections["default"].vendor` is not a query.
CONNECTION_METADATA = frozenset(
    {
        "vendor",
        "alias",
        "display_name",
        "settings_dict",
        "features",
        "in_atomic_block",
        "close",
        "ensure_connection",
    }
)
SHORTCUTS = frozenset({"get_object_or_404", "get_list_or_404"})
# What can follow a related manager: the public methods of a queryset and of a related manager.
QUERY_METHODS = frozenset(
    {
        "add",
        "aggregate",
        "alias",
        "all",
        "annotate",
        "bulk_create",
        "bulk_update",
        "clear",
        "complex_filter",
        "contains",
        "count",
        "create",
        "dates",
        "datetimes",
        "defer",
        "delete",
        "difference",
        "distinct",
        "earliest",
        "exclude",
        "exists",
        "explain",
        "extra",
        "filter",
        "first",
        "get",
        "get_or_create",
        "in_bulk",
        "intersection",
        "iterator",
        "last",
        "latest",
        "none",
        "only",
        "order_by",
        "prefetch_related",
        "raw",
        "remove",
        "reverse",
        "select_for_update",
        "select_related",
        "set",
        "union",
        "update",
        "update_or_create",
        "using",
        "values",
        "values_list",
        "aaggregate",
        "acontains",
        "acount",
        "acreate",
        "aexists",
        "aget",
        "aget_or_create",
        "ain_bulk",
        "aiterator",
        "afirst",
        "alast",
        "alatest",
        "aearliest",
        "aupdate",
        "aupdate_or_create",
        "adelete",
        "abulk_create",
    }
)


@dataclass(frozen=True)
class SensitiveNames:
    """The sensitive models as source code can name them."""

    classes: frozenset[str]  # "Person"
    labels: frozenset[str]  # "people.person" (apps.get_model's arguments, lower-cased)
    managers: frozenset[str]  # every manager attribute a sensitive model has ("objects", ...)


@dataclass(frozen=True)
class RelatedAccessors:
    """Reverse relations and many-to-many accessors that lead from a non-sensitive model to a sensitive one."""

    names: frozenset[str]  # "care_relationships" (Team, User), "services" (ProviderLocation), ...
    # Relation field names that only ever point at sensitive models ("person", "plan"): `x.person.services.all()` is
    # a sensitive instance's own relation, read after a selector opened it, not a way round the access rules.
    sensitive_receivers: frozenset[str]


@dataclass(frozen=True, order=True)
class Finding:
    filename: str
    lineno: int
    what: str  # "Person.objects", "get_object_or_404(Person)", "connection.cursor", ...
    kind: str  # "query" (a sensitive model's rows) or "raw_sql"

    @property
    def key(self) -> str:
        """Stable across line moves: what PENDING lists."""
        return f"{self.filename}: {self.what}"

    def __str__(self) -> str:
        return f"{self.filename}:{self.lineno} {self.what}"


def registry_names() -> tuple[SensitiveNames, RelatedAccessors]:
    """The names and accessors for the models Django has loaded now."""
    from django.apps import apps

    models = apps.get_models(include_auto_created=True)
    sensitive = set(audit.SENSITIVE_MODELS)
    names = SensitiveNames(
        classes=frozenset(m.__name__ for m in sensitive),
        labels=frozenset(m._meta.label_lower for m in sensitive),
        managers=frozenset({m.name for s in sensitive for m in s._meta.managers} | MANAGER_ATTRIBUTES),
    )
    accessors: set[str] = set()
    targets: dict[str, set[bool]] = {}
    for model in models:
        for f in model._meta.get_fields():
            related = getattr(f, "related_model", None)
            if related is None or not f.is_relation:
                continue
            if f.concrete:  # a forward field: where does a field of this name point?
                targets.setdefault(f.name, set()).add(related in sensitive)
            if model in sensitive or related not in sensitive:
                continue
            if f.many_to_many or f.auto_created:
                accessor = f.name if f.concrete else f.get_accessor_name()
                if accessor and not accessor.endswith("+"):
                    accessors.add(accessor)
    receivers = frozenset(name for name, points_to in targets.items() if points_to == {True})
    return names, RelatedAccessors(names=frozenset(accessors), sensitive_receivers=receivers)


# ---------------------------------------------------------------------------------------------------------------------
# The checking function


def _literal(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _last_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


class _Checker:
    def __init__(self, tree: ast.Module, filename: str, names: SensitiveNames, accessors: RelatedAccessors):
        self.tree = tree
        self.filename = filename
        self.names = names
        self.accessors = accessors
        self.findings: set[Finding] = set()
        self.parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        self.aliases: dict[str, str] = {}  # local name -> sensitive class name
        self.connections: set[str] = {"connection"}  # names bound to django.db.connection
        self.connection_maps: set[str] = {"connections"}  # names bound to django.db.connections
        self.get_models: set[str] = {"get_model"}  # bare names bound to a get_model function

    def add(self, node: ast.AST, what: str, kind: str = "query") -> None:
        self.findings.add(Finding(self.filename, getattr(node, "lineno", 0), what, kind))

    # --- what names a sensitive model

    def get_model_call(self, node: ast.AST) -> str | None:
        """For apps.get_model(...) naming a sensitive model: its class name; "<dynamic>" when it cannot be told."""
        if not isinstance(node, ast.Call):
            return None
        func = node.func
        if not (
            (isinstance(func, ast.Attribute) and func.attr == "get_model")
            or (isinstance(func, ast.Name) and func.id in self.get_models)
        ):
            return None
        args = list(node.args)
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        if "app_label" in keywords:
            args.insert(0, keywords["app_label"])
        if "model_name" in keywords:
            args.append(keywords["model_name"])
        parts = [_literal(a) for a in args[:2]]
        if not parts or any(p is None for p in parts):
            return "<dynamic>"
        label = ".".join(parts).lower()  # type: ignore[arg-type]
        if label in self.names.labels:
            return next(c for c in self.names.classes if label.endswith("." + c.lower()))
        return None

    def model_of(self, node: ast.AST) -> str | None:
        """The sensitive class an expression evaluates to, if it is one."""
        if isinstance(node, ast.Name):
            if node.id in self.aliases:
                return self.aliases[node.id]
            return node.id if node.id in self.names.classes else None
        if isinstance(node, ast.Attribute):  # models.Person, openasc.people.models.Person
            return node.attr if node.attr in self.names.classes else None
        if isinstance(node, ast.Call):
            found = self.get_model_call(node)
            if found:
                return found
            if isinstance(node.func, ast.Name) and node.func.id == "getattr" and len(node.args) >= 2:
                attr = _literal(node.args[1])
                if attr in self.names.classes:  # getattr(models, "Person")
                    return attr
        return None

    # --- the passes

    def bind_aliases(self) -> None:
        """Names that stand for a sensitive model, a connection or get_model, until nothing new is learnt."""
        for node in ast.walk(self.tree):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    local = alias.asname or alias.name
                    if alias.name in self.names.classes:
                        self.aliases[local] = alias.name
                    elif alias.name == "connection":
                        self.connections.add(local)
                    elif alias.name == "connections":
                        self.connection_maps.add(local)
                    elif alias.name == "get_model":
                        self.get_models.add(local)
        changed = True
        while changed:
            changed = False
            for node in ast.walk(self.tree):
                for target, value in self.assignments(node):
                    if not isinstance(target, ast.Name):
                        continue
                    if target.id not in self.aliases:
                        model = self.model_of(value)
                        if model:
                            self.aliases[target.id] = model
                            changed = True
                    if target.id not in self.connections and (
                        isinstance(value, (ast.Name, ast.Subscript)) and self.is_connection(value)
                    ):
                        self.connections.add(target.id)  # conn = connections[alias]
                        changed = True

    @staticmethod
    def assignments(node: ast.AST) -> Iterator[tuple[ast.AST, ast.AST]]:
        pairs: list[tuple[ast.AST, ast.AST]] = []
        if isinstance(node, ast.Assign):
            pairs = [(t, node.value) for t in node.targets]
        elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
            pairs = [(node.target, node.value)]
        elif isinstance(node, (ast.For, ast.comprehension)) and isinstance(
            node.iter, (ast.Tuple, ast.List, ast.Set)
        ):
            pairs = [(node.target, v) for v in node.iter.elts]  # for M in (Person, Contact)
        for target, value in pairs:
            if isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)):
                yield from zip(target.elts, value.elts, strict=False)
            else:
                yield target, value

    def parent_attribute(self, node: ast.AST) -> str | None:
        """`x` in `x.attr`: attr; else None."""
        parent = self.parents.get(node)
        return parent.attr if isinstance(parent, ast.Attribute) and parent.value is node else None

    def check(self) -> list[Finding]:
        self.bind_aliases()
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Attribute):
                self.check_attribute(node)
            elif isinstance(node, ast.Call):
                self.check_call(node)
            elif isinstance(node, ast.Subscript):
                if (
                    _last_name(node.value) in self.connection_maps
                    and self.parent_attribute(node) not in CONNECTION_METADATA
                ):
                    self.add(node, "connections[...]", "raw_sql")
            elif isinstance(node, ast.Name) and node.id == "RawSQL":
                self.add(node, "RawSQL", "raw_sql")
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name == "RawSQL":
                        self.add(node, "RawSQL", "raw_sql")
        return sorted(self.findings)

    def check_attribute(self, node: ast.Attribute) -> None:
        model = self.model_of(node.value)
        if model and node.attr in self.names.managers:  # Person.objects, P._default_manager
            self.add(node, f"{model}.{node.attr}")
        elif node.attr in {"_default_manager", "_base_manager"}:  # type(obj)._default_manager
            self.add(node, f"._{node.attr.lstrip('_')}")
        elif node.attr in META_MANAGERS and _last_name(node.value) == "_meta":
            self.add(node, f"_meta.{node.attr}")
        elif node.attr == "objects" and (
            (
                isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name)
                and node.value.func.id == "type"
            )
            or (isinstance(node.value, ast.Attribute) and node.value.attr == "__class__")
        ):
            self.add(node, "type(...).objects")  # the model of an instance, whatever it is
        elif node.attr == "RawSQL":
            self.add(node, "RawSQL", "raw_sql")
        elif node.attr == "cursor" and self.is_connection(node.value):
            self.add(node, "connection.cursor", "raw_sql")
        elif node.attr == "cursor" and isinstance(self.parents.get(node), ast.Call):
            self.add(node, ".cursor()", "raw_sql")  # a cursor from a connection made some other way
        # team.care_relationships.all(): a reverse relation from a non-sensitive model to a sensitive one
        inner = node.value
        if (
            node.attr in QUERY_METHODS
            and isinstance(inner, ast.Attribute)
            and inner.attr in self.accessors.names
            and _last_name(inner.value) not in self.accessors.sensitive_receivers
        ):
            self.add(inner, f".{inner.attr}.{node.attr}()")

    def is_connection(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.connections
        if isinstance(node, ast.Attribute):
            return node.attr == "connection"
        if isinstance(node, ast.Subscript):
            return _last_name(node.value) in self.connection_maps
        if isinstance(node, ast.Call):
            return _last_name(node.func) == "get_connection"
        return False

    def check_call(self, node: ast.Call) -> None:
        func = node.func
        fname = _last_name(func)
        if fname in SHORTCUTS and node.args:
            model = self.model_of(node.args[0])
            if model:
                self.add(node, f"{fname}({model})")
        elif fname == "getattr" and isinstance(func, ast.Name) and len(node.args) >= 2:
            attr = _literal(node.args[1])
            model = self.model_of(node.args[0])
            if model and (attr is None or attr in self.names.managers):
                self.add(node, f"getattr({model}, {attr!r})" if attr else f"getattr({model}, <dynamic>)")
        if isinstance(func, ast.Attribute) and func.attr in QUERY_METHODS:
            self.check_lookups(node, func)
        model = self.get_model_call(node)
        if (
            model and self.parent_attribute(node) != "_meta"
        ):  # apps.get_model(label)._meta: metadata, not rows
            self.add(node, f"apps.get_model({model})")
        if isinstance(func, ast.Attribute) and func.attr in {"raw", "extra"}:
            self.add(node, f".{func.attr}()", "raw_sql")

    def check_lookups(self, node: ast.Call, func: ast.Attribute) -> None:
        """Team.objects.filter(care_relationships__person=...): a non-sensitive model's query that reaches into a
        sensitive one through a reverse relation. Only chains that start at a model's manager are judged."""
        root = func.value
        while True:
            if isinstance(root, ast.Call):
                root = root.func
            elif isinstance(root, ast.Attribute) and root.attr in QUERY_METHODS:
                root = root.value
            else:
                break
        if not (isinstance(root, ast.Attribute) and root.attr in self.names.managers):
            return
        model = _last_name(root.value)
        if model is None or self.model_of(root.value):  # a sensitive model's manager is flagged already
            return
        for lookup in self.lookups(node):
            head = lookup.split("__", 1)[0]
            if head in self.accessors.names:
                self.add(node, f"{model}.{root.attr} lookup {head}__")

    def lookups(self, node: ast.AST) -> Iterator[str]:
        """Field paths a query call names: string arguments and keyword names, also inside Q, F, Count, Prefetch
        and the like (a keyword's string value is data, not a path)."""
        if isinstance(node, ast.Call):
            for arg in node.args:
                if _literal(arg) is not None:
                    yield _literal(arg)  # type: ignore[misc]
                else:
                    yield from self.lookups(arg)
            for kw in node.keywords:
                if kw.arg:
                    yield kw.arg
                yield from self.lookups(kw.value)
        elif isinstance(node, ast.BinOp):
            yield from self.lookups(node.left)
            yield from self.lookups(node.right)
        elif isinstance(node, ast.UnaryOp):
            yield from self.lookups(node.operand)
        elif isinstance(node, (ast.List, ast.Tuple)):
            for elt in node.elts:
                yield from self.lookups(ast.Call(func=ast.Name("_"), args=[elt], keywords=[]))


def find_direct_queries(
    source: str, filename: str, names: SensitiveNames, accessors: RelatedAccessors
) -> list[Finding]:
    """Every place in one module's source that reaches a sensitive model's rows without a selector, or runs raw SQL."""
    tree = ast.parse(source, filename=filename)
    return _Checker(tree, filename, names, accessors).check()


# ---------------------------------------------------------------------------------------------------------------------
# Which modules are checked

# Data-layer modules that query sensitive models by design: each is itself the service or selector for its job.
DATA_LAYER = {
    "core/access.py": "the access rules themselves: people_visible_to, explain and open_record read relationships",
    "core/subjects.py": "reads only the person id of a thing a refused URL names, to audit the refusal against them",
    "reporting/projection.py": "the CLD projection reads every record into the reporting engine (a statutory return)",
    "reporting/importer/": "the CLD importer matches and writes records in bulk (ADR 0007), audited per run",
    "demo/": "the demo builder creates a synthetic council from nothing, under audit.bulk",
    "safeguarding/sac.py": "the Safeguarding Adults Collection counts every concern and enquiry of the year (a "
    "statutory return); the adults behind a cell are shown only through cell_people, audited one by one",
}

# Modules that may run raw SQL, and why. Everything else uses the ORM, whose querysets the audit guards see.
RAW_SQL_ALLOWED = {
    "core/audit.py": "audit integrity: the hash chain's lock, head and id reservation, COPY of event batches",
    "core/dbroles.py": "creates the application's database role and grants its rights (ADR 0008)",
    "core/management/commands/db.py": "`openasc db setup`: the roles and append-only triggers, run as the owner",
    "core/management/commands/migrate.py": "grants the application's role its rights after the owner migrates",
    "core/health.py": "the health check's SELECT 1: no table, no personal data",
    "core/backup.py": "backup and restore of the whole database (ADR 0011): row counts and trigger checks",
    "demo/build.py": "the demo reset (TRUNCATE of the audit trail on PostgreSQL), ANALYZE and id sequences",
    "demo/history.py": "moves PostgreSQL's id sequences past the demo history's preset ids",
    "jobs/services.py": "a job's progress written on a second connection, seen by others while its transaction runs",
    "reporting/importer/__init__.py": "the import's heartbeat on a second connection, seen while the load runs",
    "reporting/importer/load.py": "the CLD import's SQLite page cache while loading (PRAGMA)",
    "reporting/importer/setload.py": "the CLD importer's set load: INSERT ... SELECT from a staging table",
    "reporting/importer/fastinsert.py": "the CLD importer's fast insert (COPY / multi-row INSERT)",
}

# Offenders in files other engineers are refactoring now (frontdoor, assessments, planning, services, the reporting
# CLD import/export views), as "file: what" keys: being moved to selectors; remove when done. Empty when the check
# was written (2026-12-02): none of those files queried a sensitive model directly. Entries may only be removed.
PENDING: set[str] = set()


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _is_test_or_migration(rel: str) -> bool:
    parts = rel.split("/")
    return (
        "migrations" in parts
        or any(p in {"tests", "tests_system"} for p in parts[:-1])
        or parts[-1] in {"conftest.py", "factories.py"}
        or parts[-1].startswith("test_")
    )


def _is_data_layer(rel: str) -> bool:
    """services.py / selectors.py, a module in an app's services/ or selectors/ package, or the allow-list."""
    parts = rel.split("/")
    # parts[0] is the app: openasc/services/ is the app named services, whose views.py is checked.
    if parts[-1] in {"services.py", "selectors.py"} or any(
        p in {"services", "selectors"} for p in parts[1:-1]
    ):
        return True
    return any(rel == entry or (entry.endswith("/") and rel.startswith(entry)) for entry in DATA_LAYER)


def modules() -> Iterable[tuple[str, str]]:
    for path in sorted(ROOT.rglob("*.py")):
        rel = _relative(path)
        if not _is_test_or_migration(rel):
            yield rel, path.read_text()


def repository_findings() -> tuple[list[Finding], list[Finding]]:
    """(direct queries outside the data layer, raw SQL outside RAW_SQL_ALLOWED) across openasc/."""
    names, accessors = registry_names()
    queries, raw = [], []
    for rel, source in modules():
        for finding in find_direct_queries(source, rel, names, accessors):
            if finding.kind == "raw_sql":
                if rel not in RAW_SQL_ALLOWED:
                    raw.append(finding)
            elif not _is_data_layer(rel):
                queries.append(finding)
    return queries, raw


# ---------------------------------------------------------------------------------------------------------------------
# The repository tests


def offenders(findings: Iterable[Finding], pending: set[str]) -> list[str]:
    """Findings not excused by a PENDING key, as "file:line what"."""
    return [str(f) for f in sorted(findings) if f.key not in pending]


def pending_gone(findings: Iterable[Finding], pending: set[str]) -> list[str]:
    """PENDING keys nothing matches any more: the list may only shrink, so these must be removed."""
    return sorted(pending - {f.key for f in findings})


def test_no_module_outside_the_data_layer_queries_a_sensitive_model(db):
    queries, raw = repository_findings()
    found = offenders(queries + raw, PENDING)
    assert found == [], "Use a selector (which applies the access rules) instead of:\n" + "\n".join(found)


def test_pending_only_shrinks(db):
    queries, raw = repository_findings()
    gone = pending_gone(queries + raw, PENDING)
    assert gone == [], "No longer found, remove from PENDING:\n" + "\n".join(gone)


def test_pending_excuses_by_file_and_what_and_must_shrink():
    found = [
        Finding("frontdoor/views.py", 12, "Person.objects", "query"),
        Finding("frontdoor/views.py", 40, "Person.objects", "query"),
        Finding("planning/views.py", 7, "Plan.objects", "query"),
    ]
    pending = {"frontdoor/views.py: Person.objects", "services/views.py: Service.objects"}
    assert offenders(found, pending) == ["planning/views.py:7 Plan.objects"]  # both frontdoor lines excused
    assert pending_gone(found, pending) == ["services/views.py: Service.objects"]  # fixed: must leave PENDING
    assert offenders(found[:2], {"frontdoor/views.py: Person.objects"}) == []


def test_allow_lists_name_real_modules_and_say_why():
    for listing in (DATA_LAYER, RAW_SQL_ALLOWED):
        for entry, reason in listing.items():
            assert (ROOT / entry).exists(), entry
            assert len(reason.split()) >= 4, entry


def test_every_allow_list_entry_is_needed(db):
    """An entry whose module no longer queries (or runs SQL) must go, so the lists stay short."""
    names, accessors = registry_names()
    used_data_layer, used_raw = set(), set()
    for rel, source in modules():
        kinds = {f.kind for f in find_direct_queries(source, rel, names, accessors)}
        for entry in DATA_LAYER:
            if "query" in kinds and (rel == entry or (entry.endswith("/") and rel.startswith(entry))):
                used_data_layer.add(entry)
        if "raw_sql" in kinds and rel in RAW_SQL_ALLOWED:
            used_raw.add(rel)
    assert sorted(set(DATA_LAYER) - used_data_layer) == []
    assert sorted(set(RAW_SQL_ALLOWED) - used_raw) == []


def test_the_registry_gives_the_names_and_accessors(db):
    names, accessors = registry_names()
    assert {"Person", "Contact", "CarerLink", "Alert", "CareRelationship", "Service"} <= names.classes
    assert {"people.person", "core.carerelationship"} <= names.labels
    assert "User" not in names.classes and "Team" not in names.classes
    # Team/User -> CareRelationship, ProviderLocation -> Service, ImportRun -> ImportedEvent
    assert {"care_relationships", "break_glass_accesses", "services", "events"} <= accessors.names
    assert "contacts" not in accessors.names  # Person -> Contact: both sensitive
    assert "members" not in accessors.names  # Team -> User: neither sensitive
    assert {"person", "plan"} <= accessors.sensitive_receivers
    assert "user" not in accessors.sensitive_receivers and "location" not in accessors.sensitive_receivers


# ---------------------------------------------------------------------------------------------------------------------
# Self-tests: the same function on small sources

NAMES = SensitiveNames(
    classes=frozenset({"Person", "Contact", "CareRelationship", "Service"}),
    labels=frozenset({"people.person", "people.contact", "core.carerelationship", "services.service"}),
    managers=MANAGER_ATTRIBUTES,
)
ACCESSORS = RelatedAccessors(
    names=frozenset({"care_relationships", "break_glass_accesses", "services", "events"}),
    sensitive_receivers=frozenset({"person", "plan"}),
)


def _whats(source: str) -> list[str]:
    return [f.what for f in find_direct_queries(source, "people/views.py", NAMES, ACCESSORS)]


EVASIONS = {
    "manager": ("from openasc.people.models import Person\nPerson.objects.all()\n", "Person.objects"),
    "module attribute": (
        "from openasc.people import models\nmodels.Person.objects.get(pk=1)\n",
        "Person.objects",
    ),
    "get_object_or_404": (
        "from django.shortcuts import get_object_or_404\n"
        "from openasc.people.models import Person\n"
        "def v(request, pk):\n    return get_object_or_404(Person, pk=pk)\n",
        "get_object_or_404(Person)",
    ),
    "get_list_or_404": (
        "from django import shortcuts\nfrom openasc.people.models import Contact\n"
        "shortcuts.get_list_or_404(Contact, person_id=1)\n",
        "get_list_or_404(Contact)",
    ),
    "import alias": (
        "from openasc.people.models import Person as P\nP.objects.filter(surname='X')\n",
        "Person.objects",
    ),
    "assigned alias": (
        "from openasc.people.models import Person\nP = Person\nQ = P\nQ.objects.all()\n",
        "Person.objects",
    ),
    "tuple alias": (
        "from openasc.people.models import Person\nA, B = 1, Person\nB.objects.all()\n",
        "Person.objects",
    ),
    "alias in a loop": (
        "from openasc.people.models import Contact, Person\n"
        "for m in (Person, Contact):\n    m.objects.count()\n",
        "Person.objects",
    ),
    "get_model alias": (
        "from django.apps import apps\nM = apps.get_model('people', 'Person')\nM.objects.all()\n",
        "Person.objects",
    ),
    "get_model dotted": (
        "from django.apps import apps\napps.get_model('people.Person')\n",
        "apps.get_model(Person)",
    ),
    "get_model keywords": (
        "from django.apps import apps\napps.get_model(app_label='core', model_name='carerelationship')\n",
        "apps.get_model(CareRelationship)",
    ),
    "get_model dynamic": (
        "from django.apps import apps\ndef v(name):\n    return apps.get_model('people', name)\n",
        "apps.get_model(<dynamic>)",
    ),
    "getattr manager": (
        "from openasc.people.models import Person\ngetattr(Person, 'objects').all()\n",
        "getattr(Person, 'objects')",
    ),
    "getattr dynamic": (
        "from openasc.people.models import Person\ndef v(n):\n    return getattr(Person, n)\n",
        "getattr(Person, <dynamic>)",
    ),
    "getattr model": (
        "from openasc.people import models\ngetattr(models, 'Person').objects.all()\n",
        "Person.objects",
    ),
    "default manager": (
        "from openasc.people.models import Person\nPerson._default_manager.all()\n",
        "Person._default_manager",
    ),
    "base manager": ("def v(obj):\n    return type(obj)._base_manager.all()\n", "._base_manager"),
    "meta default manager": (
        "def v(obj):\n    return obj._meta.default_manager.all()\n",
        "_meta.default_manager",
    ),
    "type objects": ("def v(obj):\n    return obj.__class__.objects.all()\n", "type(...).objects"),
    "team related manager": (
        "def v(team):\n    return list(team.care_relationships.all())\n",
        ".care_relationships.all()",
    ),
    "user related manager": (
        "def v(request):\n    return request.user.care_relationships.filter(ended=None)\n",
        ".care_relationships.filter()",
    ),
    "location related manager": (
        "def v(location):\n    return location.services.count()\n",
        ".services.count()",
    ),
    "lookup through a reverse relation": (
        "from openasc.core.models import Team\n"
        "Team.objects.filter(care_relationships__person_id=1).exists()\n",
        "Team.objects lookup care_relationships__",
    ),
    "values through a reverse relation": (
        "from openasc.providers.models import ProviderLocation\n"
        "ProviderLocation.objects.filter(active=True)"
        ".values_list('name', 'services__person__last_name')\n",
        "ProviderLocation.objects lookup services__",
    ),
    "lookup inside Q and Count": (
        "from django.db.models import Count, Q\nfrom openasc.core.models import User\n"
        "User.objects.filter(Q(is_active=True) | ~Q(break_glass_accesses__reason=''))"
        ".annotate(n=Count('care_relationships'))\n",
        "User.objects lookup break_glass_accesses__",
    ),
    "raw": (
        "from openasc.core.models import User\nUser.objects.raw('select * from people_person')\n",
        ".raw()",
    ),
    "extra": ("from openasc.core.models import Team\nTeam.objects.extra(where=['1=1'])\n", ".extra()"),
    "RawSQL": ("from django.db.models.expressions import RawSQL\nx = RawSQL('select 1', [])\n", "RawSQL"),
    "RawSQL attribute": (
        "from django.db import models\nx = models.expressions.RawSQL('select 1', [])\n",
        "RawSQL",
    ),
    "cursor": (
        "from django.db import connection\nwith connection.cursor() as c:\n    c.execute('select 1')\n",
        "connection.cursor",
    ),
    "cursor alias": ("from django.db import connection as db\ndb.cursor()\n", "connection.cursor"),
    "copied connection's cursor": (
        "def v(self):\n    with self._side.cursor() as c:\n        c.execute('x')\n",
        ".cursor()",
    ),
    "connection assigned": (
        "from django.db import connections\ndef v():\n    conn = connections['default']\n"
        "    return conn.cursor()\n",
        "connection.cursor",
    ),
    "connections": (
        "from django.db import connections\nconnections['default'].cursor()\n",
        "connections[...]",
    ),
}


@pytest.mark.parametrize("name", sorted(EVASIONS))
def test_the_check_finds_each_evasion(name):
    source, expected = EVASIONS[name]
    assert expected in _whats(source)


def test_a_finding_carries_file_line_and_a_line_free_key():
    [finding] = find_direct_queries(
        "x = 1\nfrom openasc.people.models import Person\nPerson.objects.all()\n",
        "frontdoor/views.py",
        NAMES,
        ACCESSORS,
    )
    assert (finding.lineno, finding.kind, finding.key) == (3, "query", "frontdoor/views.py: Person.objects")
    assert str(finding) == "frontdoor/views.py:3 Person.objects"


def test_raw_sql_is_its_own_kind():
    found = find_direct_queries(
        "from django.db import connection\nconnection.cursor()\n", "x.py", NAMES, ACCESSORS
    )
    assert [f.kind for f in found] == ["raw_sql"]


LEGITIMATE = {
    "selector call": (
        "from openasc.people import selectors\n"
        "def v(request):\n    return selectors.person_search(user=request.user, query='x')\n"
    ),
    "opened record's relations": (
        "from openasc.core.access import open_record\n"
        "def v(request, pk):\n    record = open_record(user=request.user, person_id=pk)\n"
        "    return list(record.person.contacts.all()), record.person.services.all()\n"
    ),
    "person's own relation": "def v(person):\n    return person.services.filter(end_date=None)\n",
    "non-sensitive model": (
        "from openasc.core.models import Team, User\n"
        "def v():\n    return Team.objects.all(), User.objects.filter(is_active=True)\n"
    ),
    "non-sensitive get_object_or_404": (
        "from django.shortcuts import get_object_or_404\n"
        "from openasc.core.models import Team\nget_object_or_404(Team, pk=1)\n"
    ),
    "non-sensitive get_model": "from django.apps import apps\napps.get_model('core', 'Team').objects.all()\n",
    "non-sensitive alias": "from openasc.core.models import Team as Person2\nPerson2.objects.all()\n",
    "getattr of another attribute": "from openasc.people.models import Person\ngetattr(Person, 'NOT_KNOWN', 1)\n",
    "a lookup value that happens to be an accessor's name": (
        "from openasc.core.models import Team\nTeam.objects.filter(name='services').first()\n"
    ),
    "a lookup through a non-sensitive relation": (
        "from openasc.core.models import Team\nTeam.objects.filter(members__username='x')\n"
    ),
    "a sensitive instance's own queryset": "def v(person):\n    return person.plans.filter(services__isnull=True)\n",
    "team members": "def v(team):\n    return team.members.all()\n",
    "an app module named services": "import openasc.services.selectors\nopenasc.services.selectors.x()\n",
    "a class named in a string": "x = 'Person.objects.all()'\n",
    "a connection's vendor": "from django.db import connections\nconnections['default'].vendor == 'sqlite'\n",
}


@pytest.mark.parametrize("name", sorted(LEGITIMATE))
def test_the_check_leaves_legitimate_code_alone(name):
    assert _whats(LEGITIMATE[name]) == []


def test_services_and_selectors_are_the_data_layer_but_the_services_app_is_not():
    assert _is_data_layer("people/services.py") and _is_data_layer("people/selectors.py")
    assert _is_data_layer("reporting/services/export.py") and _is_data_layer("frontdoor/selectors/waiting.py")
    assert not _is_data_layer("services/views.py") and not _is_data_layer("services/api.py")
    assert _is_data_layer("services/services.py") and _is_data_layer("reporting/importer/check.py")
    assert not _is_data_layer("reporting/returns_views.py") and not _is_data_layer("people/opening.py")


def test_tests_and_migrations_are_not_checked():
    for rel in (
        "people/tests/test_views.py",
        "conftest.py",
        "people/factories.py",
        "tests_system/conftest.py",
        "people/migrations/0001_initial.py",
        "core/tests/helpers.py",
    ):
        assert _is_test_or_migration(rel), rel
    for rel in ("people/views.py", "services/views.py", "cli.py", "core/management/commands/demo.py"):
        assert not _is_test_or_migration(rel), rel
