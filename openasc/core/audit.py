"""The audit service: every view, change, search and export of personal data writes one event.

Services and record views call `audit.record(...)` explicitly, inside the same transaction as the
change it describes, so a change and its audit event are saved together or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

from openasc.core.context import current_request_id
from openasc.core.models import AuditAction, AuditEvent, User


class AnonymousWriteRefused(PermissionError):
    """Nobody may change or read personal data without being known."""


# Models holding personal data. Saving one without an audit event fails the test suite's safety net.
SENSITIVE_MODELS: set[type[models.Model]] = set()


def sensitive(model: type[models.Model]) -> type[models.Model]:
    """Class decorator: mark a model as holding personal data."""
    SENSITIVE_MODELS.add(model)
    return model


def object_type(obj_or_model: models.Model | type[models.Model]) -> str:
    return obj_or_model._meta.label_lower


def record(
    *,
    actor: User,
    action: AuditAction | str,
    obj: models.Model | None = None,
    person_id: int | None = None,
    basis: str = "",
    reason: str = "",
    details: dict[str, Any] | None = None,
    on_behalf_of: User | None = None,
) -> AuditEvent:
    """Append one audit event; refuses anonymous or inactive actors."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.pk or not actor.is_active:
        raise AnonymousWriteRefused("An audit event needs a signed-in, active user or system account.")
    if person_id is None and obj is not None:
        person_id = _person_id_of(obj)
    return AuditEvent.objects.create(
        occurred_at=timezone.now(),
        actor=actor,
        on_behalf_of=on_behalf_of,
        action=str(action),
        person_id=person_id,
        object_type=object_type(obj) if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        basis=basis[:64],
        reason=_storable(reason),
        request_id=current_request_id(),
        details=_storable(details or {}),
    )


