"""The check of clean, well-formed CLD files as set operations in DuckDB: the same result as the row checker
(``check.Checker``), several times faster.

A council's file is checked each time it is loaded, and a file that loads is one with no errors: for it, every
check can run over the distinct values of a column or as one aggregate over all the rows, and de-duplication as a
grouping. ``check_clean(checker, paths, names)`` does that and fills the checker's plan (people, events, carer links,
warnings, row count) exactly as the row checker would have, or returns False, leaving the plan untouched, as soon
as anything is not plainly right: any value the row checker would reject, a file it would read differently (blank
lines, line breaks inside quoted values, a header spanning lines), or anything DuckDB cannot read. The row checker
then checks the files from the start and words every error. So a file with errors loses nothing by the fast path:
its report is the row checker's, row by row.

Where a value's meaning is decided (defined-list classification and Release 1 mapping, date and money parsing, whole
numbers, lengths) it is decided by the row checker's own code, on each distinct value; the SQL only finds where
the values are. Dates are parsed in SQL for ordering and de-duplication, and that parse is compared with the row
checker's on every distinct value before it is used.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gzip
from collections.abc import Callable
from pathlib import Path

import duckdb

from openasc.reporting.engine.refdata import sql_quote

from .check import (
    CARER_TYPES,
    CROPPED,
    EVENT_TYPES,
    FIELDS,
    INT_RE,
    LINKED,
    MAX_DATE,
    MIN_DATE,
    OUTCOME_HIERARCHY,
    P_ASSESSMENT,
    P_CLIENT,
    P_COMPONENT,
    P_DOB,
    P_DOD,
    P_END,
    P_EVENT_TYPE,
    P_LA,
    P_NHS,
    P_OUTCOME,
    P_ROUTE,
    P_RPE,
    P_RPS,
    P_SERVICE,
    P_START,
    POS,
    Checker,
    Warning_,
    header_problems,
    is_gzip,
    open_text,
    read_header,
    two_la_ids,
)
from .rules import DATE_FIELDS, INTEGER_FIELDS, MONEY_FIELDS

DATE_POS = [POS[n] for n in DATE_FIELDS]
MONEY_POS = [POS[n] for n in MONEY_FIELDS]
INT_POS = [POS[n] for n in INTEGER_FIELDS]
# Parts of the unique event key compared without case (as the row checker's str.lower()): they must be plain ASCII
# for DuckDB's lower() to agree with Python's.
LOWERED = [P_ROUTE, P_ASSESSMENT, P_COMPONENT]
P_HOURS = POS["Total Hrs Caring per week"]
CHUNK = 1 << 24
SEPARATOR = "\x1f"  # the unit separator
NO_NULL = "\n\n"  # read_csv's text for NULL: a value no file the set check takes can hold (see _check)
PLAIN = bytes(range(32, 127)) + b"\r\n"  # the bytes of a plain file (see _scan)
CARERS_SQL = ", ".join(
    sql_quote(c) for c in CARER_TYPES
)  # the carers' client types, as a list for SQL's IN (...)


class NotClean(Exception):
    """Something the row checker must look at (an error, or a file it would read differently)."""


def _scan(path: Path) -> tuple[int, bool, bool]:
    """Line breaks in the (decompressed) file, whether it is gzipped, and whether it is plain: printable ASCII and
    line breaks only (a byte order mark at the start allowed, every carriage return before a line feed). In a plain
    file no value can start or end with whitespace other than spaces, so ``_check_ends`` has nothing to find."""
    gz = is_gzip(path)
    opener = gzip.open if gz else open
    breaks, last, plain, returns, crlf = 0, b"", True, 0, 0
    with opener(path, "rb") as f:
        first = True
        while chunk := f.read(CHUNK):
            breaks += chunk.count(b"\n")
            if plain:
                text = chunk[len(codecs.BOM_UTF8) :] if first and chunk.startswith(codecs.BOM_UTF8) else chunk
                plain = not text.translate(None, PLAIN)
                if (
                    b"\r" in chunk or last == b"\r"
                ):  # counting them costs 0.8 s at 671 MB: only when there are any
                    returns += chunk.count(b"\r")
                    crlf += chunk.count(b"\r\n") + (last == b"\r" and chunk[:1] == b"\n")
            first = False
            last = chunk[-1:]
    return breaks + (0 if last in (b"\n", b"") else 1), gz, plain and returns == crlf


def check_clean(
    checker: Checker,
    paths: list[Path],
    names: list[str],
    on_progress: Callable[[int, int], None] = lambda rows, nbytes: None,
    *,
    stage: bool = False,
) -> bool:
    """Check the files as sets; True when they are clean and the checker's plan is filled, else False.

    With ``stage``, the rows to load stay in DuckDB instead (``plan.staged``, for ``setload``: a first import), and
    the plan's people, events and links stay empty; ``Staged.finish`` then does what ``Checker.finish`` does."""
    con = duckdb.connect()
    staged = None
    try:
        con.execute("SET enable_progress_bar = false")
        result = _check(con, checker, paths, names, on_progress)
        if stage:
            staged = Staged(con, checker)
        else:
            result["kept"] = _fetch(con)
    except (NotClean, duckdb.Error, UnicodeDecodeError, csv.Error, OSError, EOFError, StopIteration):
        return False
    finally:
        if staged is None:
            con.close()  # before the plan is built: DuckDB's copy of the files is freed first (a gigabyte at 200,000)
    plan = checker.plan
    if staged is None:
        try:
            result.update(_plan(checker, result.pop("kept")))
        except NotClean:
            return False
        plan.people, plan.events, plan.links = result["people"], result["events"], result["links"]
    else:
        plan.staged = staged
    plan.rows = result["rows"]
    for w in result["warnings"]:
        plan.warnings[(w.field, w.value, w.reason)] = w
    checker.file = names[-1]  # as after the row checker's last file (warnings made at the end name it)
    return True


