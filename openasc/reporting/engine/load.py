"""Load CLD CSV files ("the CLD file directly" route) into a typed DuckDB table.

Everything is read as VARCHAR first so that nothing is silently coerced by type sniffing, then
cast column by column: blank -> NULL; dates accepted as ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (an
unparseable date becomes NULL); money fields TRY_CAST to DECIMAL(18,2).  No other validation is
done here (the strict importer is separate).  Uses DuckDB's CSV reader, so millions of rows load
in seconds.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb

from .schema import ALL_COLUMNS, DATE, HEADER_LOOKUP, INTEGER, MONEY, VARCHAR, normalise_header

DATE_FORMATS = [
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y/%m/%d",
]


def _q(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# The comment load_cld_csv puts on the table it makes: its text is already trimmed, with blanks and the text 'NULL'
# as NULL, so the engines read its columns as they are instead of cleaning every value again (a second a pass at
# 200,000 people).
NORMALISED = "openasc: CLD columns typed, trimmed, blank and 'NULL' as NULL"


def cast_expr(src: str, typ: str) -> str:
    """SQL casting a VARCHAR expression ``src`` to the engine type ``typ`` (blank and the text 'NULL' -> NULL)."""
    v = f"NULLIF(NULLIF(TRIM({src}), ''), 'NULL')"
    if typ == DATE:
        fmts = "[" + ", ".join(_sql_str(f) for f in DATE_FORMATS) + "]"
        # ISO dates (nearly all of them) by the fast cast, which allows surrounding spaces and takes 'NULL' and
        # blanks as NULL; only what it cannot read goes through TRY_STRPTIME and the other formats
        return f"COALESCE(TRY_CAST({src} AS DATE), CAST(TRY_STRPTIME({v}, {fmts}) AS DATE))"
    if typ == MONEY:
        return f"TRY_CAST(REPLACE(REPLACE({v}, ',', ''), '£', '') AS DECIMAL(18,2))"
    if typ == INTEGER:
        return f"TRY_CAST(TRY_CAST({v} AS DOUBLE) AS INTEGER)"
    return v


def load_cld_csv(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[str | Path],
    table: str = "cld_input",
    columns: Collection[str] | None = None,
) -> int:
    """Read CLD CSV file(s) (optionally .gz) into ``table``; returns the number of rows loaded.

    The header row must hold the submitted field names (e.g. "Reporting Period Start Date");
    matching ignores case and repeated spaces, and the database names are accepted too.
    Columns missing from the files are created as NULL; unknown columns are ignored. ``columns`` (database
    names) limits what is read and cast to the columns a caller uses (the ASCOF measures use a third of them);
    the others are NULL.
    """
    paths = [str(p) for p in paths]
    if not paths:
        raise ValueError("no CLD files given")
    for p in paths:
        if not Path(p).exists():
            raise FileNotFoundError(p)
    file_list = "[" + ", ".join(_sql_str(p) for p in paths) + "]"
    reader = (
        f"read_csv({file_list}, header=true, all_varchar=true, union_by_name=true, "
        f"auto_detect=true, filename=false, null_padding=true)"
    )
    cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]
    found: dict[str, str] = {}
    for c in cols:
        db = HEADER_LOOKUP.get(normalise_header(c))
        if db and db not in found:
            found[db] = c
    if "Event_Type" not in found and "Event_Start_Date" not in found:
        raise ValueError(
            "the CSV header does not look like CLD (no 'Event Type' / 'Event Start Date' column); "
            f"found columns: {cols[:8]}..."
        )
    select = []
    for _sub, db, typ in ALL_COLUMNS:
        if db in found and (columns is None or db in columns):
            select.append(f"{cast_expr(_q(found[db]), typ)} AS {_q(db)}")
        else:
            select.append(f"CAST(NULL AS {typ}) AS {_q(db)}")
    con.execute(f"DROP TABLE IF EXISTS {_q(table)}")
    con.execute(f"CREATE TABLE {_q(table)} AS SELECT {', '.join(select)} FROM {reader}")
    con.execute(f"COMMENT ON TABLE {_q(table)} IS {_sql_str(NORMALISED)}")
    return con.execute(f"SELECT COUNT(*) FROM {_q(table)}").fetchone()[0]


@contextmanager
def scratch(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Do a computation's work in one transaction that is rolled back at the end.

    The engines make and drop many temporary tables. Committed one statement at a time, each table's data is
    written to the database's storage and freed again later, at some following commit: at 200,000 people that
    cost about 2 s, landing on whichever statement came next. Nothing the engines make is kept after the answer
    has been read, so the tables are never committed: the rollback discards them at once."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    finally:
        con.execute("ROLLBACK")


def is_normalised(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether ``table`` was made by ``load_cld_csv`` (its values need no cleaning)."""
    row = con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = ?", [table]).fetchone()
    return bool(row) and row[0] == NORMALISED


def select_columns(
    con: duckdb.DuckDBPyConnection, table: str, used: Collection[str], default_la_code: str
) -> str:
    """SQL select list giving the CLD columns ``used`` (database names) of ``table`` as the engines read them.

    Text is trimmed, with blanks and the text 'NULL' as NULL (DHSC's cleaning), other columns cast to their engine
    types; a column the table lacks is NULL, and a missing LA code is ``default_la_code``. A table from
    ``load_cld_csv`` is already like that, so its columns are taken as they are."""
    cols = {r[0].lower(): r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {_q(table)}").fetchall()}
    clean = is_normalised(con, table)
    parts = []
    for _sub, db, typ in ALL_COLUMNS:
        if db not in used:
            continue
        src = cols.get(db.lower())
        if src is None:
            value = f"CAST(NULL AS {typ})"
        elif clean:
            value = _q(src)
        elif typ == VARCHAR:
            value = f"NULLIF(NULLIF(TRIM(CAST({_q(src)} AS VARCHAR)), ''), 'NULL')"
        else:
            value = f"CAST({_q(src)} AS {typ})"
        if db == "LA_Code":
            value = f"COALESCE({value if src else 'NULL'}, {_sql_str(default_la_code)})"
        parts.append(f"{value} AS {db}")
    return ", ".join(parts)
