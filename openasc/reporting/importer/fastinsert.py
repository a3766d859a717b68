"""Bulk inserts for the import's loads: COPY on PostgreSQL, executemany on SQLite, ids reserved first.

``QuerySet.bulk_create`` spends most of its time compiling each value through every field's ``get_db_prep_save``
(about 100 microseconds a row for our models), and a multi-row ``INSERT ... VALUES (%s, ...), ...`` is slow on
PostgreSQL too: psycopg's client-side binding parses the long statement in Python. Here:

* no ``RETURNING`` is needed: on PostgreSQL the ids are reserved first from the table's own sequence (``nextval``,
  safe alongside other writers); on SQLite, inside the import's transaction (``transaction_mode`` IMMEDIATE holds
  the write lock for the whole of it), they follow from ``sqlite_sequence`` / ``MAX(id)`` and are checked after the
  insert (outside a transaction the multi-row ``INSERT ... RETURNING`` is used instead);
* the rows go in with ``COPY ... FROM STDIN`` on PostgreSQL and one ``executemany`` on SQLite (other databases:
  multi-row ``INSERT ... RETURNING``);
* values are converted only for the field types that need it (date-times, decimals, JSON); plain text, integers,
  dates and booleans go to the driver as they are, which SQLite and PostgreSQL both accept.

Signals are not sent (nor are they by ``bulk_create``): the importer writes its own audit events.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from operator import itemgetter

from django.db import connection, connections, router
from django.db.models import Model
from django.utils import timezone

CONVERT = {"DateTimeField", "DecimalField", "JSONField"}
MAX_PARAMS = 30000  # below SQLite's 32,766 and PostgreSQL's 65,535 bind parameters


@contextmanager
def moving_in(models: list[type[Model]]) -> Iterator[list[str]]:
    """Inside a transaction: for each of ``models`` whose table is empty (a council moving in), take its indexes
    off (and on PostgreSQL its foreign keys) while the block fills it, and put them back at the end of the block.

    Building an index over a full table is several times faster than keeping it up row by row, and on PostgreSQL
    one check of a foreign key over the table (``ADD CONSTRAINT``) is faster than a check per row at commit. Put
    back, they check what they always check: a duplicate or a missing parent fails the import. If the block fails,
    the transaction's rollback restores them (both databases change their schema inside transactions). Only
    empty tables: on a table in use, dropping an index would slow or block everyone else for the whole import.
    Yields the names of the tables it took them off."""
    if not connection.in_atomic_block:
        raise RuntimeError("moving_in() needs a transaction: its changes must be undone if the import fails")
    restore: list[str] = []
    tables = []
    with connection.cursor() as cursor:
        _checks_now(cursor)
        for model in models:
            if model._default_manager.exists():
                continue
            table = model._meta.db_table
            tables.append(table)
            restore += _take_off(cursor, table)
    yield tables
    with connection.cursor() as cursor:
        _checks_now(cursor)
        for sql in restore:
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # as Django makes them: checked at commit


def _checks_now(cursor) -> None:
    """PostgreSQL: run the foreign-key checks the transaction has deferred so far (it cannot alter a table with
    checks pending)."""
    if connection.vendor == "postgresql":
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _take_off(cursor, table: str) -> list[str]:
    """Drop a table's indexes (not its primary key, nor those a constraint owns) and, on PostgreSQL, its foreign
    keys and the unique constraints no foreign key refers to; returns the statements that put them back."""
    qn = connection.ops.quote_name
    if connection.vendor == "sqlite":
        # indexes with SQL text: those Django made (an index a column's own UNIQUE makes has none, and stays)
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
            [table],
        )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f"DROP INDEX {qn(name)}")
        return [sql for _, sql in found]
    if connection.vendor != "postgresql":
        return []
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)""",
        [qn(table)],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
        "AND contype = 'f'",
        [qn(table)],
    )
    keys = cursor.fetchall()
    # unique constraints no foreign key leans on (an event's key, a person's LA id): checked once, at the end
    cursor.execute(
        """
        SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
        WHERE c.conrelid = %s::regclass AND c.contype = 'u'
          AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)""",
        [qn(table)],
    )
    uniques = cursor.fetchall()
    for name, _ in keys + uniques:
        cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {qn(name)}")
    return [sql for _, sql in indexes] + [
        f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}"
        for name, definition in uniques + keys
    ]


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
            defaults[f.attname] = (
                f.get_default()
            )  # "" for text fields without a default, None for nullable ones
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
            return _insert_sqlite(cursor, meta.db_table, table, pk, columns, len(fields), values)
        ids = []
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        size = max(1, MAX_PARAMS // len(fields))
        for i in range(0, len(values), size):
            chunk = values[i : i + size]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES "
                + ", ".join([one] * len(chunk))
                + f" RETURNING {pk}",
                [v for row in chunk for v in row],
            )
            ids.extend(r[0] for r in cursor.fetchall())
        return ids


def _insert_sqlite(cursor, name: str, table: str, pk: str, columns: str, width: int, values: list) -> range:
    """Insert the rows and let SQLite number them: Django's SQLite tables are AUTOINCREMENT, so each new row takes
    one more than the larger of the table's highest id and the highest it ever gave, and the rows of one
    ``executemany`` inside the import's transaction (which holds the write lock) take consecutive ids. That is
    checked afterwards against the table's sequence: a gap would mean the ids are not the ones returned."""
    first = next_sqlite_id(cursor, name, table, pk)
    marks = ", ".join(["%s"] * width)
    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)
    cursor.execute("SELECT MAX(seq) FROM sqlite_sequence WHERE name = %s", [name])
    last = cursor.fetchone()[0]
    if last != first + len(values) - 1:
        raise RuntimeError(
            f"{name}: expected ids {first} to {first + len(values) - 1}, the sequence is at {last}"
        )
    return range(first, last + 1)


def next_sqlite_id(cursor, name: str, table: str, pk: str) -> int:
    """The id SQLite gives the next row of an AUTOINCREMENT table (``name``; ``table`` and ``pk`` quoted): one more
    than the larger of its highest id and the highest it ever gave."""
    cursor.execute("SELECT MAX(seq) FROM sqlite_sequence WHERE name = %s", [name])
    seq = cursor.fetchone()[0] or 0
    cursor.execute(f"SELECT MAX({pk}) FROM {table}")
    return max(seq, cursor.fetchone()[0] or 0) + 1


def _reserve_postgresql(cursor, table: str, pk: str, n: int) -> list[int] | range:
    """n new ids from the table's sequence (nextval, so other sessions never get the same ones).

    The sequence is looked up once: ``nextval(pg_get_serial_sequence(...))`` in the select list would look it up
    again for every id, which made reserving a million ids take seconds instead of a fraction of one."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
    sequence = cursor.fetchone()[0]
    cursor.execute(
        "SELECT MIN(id), MAX(id) FROM (SELECT nextval(%s::regclass) AS id FROM generate_series(1, %s)) ids",
        [sequence, n],
    )
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