class Staged:
    """The rows a clean import would load, kept in DuckDB (tables ``ev``, ``pe`` and ``li``, see ``_stage``) for a
    load that never makes them Python objects (``setload``). Close it when done: it holds the files' values."""

    def __init__(self, con, checker: Checker):
        self.con, self.checker = con, checker
        self.events = con.execute("SELECT count(*) FROM ev").fetchone()[0]

    def finish(self) -> None:
        """``Checker.finish`` on the staged rows: people are already merged (the person id is worked out from the
        NHS number an LA person id is given with anywhere in the files); an event open in an earlier submission but
        missing from the latest is ended at the end of the last reporting period it appeared in."""
        con, checker = self.con, self.checker
        far_past = f"DATE '{MIN_DATE.isoformat()}'"
        submissions, latest = con.execute(
            f"SELECT count(DISTINCT COALESCE(v{P_RPE}, {far_past})), "
            f"max(COALESCE(v{P_RPE}, {far_past})) FROM ev"
        ).fetchone()
        plan = checker.plan
        plan.submissions = submissions
        if latest is None or latest == MIN_DATE or submissions < 2:
            return
        cropped = f"v{P_END} IS NULL AND v{P_RPE} IS NOT NULL AND v{P_RPE} < DATE '{latest.isoformat()}'"
        count, first_row = con.execute(f"SELECT count(*), arg_min(n, ord) FROM ev WHERE {cropped}").fetchone()
        if not count:
            return
        con.execute(f"UPDATE ev SET v{P_END} = v{P_RPE} WHERE {cropped}")
        plan.cropped = count
        plan.warnings[("Event End Date", "", CROPPED)] = Warning_(
            "Event End Date", "", CROPPED, count, checker.file, first_row
        )

    def close(self) -> None:
        self.con.close()


