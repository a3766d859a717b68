"""Bulk inserts for the import's loads: COPY on PostgreSQL, executemany on SQLite, ids reserved first.

``QuerySet.bulk_create`` spends most of its time compiling each value through every field's ``get_db_prep_save``
(about 100 microseconds a row for our models), and a multi-row ``INSERT ... VALUES (%s, ...), ...`` is slow on
PostgreSQL too: psycopg's client-side binding parses the long statement in Python. Here:

* the ids are reserved first, so no ``RETURNING`` is needed: on PostgreSQL from the table's own sequence
  (``nextval``, safe alongside other writers), on SQLite from ``sqlite_sequence`` / ``MAX(id)`` inside the
  import's transaction (``transaction_mode`` IMMEDIATE holds the write lock for the whole of it; outside a
  transaction the multi-row ``INSERT ... RETURNING`` is used instead);
* the rows go in with ``COPY ... FROM STDIN`` on PostgreSQL and one ``executemany`` on SQLite (other databases:
  multi-row ``INSERT ... RETURNING``);
* values are converted only for the field types that need it (date-times, decimals, JSON); plain text, integers,
  dates and booleans go to the driver as they are, which SQLite and PostgreSQL both accept.

Signals are not sent (nor are they by ``bulk_create``): the importer writes its own audit events.
"""

from __future__ import annotations

import json
from operator import itemgetter

from django.db import connections, router
from django.db.models import Model
from django.utils import timezone

CONVERT = {"DateTimeField", "DecimalField", "JSONField"}
MAX_PARAMS = 30000  # below SQLite's 32,766 and PostgreSQL's 65,535 bind parameters


def fast_insert(model: type[Model], objs: list[Model]) -> None:
    """Insert ``objs`` (unsaved instances of ``model``) and set their primary keys."""
    if not objs:
        return
    alias = router.db_for_write(model)
    conn = connections[alias]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for o in objs:
                setattr(o, f.attname, now)
    attnames = [f.attname for f in fields]
    values = [[getattr(o, a) for a in attnames] for o in objs]
    ids = _insert(conn, model, fields, values)
    for o, pk in zip(objs, ids, strict=True):
        o.pk = pk
        o._state.adding = False
        o._state.db = alias


def fast_insert_rows(model: type[Model], rows: list[dict]) -> list[int]:
    """Insert rows given as {attribute name: value} (missing fields take their defaults); returns the new ids.

    No model instances are made, which is most of the cost of ``bulk_create`` for hundreds of thousands of rows.
    """
    if not rows:
        return []
    conn = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        else:
            defaults[f.attname] = f.get_default()  # "" for text fields without a default, None for nullable ones
    get = itemgetter(*[f.attname for f in fields])
    if len(fields) == 1:
        values = [(get({**defaults, **row}),) for row in rows]
    else:
        values = [get({**defaults, **row}) for row in rows]
    return _insert(conn, model, fields, values)


def _insert(conn, model: type[Model], fields: list, values: list) -> list[int]:
    """Insert value rows (one value per field, in order, not yet converted); returns the new ids in order."""
    _convert(conn, fields, values)
    meta = model._meta
    qn = conn.ops.quote_name
    table, pk = qn(meta.db_table), qn(meta.pk.column)
    columns = ", ".join(qn(f.column) for f in fields)
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            ids = _reserve_postgresql(cursor, table, meta.pk.column, len(values))
            with cursor.copy(f"COPY {table} ({pk}, {columns}) FROM STDIN") as copy:
                write = copy.write_row
                for pk_value, row in zip(ids, values, strict=True):
                    write((pk_value, *row))
            return ids
        if conn.vendor == "sqlite" and conn.in_atomic_block:
            cursor.execute("SELECT MAX(seq) FROM sqlite_sequence WHERE name = %s", [meta.db_table])
            seq = cursor.fetchone()[0] or 0
            cursor.execute(f"SELECT MAX({pk}) FROM {table}")
            first = max(seq, cursor.fetchone()[0] or 0) + 1
            ids = list(range(first, first + len(values)))
            marks = ", ".join(["%s"] * (len(fields) + 1))
            cursor.executemany(f"INSERT INTO {table} ({pk}, {columns}) VALUES ({marks})",
                               [(pk_value, *row) for pk_value, row in zip(ids, values, strict=True)])
            return ids
        ids = []
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        size = max(1, MAX_PARAMS // len(fields))
        for i in range(0, len(values), size):
            chunk = values[i:i + size]
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([one] * len(chunk))
                           + f" RETURNING {pk}", [v for row in chunk for v in row])
            ids.extend(r[0] for r in cursor.fetchall())
        return ids


def _reserve_postgresql(cursor, table: str, pk: str, n: int) -> list[int] | range:
    """n new ids from the table's sequence (nextval, so other sessions never get the same ones).

    The sequence is looked up once: ``nextval(pg_get_serial_sequence(...))`` in the select list would look it up
    again for every id, which made reserving a million ids take seconds instead of a fraction of one."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT MIN(id), MAX(id) FROM (SELECT nextval(%s::regclass) AS id FROM generate_series(1, %s)) ids",
                   [sequence, n])
    low, high = cursor.fetchone()
    if high - low + 1 == n:  # the usual case: nobody else took an id from the sequence meanwhile
        return range(low, high + 1)
    # someone did: these ids are ours but not a run; take another n one by one (the first n are left unused)
    cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, n])
    return [r[0] for r in cursor.fetchall()]


def _convert(conn, fields: list, values: list) -> None:
    """Prepare date-time, decimal and JSON values for the database, in place (rows become lists where needed).

    The same value object often repeats (one details dict, one timestamp, cached decimals): it is converted once."""
    positions = [(i, f) for i, f in enumerate(fields) if f.get_internal_type() in CONVERT]
    for i, f in positions:
        last, prepared = None, None
        json_text = conn.vendor == "postgresql" and f.get_internal_type() == "JSONField"
        for n, row in enumerate(values):
            v = row[i]
            if v is None:
                continue
            if v is not last:
                last, prepared = v, f.get_db_prep_save(v, conn)
                if json_text:  # COPY takes JSON as text: dump it once, not once a row
                    prepared = json.dumps(v, cls=f.encoder)
            if not isinstance(row, list):
                row = values[n] = list(row)
            row[i] = prepared