def event(
    *,
    actor: User,
    action: AuditAction | str,
    obj: models.Model | None = None,
    person_id: int | None = None,
    basis: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """An unsaved event, for `write` to append with others in one step of the chain (one lock, one insert)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.pk or not actor.is_active:
        raise AnonymousWriteRefused("An audit event needs a signed-in, active user or system account.")
    if person_id is None and obj is not None:
        person_id = _person_id_of(obj)
    return AuditEvent(
        occurred_at=timezone.now(),
        actor=actor,
        action=str(action),
        person_id=person_id,
        object_type=object_type(obj) if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        basis=basis[:64],
        request_id=current_request_id(),
        details=_storable(details or {}),
    )


def write(events: list[AuditEvent]) -> int:
    """Append events made by `event` (and `access.disclosure_events`) together: a search and the people it showed
    take one lock and one insert, not two."""
    AuditEvent.objects.bulk_create(events, batch_size=500)
    return len(events)


def disclosed(
    *,
    actor: User,
    action: AuditAction | str,
    people: Iterable[models.Model],
    basis: str,
    details: dict[str, Any],
    unmatched: int = 0,
) -> int:
    """A list, page or file that names people: one event per person named, in each person's access log, and one
    further event (no person) when it named nobody or some of its rows matched no record (`unmatched`), so that the
    view or download itself is always on the trail. Returns the number of people."""
    people = list(people)
    record_many(actor=actor, action=action, objs=people, basis=basis, details=details)
    if unmatched or not people:
        extra = {**details, "rows_without_a_record": unmatched} if unmatched else {**details, "people": 0}
        record(actor=actor, action=action, basis=basis, details=extra)
    return len(people)


def record_many(
    *,
    actor: User,
    action: AuditAction | str,
    objs: Iterable[models.Model],
    basis: str = "",
    details: dict[str, Any] | None = None,
) -> int:
    """Audit a batch (list views, search results, bulk loads) in one insert."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.pk:
        raise AnonymousWriteRefused("An audit event needs a signed-in user or system account.")
    now = timezone.now()
    rid = current_request_id()
    stored = _storable(details or {})
    events = [
        AuditEvent(
            occurred_at=now,
            actor=actor,
            action=str(action),
            person_id=_person_id_of(o),
            object_type=object_type(o),
            object_id=str(o.pk),
            basis=basis[:64],
            request_id=rid,
            details=stored,
        )
        for o in objs
    ]
    AuditEvent.objects.bulk_create(events, batch_size=500)
    return len(events)


def _storable(value: Any) -> Any:
    """What a user typed (a search, a field's old value) is recorded as typed, except NUL, which PostgreSQL's text and
    jsonb cannot hold: it becomes U+FFFD, so that writing the audit event never fails because of the input."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    return value


# --- the hash chain (ADR 0008) -----------------------------------------------------------------------------------
# Each event's row_hash is SHA-256 over prev_hash and a canonical serialisation of the fields below; prev_hash is the
# row_hash of the event before it in id order (GENESIS for the first). Writers take the chain's lock (PostgreSQL: a
# transaction-level advisory lock, held to commit; SQLite: the write lock BEGIN IMMEDIATE takes), then read the last
# hash and take the next ids, so that chain order is id order.
GENESIS = "0" * 64
CHAIN_LOCK = 0x6F61736361756474  # "oascaudt": the advisory lock key
CHAINED_FIELDS = (
    "id",
    "occurred_at",
    "actor_id",
    "on_behalf_of_id",
    "action",
    "person_id",
    "object_type",
    "object_id",
    "basis",
    "reason",
    "request_id",
    "details",
)
TABLE = "core_auditevent"


def _normal(value: Any) -> Any:
    """JSON as the database gives it back: integral floats read back from jsonb as integers, so both are integers."""
    if isinstance(value, dict):
        return {str(k): _normal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normal(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def normal_details(details: Any) -> Any:
    """The details as stored: through JSON and back (tuples become lists, keys text), then ``_normal``."""
    return _normal(json.loads(json.dumps(details if details is not None else {})))


def _when(value: dt.datetime | str) -> str:
    if isinstance(value, str):  # a raw SQLite value
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _details_text(details: Any) -> str:
    if isinstance(details, str):  # raw JSON text
        details = json.loads(details)
    return json.dumps(_normal(details), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(values: dict[str, Any] | tuple, details_text: str | None = None) -> bytes:
    """The fields of one event (a dict by attribute name, or a tuple in CHAINED_FIELDS order), canonically:
    ``["v1", id, occurred_at, ..., details]`` as compact JSON, keys sorted (``details_text``: the details already
    in that form)."""
    if isinstance(values, dict):
        values = tuple(values[f] for f in CHAINED_FIELDS)
    head = json.dumps(
        ["v1", values[0], _when(values[1]), *values[2:11]], separators=(",", ":"), ensure_ascii=False
    )
    if details_text is None:
        details_text = _details_text(values[11])
    return (head[:-1] + "," + details_text + "]").encode()


def hash_row(values: dict[str, Any] | tuple, prev_hash: str, details_text: str | None = None) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(values, details_text)).hexdigest()


def lock_chain(cursor, vendor: str) -> None:
    """Serialise chain writers until the transaction ends. SQLite: the transaction already holds the write lock."""
    if vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])


def chain_head(cursor) -> str:
    """The row_hash of the last event (GENESIS for none); call with the chain's lock held."""
    cursor.execute(f"SELECT row_hash FROM {TABLE} ORDER BY id DESC LIMIT 1")
    row = cursor.fetchone()
    return row[0] if row else GENESIS


def reserve_ids(cursor, vendor: str, n: int) -> list[int]:
    """n new ids for audit events, ascending; call with the chain's lock held (so ids follow chain order)."""
    if not n:
        return []
    if vendor == "postgresql":
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s) ORDER BY 1",
            [TABLE, n],
        )
        return [r[0] for r in cursor.fetchall()]
    # SQLite (AUTOINCREMENT): one more than the larger of the highest id and the highest ever given; inserting
    # these ids moves sqlite_sequence on
    cursor.execute("SELECT MAX(seq) FROM sqlite_sequence WHERE name = %s", [TABLE])
    seq = cursor.fetchone()[0] or 0
    cursor.execute(f"SELECT MAX(id) FROM {TABLE}")
    start = max(seq, cursor.fetchone()[0] or 0) + 1
    return list(range(start, start + n))