def _check(con, checker: Checker, paths, names, on_progress) -> dict:
    rules = checker.rules
    warnings: list[tuple[tuple, Warning_]] = []  # (order, warning)
    parts = []
    done_bytes = done_rows = 0
    plain = True
    for fi, path in enumerate(paths):
        text, _raw = open_text(path)
        with text:
            header = next(csv.reader(text))
        idx, _unknown = read_header(header)
        if (
            idx[P_EVENT_TYPE] < 0
            or idx[POS["Event Start Date"]] < 0
            or (idx[P_NHS] < 0 and idx[P_LA] < 0)
            or idx[P_RPE] < 0
        ):
            raise NotClean
        if header_problems(header):  # a column that is not a CLD field, or a field given twice: an error
            raise NotClean
        lines, gz, plain_file = _scan(path)
        plain = plain and plain_file
        # One column more than the header has: a value there is a row too long. No value reads as NULL (nullstr
        # is two line breaks, which no value of a file taken here can be), so NULL in the header's last column is a
        # row cut short (null_padding) and NULL in the extra column a row of the right length. strict_mode sends
        # quotes the row checker (csv strict) would refuse, and a quoted value never closed, to the row checker.
        width = len(header)
        columns = "{" + ", ".join(f"'c{j}': 'VARCHAR'" for j in range(width + 1)) + "}"
        # One copy of the file's values (the fields it has, cleaned), in file order: its rowid gives the row in the
        # file. trim() takes spaces off; in a file that is not plain ASCII (see _scan), values with any other
        # whitespace at either end are looked at below (_check_ends). A row with nothing in it needs no check of its
        # own: it has no event type, which fails the row checks.
        select = ", ".join(
            f"NULLIF(NULLIF(trim(c{j}), ''), 'NULL') AS f{p}" if j >= 0 else f"CAST(NULL AS VARCHAR) AS f{p}"
            for p, j in enumerate(idx)
        )
        con.execute(
            f"CREATE TABLE t{fi} AS SELECT {select}, (c{width - 1} IS NULL OR c{width} IS NOT NULL) AS wrong_width "
            f"FROM read_csv({sql_quote(str(path))}, header = true, "
            f"auto_detect = false, delim = ',', quote = '\"', escape = '\"', columns = {columns}, "
            f"null_padding = true, strict_mode = true, nullstr = {sql_quote(NO_NULL)}, "
            f"compression = '{'gzip' if gz else 'none'}', all_varchar = true)"
        )
        rows, wrong = con.execute(f"SELECT count(*), count(*) FILTER (wrong_width) FROM t{fi}").fetchone()
        if (
            rows != lines - 1
        ):  # blank lines, or line breaks inside values: as the row checker reads it, or not
            raise NotClean
        if wrong:  # a row with fewer or more fields than the header: the row checker words it
            raise NotClean
        parts.append(f"SELECT {fi} AS fi, rowid + 2 AS n, * EXCLUDE (wrong_width) FROM t{fi}")
        done_bytes += path.stat().st_size
        done_rows += rows
        on_progress(done_rows, done_bytes)
    con.execute("CREATE VIEW t AS " + " UNION ALL ".join(parts))
    total = done_rows
    if not plain:
        _check_ends(con)

    mapped = _check_values(con, checker, warnings, names)
    _check_rows(con, rules)
    _nhs_with_two_la_ids(con, warnings, names)
    _stage(con, mapped)
    return {"rows": total, "warnings": [w for _, w in sorted(warnings, key=lambda x: x[0])]}


def _check_ends(con) -> None:
    """The row checker strips every value with str.strip(), which removes more than spaces (tabs, line breaks,
    no-break spaces, ...): a value starting or ending with anything but printable ASCII is compared with its
    str.strip(), and any difference sends the files to the row checker."""

    def odd(x: str) -> str:
        return (
            f"(unicode({x}) < 33 OR unicode({x}) > 126 OR unicode(right({x}, 1)) < 33 "
            f"OR unicode(right({x}, 1)) > 126)"
        )

    sql = " UNION ALL ".join(
        f"SELECT DISTINCT f{p} AS v FROM t WHERE {odd(f'f{p}')}" for p in range(len(FIELDS))
    )
    for (v,) in con.execute(sql).fetchall():
        if v != v.strip():
            raise NotClean


def _distinct(con, positions: list[int]) -> dict[int, list[str]]:
    if not positions:
        return {}
    sql = " UNION ALL ".join(
        f"SELECT DISTINCT {p} AS p, f{p} AS v FROM t WHERE f{p} IS NOT NULL" for p in positions
    )
    out: dict[int, list[str]] = {p: [] for p in positions}
    for p, v in con.execute(sql).fetchall():
        out[p].append(v)
    return out


def _first(con, p: int, values: list[str]) -> dict[str, tuple[int, int, int]]:
    """For each value of field p: (count of rows, file index, row) of its first row."""
    con.execute("CREATE OR REPLACE TEMP TABLE _vals (v VARCHAR)")
    con.executemany("INSERT INTO _vals VALUES (?)", [(v,) for v in values])
    return {
        v: (c, fi, n)
        for v, c, fi, n in con.execute(
            f"SELECT f{p}, count(*), min({{'fi': fi, 'n': n}}).fi, min({{'fi': fi, 'n': n}}).n "
            f"FROM t SEMI JOIN _vals ON f{p} = _vals.v "
            f"GROUP BY f{p}"
        ).fetchall()
    }


def _check_values(con, checker: Checker, warnings: list, names: list[str]) -> dict[int, dict[str, str]]:
    """Every distinct value by the row checker's own rules; returns the Release 1 values to replace, by field."""
    coded = dict(checker.coded)
    lengths = {POS[name]: m for name, m in checker.rules.max_length.items() if m and name in POS}
    wanted = sorted(set(coded) | set(DATE_POS) | set(MONEY_POS) | set(INT_POS))
    values = _distinct(con, wanted)
    replace: dict[int, dict[str, str]] = {}
    for p, lst in coded.items():
        warned = {}
        for v in values[p]:
            stored, status, reason = checker._classify(lst, v)
            if status == "error":
                raise NotClean
            if status == "warn":
                warned[v] = (stored, reason)
        if warned:
            for v, (count, fi, n) in _first(con, p, list(warned)).items():
                stored, reason = warned[v]
                warnings.append(((fi, n, p), Warning_(FIELDS[p], v, reason, count, names[fi], n)))
                if stored != v:
                    replace.setdefault(p, {})[v] = stored
    for p in DATE_POS:
        if any(checker.date_of(v) is None for v in values[p]):
            raise NotClean
    if any(checker._birth_problem(checker.date_of(v)) for v in values[P_DOB]):  # in the future, or absurd
        raise NotClean
    # the SQL date parse used for ordering must agree with the row checker's on every value
    for p in DATE_POS:
        for v, d in con.execute(
            f"SELECT DISTINCT f{p}, {_date_sql(f'f{p}')} FROM t WHERE f{p} IS NOT NULL"
        ).fetchall():
            if d != checker.date_cache[v]:
                raise NotClean
    for p in MONEY_POS:
        if any(isinstance(checker.money_of(p, v), str) for v in values[p]):
            raise NotClean
    for p in INT_POS:
        if any(not INT_RE.fullmatch(v) for v in values[p]):
            raise NotClean
    if lengths:
        longest = con.execute(
            "SELECT " + ", ".join(f"max(length(f{p}))" for p in lengths) + " FROM t"
        ).fetchone()
        if any((got or 0) > m for got, m in zip(longest, lengths.values(), strict=True)):
            raise NotClean
    lowered = con.execute(
        "SELECT count(*) FROM t WHERE "
        + " OR ".join(f"regexp_matches(f{p}, '[^\\x00-\\x7F]')" for p in LOWERED)
    ).fetchone()[0]
    if lowered:  # non-ASCII text in a key compared without case: Python's lower() decides
        raise NotClean
    return replace


def _date_sql(col: str) -> str:
    return (
        f"CASE WHEN {col} LIKE '____-__-__' THEN TRY_CAST({col} AS DATE) "
        f"WHEN {col} LIKE '__/__/____' THEN TRY_CAST(TRY_STRPTIME({col}, '%d/%m/%Y') AS DATE) END"
    )


def _nhs_sql(col: str) -> str:
    return f"NULLIF(regexp_replace({col}, '[\\s-]', '', 'g'), '')"