def chain_rows(rows: list[dict[str, Any]], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Give rows ({attribute name: value} for every CHAINED_FIELDS but id) their id, prev_hash and row_hash, in
    order, in place. Call inside ``transaction.atomic`` and insert them in the same transaction."""
    conn = connections[using]
    if not conn.in_atomic_block:
        raise RuntimeError("audit.chain_rows() needs a transaction: the chain's lock is held until it ends")
    with conn.cursor() as cursor:
        lock_chain(cursor, conn.vendor)
        prev = chain_head(cursor)
        ids = reserve_ids(cursor, conn.vendor, len(rows))
    seen: dict[int, tuple[Any, Any, str]] = {}  # the rows of a bulk load often share one details object
    for row, pk in zip(rows, ids, strict=True):
        row["id"] = pk
        given = row.get("details")
        if id(given) not in seen:
            normal = normal_details(given)
            seen[id(given)] = (given, normal, _details_text(normal))
        _, row["details"], text = seen[id(given)]
        row["prev_hash"] = prev
        row["row_hash"] = prev = hash_row(row, prev, text)


def chain(events: list[AuditEvent], *, using: str | None = None) -> None:
    """Chain unsaved AuditEvent instances (sets pk, prev_hash, row_hash); they must be inserted in this
    transaction. ``AuditEvent.save()`` and ``AuditEvent.objects.bulk_create()`` call it."""
    rows = []
    for e in events:
        if e.pk is not None:
            raise ValueError("audit.chain() numbers new events itself; this one already has an id")
        e.details = normal_details(e.details)
        if e.occurred_at is None:
            e.occurred_at = timezone.now()
        rows.append({f: getattr(e, f) for f in CHAINED_FIELDS if f != "id"})
    chain_rows(rows, using=using or DEFAULT_DB_ALIAS)
    for e, row in zip(events, rows, strict=True):
        e.pk, e.prev_hash, e.row_hash = row["id"], row["prev_hash"], row["row_hash"]


def insert_rows(rows: list[dict[str, Any]], *, using: str = DEFAULT_DB_ALIAS) -> list[int]:
    """Chain and insert audit events given as {attribute name: value} (bulk loads: COPY on PostgreSQL,
    executemany on SQLite, no model instances); returns their ids. Missing fields take their defaults."""
    if not rows:
        return []
    conn = connections[using]
    fields = list(AuditEvent._meta.concrete_fields)
    defaults = {f.attname: f.get_default() for f in fields}
    with transaction.atomic(using=using):
        rows = [{**defaults, **row} for row in rows]
        for row in rows:
            row.pop("id", None)
        chain_rows(rows, using=using)
        columns = ", ".join(conn.ops.quote_name(f.column) for f in fields)
        # only date-times and JSON need converting (as fastinsert does); a repeated value is converted once
        cache: dict[tuple[int, int], Any] = {}

        def prep(i, f, v):
            key = (i, id(v))
            if key not in cache:
                cache[key] = (
                    v,
                    json.dumps(v, cls=f.encoder)
                    if f.get_internal_type() == "JSONField"
                    else f.get_db_prep_save(v, conn),
                )
            return cache[key][1]

        kinds = [
            (i, f, f.attname, f.get_internal_type() in {"DateTimeField", "JSONField"})
            for i, f in enumerate(fields)
        ]
        values = [[prep(i, f, row[a]) if convert else row[a] for i, f, a, convert in kinds] for row in rows]
        with conn.cursor() as cursor:
            if conn.vendor == "postgresql":
                with cursor.copy(f"COPY {TABLE} ({columns}) FROM STDIN") as copy:
                    for v in values:
                        copy.write_row(v)
            else:
                marks = ", ".join(["%s"] * len(fields))
                cursor.executemany(f"INSERT INTO {TABLE} ({columns}) VALUES ({marks})", values)
    return [row["id"] for row in rows]


def verify(*, batch: int = 20000, using: str = DEFAULT_DB_ALIAS) -> Iterator[tuple[int, int, str]]:
    """Walk the chain in id order. Yields (count so far, id, problem) for each broken link ("" problem for a
    progress tick at the end of each batch). Read with keyset batches, so millions of rows take constant memory."""
    prev = GENESIS
    count = 0
    last_id = 0
    qs = AuditEvent.objects.using(using).order_by("id").values_list(*CHAINED_FIELDS, "prev_hash", "row_hash")
    while True:
        rows = list(qs.filter(id__gt=last_id)[:batch])
        if not rows:
            return
        for row in rows:
            count += 1
            pk, stored_prev, stored = row[0], row[-2], row[-1]
            if stored_prev != prev:
                what = (
                    "the first event does not start the chain"
                    if prev == GENESIS and count == 1
                    else "prev_hash does not match the row_hash of the event before it (an event before it was "
                    "deleted, inserted or changed)"
                )
                yield count, pk, f"{what}: prev_hash {stored_prev or '(empty)'}, expected {prev}"
            computed = hash_row(row[:-2], stored_prev)
            if computed != stored:
                yield (
                    count,
                    pk,
                    (
                        f"row_hash does not match its fields (the event was changed, or written "
                        f"without the chain): stored {stored or '(empty)'}, computed {computed}"
                    ),
                )
            prev = stored
            last_id = pk
        yield count, last_id, ""


def _person_id_of(obj: models.Model) -> int | None:
    if obj._meta.label_lower == "people.person":
        return obj.pk
    return getattr(obj, "person_id", None)


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Field-level differences, as [old, new] pairs, for the audit details."""
    return {k: [_jsonable(before.get(k)), _jsonable(v)] for k, v in after.items() if before.get(k) != v}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


# --- test support: bulk set-up code (factories, the demo build) may opt out of the safety net.
_exempt = threading.local()


@contextmanager
def exempt_from_safety_net():
    """Used only by test factories and bulk loaders that write their own summary audit event."""
    depth = getattr(_exempt, "depth", 0)
    _exempt.depth = depth + 1
    try:
        yield
    finally:
        _exempt.depth = depth


def is_exempt() -> bool:
    return getattr(_exempt, "depth", 0) > 0


# --- audited bulk writes (ADR 0003): a QuerySet's update()/delete() and bulk_create()/bulk_update() send no
# post_save/post_delete, so the safety net cannot see them. The managers of sensitive models (core.sensitive) refuse
# them unless the thread is inside `audit.bulk(...)`, which names who is writing and why and is audited, or inside
# exempt_from_safety_net() (test factories, the demo build). Raw SQL cannot be caught here: the architecture test
# allows it only in a few modules (core/tests/test_architecture.py, RAW_SQL_ALLOWED).
class UnauditedBulkWrite(PermissionError):
    """A bulk write on a sensitive model outside an `audit.bulk()` block."""


class BulkBlock:
    """One open `audit.bulk()` block: who writes, why, and the rows each bulk write touched (for the summary)."""

    def __init__(
        self,
        *,
        actor: User,
        action: str,
        reason: str,
        basis: str,
        obj: models.Model | None,
        details: dict[str, Any],
        summary: bool,
    ):
        self.actor, self.action, self.reason, self.basis, self.obj = actor, action, reason, basis, obj
        self.details, self.summary = details, summary
        self.writes: dict[str, dict[str, int]] = {}  # model label -> {operation: rows}

    def note(self, model: type[models.Model], operation: str, rows: int) -> None:
        ops = self.writes.setdefault(object_type(model), {})
        ops[operation] = ops.get(operation, 0) + int(rows)


_bulk = threading.local()


@contextmanager
def bulk(
    *,
    actor: User,
    action: AuditAction | str,
    reason: str,
    basis: str = "",
    obj: models.Model | None = None,
    details: dict[str, Any] | None = None,
    summary: bool = True,
) -> Iterator[BulkBlock]:
    """Allow bulk writes on sensitive models in this thread, in one transaction, and audit them.

    With ``summary`` (the default) one event is written when the block ends without an error: the actor, action,
    reason and ``obj`` given, with ``details`` plus ``"bulk_writes"``: rows per model and operation. Callers that
    audit each object themselves (``record_many``, or the merge's events) pass ``summary=False``; the block still
    refuses an anonymous actor and a blank reason. ``block.details`` may be added to inside the block."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.pk or not actor.is_active:
        raise AnonymousWriteRefused("A bulk write needs a signed-in, active user or system account.")
    if not reason or not reason.strip():
        raise ValueError("audit.bulk() needs the reason for the bulk write")
    block = BulkBlock(
        actor=actor,
        action=str(action),
        reason=reason,
        basis=basis,
        obj=obj,
        details=dict(details or {}),
        summary=summary,
    )
    stack = _bulk.__dict__.setdefault("stack", [])
    with transaction.atomic():
        stack.append(block)
        try:
            yield block
        finally:
            stack.pop()
        if summary:
            record(
                actor=actor,
                action=action,
                obj=obj,
                basis=basis,
                reason=reason,
                details={**block.details, "bulk_writes": block.writes},
            )


def current_bulk() -> BulkBlock | None:
    """The innermost open `audit.bulk()` block of this thread, if any."""
    stack = getattr(_bulk, "stack", None)
    return stack[-1] if stack else None


def allow_bulk_write(model: type[models.Model], operation: str) -> BulkBlock | None:
    """Called by the sensitive managers before a bulk write: the open block (None when exempt), or raises."""
    block = current_bulk()
    if block is not None or is_exempt():
        return block
    raise UnauditedBulkWrite(
        f"{object_type(model)}: {operation}() writes rows without an audit event; do it inside "
        f"`with audit.bulk(actor=..., action=..., reason=...)` (or save each object and call audit.record)"
    )