def _check_rows(con, rules) -> None:
    """The checks across the fields of a row, as counts of rows that fail them (any -> not clean)."""
    nhs = "nhs"
    digits = " + ".join(
        f"CAST(substr({nhs}, {i}, 1) AS INTEGER) * {w}" for i, w in enumerate(range(10, 1, -1), 1)
    )
    check_digit = f"(11 - (({digits}) % 11))"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE ids AS
        SELECT fi, n, f{P_LA} AS la, {_nhs_sql(f"f{P_NHS}")} AS nhs, f{P_NHS} AS nhs_raw FROM t""")
    bad_nhs = con.execute(f"""
        SELECT count(*) FROM ids WHERE nhs_raw IS NOT NULL AND NOT COALESCE(
          regexp_full_match({nhs}, '[0-9]{{10}}') AND {nhs} <> repeat(substr({nhs}, 1, 1), 10)
          AND CASE {check_digit} WHEN 11 THEN 0 WHEN 10 THEN -1 ELSE {check_digit} END
              = CAST(substr({nhs}, 10, 1) AS INTEGER), false)
          OR (nhs_raw IS NULL AND la IS NULL)""").fetchone()[0]
    if bad_nhs:
        raise NotClean
    two = con.execute("""SELECT count(*) FROM (SELECT la FROM ids WHERE la IS NOT NULL AND nhs IS NOT NULL
                         GROUP BY la HAVING count(DISTINCT nhs) > 1)""").fetchone()[0]
    if two:  # one LA person id with two NHS numbers
        raise NotClean
    required = {et: rules.required.get("*", []) + rules.required.get(et, []) for et in EVENT_TYPES}
    failing = [f"f{P_EVENT_TYPE} IS NULL"]
    for et, fields in required.items():
        missing = [
            f"f{POS[f]} IS NULL" + (f" AND f{P_END} IS NOT NULL" if only_ended else "")
            for f, only_ended in fields
        ]
        if missing:
            failing.append(
                f"(f{P_EVENT_TYPE} = {sql_quote(et)} AND ({' OR '.join(f'({m})' for m in missing)}))"
            )
    for first, then in ((P_START, P_END), (P_RPS, P_RPE), (P_DOB, P_DOD), (P_DOB, P_RPE)):
        failing.append(f"({_date_sql(f'f{then}')} < {_date_sql(f'f{first}')})")
    failing.append(f"f{P_RPE} IS NULL")  # every row names its submission
    if con.execute("SELECT count(*) FROM t WHERE " + " OR ".join(failing)).fetchone()[0]:
        raise NotClean


def _nhs_with_two_la_ids(con, warnings: list, names: list[str]) -> None:
    """An NHS number given with two LA person ids is one person: warned as the row checker does (at the NHS
    number's first row, once per later row with the other id)."""
    for nhs, la, la0, _at_fi, at_n, count, fi, n in con.execute("""
        WITH x AS (SELECT * FROM ids WHERE nhs IS NOT NULL AND la IS NOT NULL),
        f AS (SELECT nhs, arg_min(la, (fi, n)) AS la0, min({'fi': fi, 'n': n}) AS at FROM x GROUP BY nhs)
        SELECT x.nhs, x.la, f.la0, f.at.fi, f.at.n, count(*), min({'fi': x.fi, 'n': x.n}).fi,
               min({'fi': x.fi, 'n': x.n}).n
        FROM x JOIN f USING (nhs) WHERE x.la <> f.la0 GROUP BY ALL""").fetchall():
        warnings.append(
            (
                (fi, n, P_LA),
                Warning_("LA Person Unique Identifier", la, two_la_ids(nhs, la0), count, names[fi], at_n),
            )
        )


def key_parts(t: str = "") -> list[str]:
    """The parts of an event's unique key (as ``Checker._keep_row`` makes it) in SQL, over a table of converted
    values (``v0``...) and person ids whose name is given with its dot in ``t``: person id, event type, start, client
    type, then the route, assessment type, service type and component for the event types they belong to (compared
    without case, but for the service type)."""
    et = f"{t}v{P_EVENT_TYPE}"
    return [
        f"{t}pid",
        et,
        f"{t}v{P_START}",
        f"{t}v{P_CLIENT}",
        f"CASE WHEN {et} = 'Request' THEN lower({t}v{P_ROUTE}) ELSE '' END",
        f"CASE WHEN {et} = 'Assessment' THEN lower({t}v{P_ASSESSMENT}) ELSE '' END",
        f"CASE WHEN {et} = 'Service' THEN {t}v{P_SERVICE} ELSE '' END",
        f"CASE WHEN {et} = 'Service' THEN lower({t}v{P_COMPONENT}) ELSE '' END",
    ]


def _stage(con, replace: dict[int, dict[str, str]]) -> None:
    """One row per unique event (table ``ev``), the latest row per person (``pe``) and the carer links (``li``), as
    the row checker keeps them, each numbered (``ord``) in the row checker's order, with their values as the row
    checker converts them (``v0``...: mapped, NHS numbers without spaces, dates as dates, blanks as '' except dates),
    person id (``pid``) and outcome rank (``h``)."""

    def value(p: int) -> str:
        if p in replace:
            whens = " ".join(f"WHEN {sql_quote(k)} THEN {sql_quote(v)}" for k, v in replace[p].items())
            return f"CASE f{p} {whens} ELSE f{p} END"
        return f"f{p}"

    hierarchy = " ".join(f"WHEN {sql_quote(k)} THEN {v}" for k, v in OUTCOME_HIERARCHY.items())
    cols = []
    for p in range(len(FIELDS)):
        if p in DATE_POS:
            cols.append(f"{_date_sql(f'f{p}')} AS v{p}")
        elif p == P_NHS:
            cols.append(f"COALESCE({_nhs_sql(f'f{p}')}, '') AS v{p}")
        else:
            cols.append(f"COALESCE({value(p)}, '') AS v{p}")
    # k: every row's person id, outcome rank and the values that decide what is kept (ev, pe and li below); the
    # other values are worked out for the kept rows only, from t (half the rows at 200,000 people)
    con.execute(f"CREATE OR REPLACE TEMP VIEW c AS SELECT fi, n, {', '.join(cols)} FROM t")
    deciding = sorted(
        {
            P_NHS,
            P_LA,
            P_EVENT_TYPE,
            P_START,
            P_END,
            P_CLIENT,
            P_ROUTE,
            P_ASSESSMENT,
            P_SERVICE,
            P_COMPONENT,
            P_RPE,
            P_OUTCOME,
            P_HOURS,
            *(POS[name] for name in LINKED),
        }
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE k AS
        WITH la_nhs AS (SELECT la, any_value(nhs) AS nhs FROM ids WHERE la IS NOT NULL AND nhs IS NOT NULL
                        GROUP BY la)
        SELECT fi, n, {", ".join(f"v{p}" for p in deciding)},
          CASE WHEN v{P_NHS} <> '' THEN 'NHS:' || v{P_NHS} WHEN m.nhs IS NOT NULL THEN 'NHS:' || m.nhs
               ELSE 'LA:' || v{P_LA} END AS pid,
          COALESCE(CASE v{P_OUTCOME} {hierarchy} END, 999) AS h
        FROM c LEFT JOIN la_nhs m ON m.la = c.v{P_LA}""")
    kept_rows = (
        f"SELECT k.fi, k.n, {', '.join(cols)}, k.pid, k.h, w.ord FROM w "
        "JOIN k ON k.fi = w.kept.fi AND k.n = w.kept.n JOIN t ON t.fi = w.kept.fi AND t.n = w.kept.n"
    )
    key = ", ".join(key_parts())
    far_past, far_future = f"DATE '{MIN_DATE.isoformat()}'", f"DATE '{MAX_DATE.isoformat()}'"
    # ord: the order the row checker would keep them in (by each one's first row in the files), numbered before the
    # join (sorting the kept rows' positions, not the rows: 2.9 s against 1.0 s at 200,000 people)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE ev AS
        WITH w AS (
          SELECT kept, row_number() OVER (ORDER BY first) AS ord FROM (
            SELECT arg_max({{'fi': fi, 'n': n}},
                           (COALESCE(v{P_RPE}, {far_past}), COALESCE(v{P_END}, {far_future}), -h, fi, n)) AS kept,
                   min((fi, n)) AS first
            FROM k GROUP BY {key}))
        {kept_rows}""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE pe AS
        WITH w AS (
          SELECT kept, row_number() OVER (ORDER BY first) AS ord FROM (
            SELECT arg_max({{'fi': fi, 'n': n}}, (COALESCE(v{P_RPE}, {far_past}), fi, n)) AS kept,
                   min((fi, n)) AS first
            FROM k GROUP BY pid))
        {kept_rows}""")
    linked = " UNION ALL ".join(
        f"SELECT pid, v{POS[name]} AS linked, v{P_HOURS} AS hours, v{P_START} AS start, fi, n FROM k "
        f"WHERE v{P_CLIENT} IN ({CARERS_SQL}) AND v{POS[name]} <> ''"
        for name in LINKED
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE li AS
        SELECT pid, linked, link.hours AS hours, link.start AS start, row_number() OVER (ORDER BY first) AS ord
        FROM (SELECT pid, linked, arg_min({{'hours': hours, 'start': start}}, (start IS NULL, start, fi, n)) AS link,
                     min((fi, n)) AS first
              FROM ({linked}) GROUP BY pid, linked)""")


def _fetch(con) -> tuple[list, list, list]:
    """The rows ``_stage`` kept, as ``_plan`` takes them. Each kept row comes to Python as one string of its values
    (dates in ISO form) joined by the unit separator and split there: a few times faster than DuckDB making a
    Python object of each of its fifty-odd values."""
    row = (
        "concat_ws(chr(31), "
        + ", ".join(
            f"COALESCE(CAST(v{p} AS VARCHAR), '')" if p in DATE_POS else f"v{p}" for p in range(len(FIELDS))
        )
        + ")"
    )
    events = con.execute(f"SELECT {row}, pid, h, fi, n FROM ev ORDER BY ord").fetchall()
    people = con.execute(f"SELECT {row}, pid, fi, n FROM pe ORDER BY ord").fetchall()
    links = con.execute(
        "SELECT pid, linked, {'hours': hours, 'start': start} FROM li ORDER BY ord"
    ).fetchall()
    return events, people, links


def _plan(checker: Checker, kept: tuple[list, list, list]) -> dict:
    """The plan's events, people and carer links from the rows ``_deduplicate`` fetched."""
    events, people, links = kept
    money = checker.money_cache
    width = len(FIELDS)
    dates: dict[str, dt.date] = {}

    def convert(packed: str) -> tuple:
        values = packed.split(SEPARATOR)
        if len(values) != width:  # a value holding the separator itself: the row checker reads it
            raise NotClean
        for p in DATE_POS:
            text = values[p]
            if not text:
                values[p] = None
            else:
                d = dates.get(text)
                if d is None:
                    d = dates[text] = dt.date.fromisoformat(text)
                values[p] = d
        for p in MONEY_POS:  # amounts as the row checker keeps them (Decimal, as given)
            if values[p]:
                values[p] = money[(p, values[p])]
        return tuple(values)

    def order(
        fi: int, n: int
    ) -> int:  # the rows' order across the files (ranks are compared within one import)
        return fi * 10**12 + n

    plan_events = {}
    for r in events:
        values = convert(r[0])
        et = values[P_EVENT_TYPE]
        key_ = (
            r[1],
            et,
            values[P_START],
            values[P_CLIENT],
            values[P_ROUTE].lower() if et == "Request" else "",
            values[P_ASSESSMENT].lower() if et == "Assessment" else "",
            values[P_SERVICE] if et == "Service" else "",
            values[P_COMPONENT].lower() if et == "Service" else "",
        )
        fi, n = r[3], r[4]
        plan_events[key_] = (
            (values[P_RPE] or MIN_DATE, values[P_END] or MAX_DATE, -r[2], order(fi, n), n),
            values,
        )
    plan_people = {}
    for r in people:
        values = convert(r[0])
        fi, n = r[2], r[3]
        plan_people[r[1]] = ((values[P_RPE] or MIN_DATE, order(fi, n), n), values)
    plan_links = {(pid, linked): (link["hours"], link["start"]) for pid, linked, link in links}
    return {"events": plan_events, "people": plan_people, "links": plan_links}
