"""A first import (a council moving in) loaded as sets: DuckDB works out every row the record gets, and the rows go
to the database without becoming Python objects.

When the record holds nobody yet and the files are clean, the set check (``fastcheck``) leaves the rows it kept in
DuckDB (``fastcheck.Staged``: tables ``ev``, ``pe`` and ``li``). Here each table of the record is one DuckDB query
over them: ids from ranges reserved in the database's own sequences, person ids joined, the row fingerprint
(``check.row_hash``) and the event key (``load._key_text``) computed in SQL. On PostgreSQL the query's result is
written as CSV by DuckDB and streamed to ``COPY ... FROM STDIN``; on SQLite it is fetched in batches of tuples for
``executemany``. Python never touches a row.

It writes what ``load.Loader`` writes for the same plan (tests compare the two loads table by table): the same
people, events, costs, carer links, imported-event keys and fingerprints and audit events, in the same order. It
only covers a first import: with nobody in the record there is nobody to match, nothing to update and nothing
already imported, which is what keeps it simple enough to be sure of. Later imports go row by row (``load``).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import tempfile
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import duckdb
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from openasc.assessments.models import Assessment
from openasc.core import audit
from openasc.core.context import current_request_id
from openasc.core.models import AuditAction, AuditEvent, User
from openasc.core.validation import postcode_key
from openasc.frontdoor.models import ContactBy, SupportRequest
from openasc.people.models import CarerLink, Person
from openasc.people.names import fold, sound_key
from openasc.planning.models import Review
from openasc.reporting.engine.refdata import sql_quote
from openasc.reporting.models import ImportedEvent, ImportRun
from openasc.services.models import Service, ServiceCost

from .check import (
    FIELDS,
    P_ASSESSMENT,
    P_CLIENT,
    P_COMPONENT,
    P_END,
    P_EVENT_TYPE,
    P_LA,
    P_OUTCOME,
    P_ROUTE,
    P_SERVICE,
    P_START,
    POS,
    Issue,
)
from .fastcheck import CARERS_SQL, DATE_POS, MONEY_POS, Staged, key_parts
from .fastinsert import _reserve_postgresql, next_sqlite_id
from .load import (
    ASSESSMENT_CARER,
    ASSESSMENT_COMPLETED,
    ASSESSMENT_IN_PROGRESS,
    ASSESSMENT_NEEDS,
    P_CQC,
    P_DELIVERY,
    P_DESCRIPTION,
    P_ELIGIBLE,
    P_LINKED_1,
    P_METHOD,
    P_REVIEW_METHOD,
    P_REVIEW_OUTCOMES,
    P_REVIEW_REASON,
    PERSON_FIELDS,
    PROGRESS_PREFIX,
    REQUEST_CONCLUDED,
    REQUEST_OPEN,
    REQUEST_ROUTED,
    REVIEW_COMPLETED,
    REVIEW_SCHEDULED,
    Conflict,
    provider_locations,
)

FETCH = 50_000  # rows fetched from DuckDB at a time for SQLite's executemany
# A constant (as _literal writes them, the same in DuckDB's SQL and SQLite's): NULL, true, false, a whole number, a
# quoted text.
LITERAL = re.compile(r"NULL|true|false|-?[0-9]+|'(?:[^']|'')*'")
P_CQC_NAME, P_UNIT_COST = POS["Provider CQC Location Name"], POS["Unit Cost"]
P_FREQUENCY, P_UNITS = POS["Cost Frequency (Unit Type)"], POS["Planned units per week"]
P_FIRST, P_LAST, P_POSTCODE = POS["First Name"], POS["Last Name"], POS["Postcode"]
EVENT_TABLES = {"Request": SupportRequest, "Assessment": Assessment, "Service": Service, "Review": Review}
LABELS = {"Request": "requests", "Assessment": "assessments", "Service": "services", "Review": "reviews"}


RECORD_CHANGED = (
    "People were added to the record while the files were being checked, so they were not loaded as a "
    "first import: run the import again"
)


def available() -> bool:
    """Whether the next import would be a first import this module loads: nobody in the record, nothing imported."""
    return (
        connection.vendor in ("postgresql", "sqlite")
        and not Person.objects.exists()
        and not ImportedEvent.objects.exists()
    )


def load_staged(
    staged: Staged, *, user: User, run: ImportRun, progress: Callable[[int], None]
) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Write the staged rows; inside the import's transaction (and ``load.moving_in``). Returns what ``load.load``
    returns: (counts, carer links whose cared-for person was not found)."""
    if not available():  # someone added to the record between the check and the load
        raise Conflict([Issue("", 0, "", "", RECORD_CHANGED)])
    with tempfile.TemporaryDirectory(prefix="openasc-import-") as tmp:
        loader = SetLoader(staged, user, run, progress, tmp)
        missing = loader.load()
    return {k: v for k, v in loader.counts.items() if v}, missing


@dataclass
class Write:
    model: type[Model]
    select: str  # every column (PostgreSQL: the CSV file's)
    varying: str  # only the columns that are not the same on every row (SQLite: the rows fetched)
    values: str  # SQLite's VALUES (...): a placeholder for each varying column, the constant for each other
    count: str
    progress: bool


def _client(t: str = "") -> str:
    """A row's client type, as the record takes it (a blank is a service user), over the table named in ``t``."""
    return f"COALESCE(NULLIF({t}v{P_CLIENT}, ''), 'Service user')"


def _d(p: int) -> str:
    """A date value as the database takes it (ISO text; NULL for none)."""
    return f"CAST(ev.v{p} AS VARCHAR)"


class SetLoader:
    def __init__(self, staged: Staged, user: User, run: ImportRun, progress: Callable[[int], None], tmp: str):
        self.con: duckdb.DuckDBPyConnection = staged.con
        self.events = staged.events
        self.checker = staged.checker
        self.user, self.run, self.progress, self.tmp = user, run, progress, tmp
        self.counts: Counter = Counter()
        self.writes: list[Write] = []
        self.now = timezone.now()

    def load(self) -> list[tuple[str, str]]:
        self._money()
        self._people()
        self._locations()
        self._linked()
        self._events()
        self._costs()
        self._imported()
        missing = self._carer_links()
        self._audit()
        self._write_all()
        return missing

    # -- writing --------------------------------------------------------------------------------------------------
    def _literal(self, field, value) -> str:
        """A constant as a DuckDB literal of the text (or number) the database stores for ``field``."""
        if value is None:
            return "NULL"
        if field.get_internal_type() == "JSONField":
            return sql_quote(json.dumps(value, cls=field.encoder))
        prepared = field.get_db_prep_save(value, connection)
        if isinstance(prepared, bool):
            return "true" if prepared else "false"
        if isinstance(prepared, int):
            return str(prepared)
        if hasattr(prepared, "isoformat"):
            prepared = prepared.isoformat(sep=" ") if hasattr(prepared, "hour") else prepared.isoformat()
        return sql_quote(str(prepared))

    def _default(self, field) -> str:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return self._literal(field, self.now)
        return self._literal(field, field.get_default())

    def _ids(self, model: type[Model], n: int, name: str) -> None:
        """DuckDB table ``name`` (i, id): n new ids for ``model``'s table, i from 1. On PostgreSQL they are taken
        from the table's sequence (as ``fastinsert`` takes them, safe alongside other writers); on SQLite they follow
        the highest the table ever gave (the import's transaction holds the write lock), and SQLite moves its
        sequence on past the ids inserted."""
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if not n:
                ids = range(1, 1)
            elif connection.vendor == "postgresql":
                ids = _reserve_postgresql(cursor, connection.ops.quote_name(table), model._meta.pk.column, n)
            else:
                qn = connection.ops.quote_name
                start = next_sqlite_id(cursor, table, qn(table), qn(model._meta.pk.column))
                ids = range(start, start + n)
        if isinstance(ids, range):
            self.con.execute(
                f"CREATE OR REPLACE TEMP TABLE {name} AS "
                f"SELECT i, {ids.start} + i - 1 AS id FROM range(1, {n + 1}) r(i)"
            )
        else:  # another session took ids from the sequence meanwhile: ours are not one run
            self.con.execute(
                f"CREATE OR REPLACE TEMP TABLE {name} AS "
                f"SELECT unnest(range(1, {n + 1})) AS i, unnest(?::BIGINT[]) AS id",
                [list(ids)],
            )

    def _write(
        self, model: type[Model], given: dict[str, str], source: str, count: str = "", progress: bool = False
    ) -> None:
        """Queue the insert of the rows of ``SELECT <every column of model> <source>``: the expressions in ``given``
        (by attribute name; the primary key among them), each other column its default. ``count`` names the count
        the rows add to; ``progress`` reports them to the progress bar (events)."""
        fields = model._meta.concrete_fields
        unknown = set(given) - {f.attname for f in fields}
        if unknown:
            raise ValueError(f"{model.__name__} has no column {sorted(unknown)}")
        exprs = [given.get(f.attname) or self._default(f) for f in fields]
        varying = [e for e in exprs if not LITERAL.fullmatch(e)]
        values = ", ".join(e.replace("%", "%%") if LITERAL.fullmatch(e) else "%s" for e in exprs)
        self.writes.append(
            Write(
                model,
                f"SELECT {', '.join(exprs)} {source}",
                f"SELECT {', '.join(varying)} {source}",
                values,
                count,
                progress,
            )
        )

    def _write_all(self) -> None:
        """Run the queued inserts, in order."""
        if connection.vendor == "postgresql":
            self._write_postgresql()
            return
        # SQLite: the constants are written into the INSERT, so DuckDB hands over and sqlite3 binds only the rest
        for w in self.writes:
            result = self.con.execute(w.varying)
            table, columns = self._insert_parts(w.model)
            n = 0
            with connection.cursor() as cursor:
                while rows := result.fetchmany(FETCH):
                    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({w.values})", rows)
                    n += len(rows)
            self._written(w, n)

    def _write_postgresql(self) -> None:
        """DuckDB writes each table's rows as CSV while PostgreSQL reads the one before (``COPY ... FROM STDIN``):
        the two run side by side, on a thread of their own each (DuckDB and psycopg both let go of Python's lock
        while they work). At most two files wait at a time."""
        ready: queue.Queue = queue.Queue(maxsize=2)
        stop = threading.Event()

        def make() -> None:
            try:
                for i, w in enumerate(self.writes):
                    if stop.is_set():
                        return
                    path = os.path.join(self.tmp, f"{i}.csv")
                    n = self.con.execute(f"COPY ({w.select}) TO {sql_quote(path)} (HEADER false)").fetchone()[
                        0
                    ]
                    ready.put((w, path, n))
            except BaseException as exc:  # handed to the loading thread, which raises it
                ready.put(exc)

        maker = threading.Thread(target=make, name="openasc-import-csv", daemon=True)
        maker.start()
        try:
            for _ in self.writes:
                item = ready.get()
                if isinstance(item, BaseException):
                    raise item
                w, path, n = item
                table, columns = self._insert_parts(w.model)
                with (
                    connection.cursor() as cursor,
                    open(path, "rb") as f,
                    cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy,
                ):
                    while data := f.read(1 << 22):
                        copy.write(data)
                os.remove(path)
                self._written(w, n)
        finally:
            stop.set()
            while maker.is_alive():  # let a waiting maker finish its put and see the stop
                with contextlib.suppress(queue.Empty):
                    ready.get(timeout=0.1)
            maker.join()

    def _insert_parts(self, model: type[Model]) -> tuple[str, str]:
        """The table's name and its columns, quoted, for an INSERT or a COPY."""
        qn = connection.ops.quote_name
        return qn(model._meta.db_table), ", ".join(qn(f.column) for f in model._meta.concrete_fields)

    def _written(self, w: Write, n: int) -> None:
        if w.count:
            self.counts[w.count] += n
        if w.progress:
            self.progress(n)

    def _table(self, name: str, rows: list[tuple], columns: str) -> None:
        """A small DuckDB table from Python rows (one list per column, unnested together)."""
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({columns})")
        if rows:
            width = len(rows[0])
            self.con.execute(
                f"INSERT INTO {name} SELECT " + ", ".join(f"unnest(${j + 1})" for j in range(width)),
                [list(col) for col in zip(*rows, strict=True)],
            )

    # -- the parts ------------------------------------------------------------------------------------------------
    def _money(self) -> None:
        """Each amount as the row checker keeps it (its ``str()``, for the fingerprint) and in pence."""
        rows = [
            (p, text, str(m), int((m * 100).quantize(Decimal(1))))
            for (p, text), m in self.checker.money_cache.items()
            if isinstance(m, Decimal)
        ]
        self._table("money", rows, "p INTEGER, v VARCHAR, s VARCHAR, pence BIGINT")

    def _people(self) -> None:
        con = self.con
        n = con.execute("SELECT count(*) FROM pe").fetchone()[0]
        self._ids(Person, n, "ids_person")
        con.execute(f"""CREATE OR REPLACE TEMP TABLE pid AS
                        SELECT pe.pid, pe.ord, ids.id, pe.v{P_LA} AS la FROM pe JOIN ids_person ids ON ids.i = pe.ord""")
        # search keys (people.services.set_search_keys), once per distinct name and postcode
        names = [
            v for (v,) in con.execute(f"SELECT v{P_FIRST} FROM pe UNION SELECT v{P_LAST} FROM pe").fetchall()
        ]
        self._table(
            "names", [(v, fold(v), sound_key(v)) for v in names], "v VARCHAR, fkey VARCHAR, skey VARCHAR"
        )
        postcodes = [v for (v,) in con.execute(f"SELECT DISTINCT v{P_POSTCODE} FROM pe").fetchall()]
        self._table("postcodes", [(v, postcode_key(v)) for v in postcodes], "v VARCHAR, pkey VARCHAR")
        nhs = "CASE WHEN starts_with(ev.pid, 'NHS:') THEN substr(ev.pid, 5) ELSE '' END"
        given = {
            "id": "ids.id",
            "la_person_id": f"COALESCE(NULLIF(ev.v{P_LA}, ''), {nhs})",
            "nhs_number": nhs,
            "first_key": "f.fkey",
            "first_sound": "f.skey",
            "last_key": "l.fkey",
            "last_sound": "l.skey",
            "postcode_key": "pc.pkey",
        }
        for attname, cld in PERSON_FIELDS.items():  # the person's latest row; a blank keeps the default
            field, p = Person._meta.get_field(attname), POS[cld]
            default = self._default(field)
            given[attname] = (
                f"COALESCE({_d(p)}, {default})"
                if p in DATE_POS
                else f"COALESCE(NULLIF(ev.v{p}, ''), {default})"
            )
        self.people = n
        self._write(
            Person,
            given,
            count="people created",
            source=f"""
            FROM pe ev JOIN ids_person ids ON ids.i = ev.ord JOIN names f ON f.v = ev.v{P_FIRST}
            JOIN names l ON l.v = ev.v{P_LAST} JOIN postcodes pc ON pc.v = ev.v{P_POSTCODE} ORDER BY ev.ord""",
        )

    def _locations(self) -> None:
        wanted = dict(
            self.con.execute(f"""
            SELECT v{P_CQC}, arg_min(COALESCE(NULLIF(v{P_CQC_NAME}, ''), v{P_CQC}), ord) FROM ev
            WHERE v{P_CQC} <> '' GROUP BY v{P_CQC} ORDER BY min(ord)""").fetchall()
        )
        locations, self.counts["provider locations created"] = provider_locations(wanted)
        self._table("loc", [(cqc, loc.pk) for cqc, loc in locations.items()], "cqc VARCHAR, id BIGINT")

    def _linked(self) -> None:
        """The person each linked person id names (``Loader.linked_pk`` on an empty record): the person whose latest
        row has that LA person id, else the person with that NHS number."""
        self.con.execute(f"""
            CREATE OR REPLACE TEMP TABLE lk AS
            WITH wanted AS (SELECT linked FROM li
                            UNION SELECT v{P_LINKED_1} FROM ev
                            WHERE v{P_LINKED_1} <> '' AND {_client()} IN ({CARERS_SQL}))
            SELECT w.linked, COALESCE(a.id, b.id) AS id FROM wanted w
            LEFT JOIN (SELECT la, arg_max(id, ord) AS id FROM pid GROUP BY la) a ON a.la = w.linked
            LEFT JOIN pid b ON b.pid = 'NHS:' || w.linked""")

    def _events(self) -> None:
        con = self.con
        con.execute(f"""CREATE OR REPLACE TEMP TABLE eid AS
                        SELECT ord, v{P_EVENT_TYPE} AS et, row_number() OVER (PARTITION BY v{P_EVENT_TYPE} ORDER BY ord) AS i
                        FROM ev""")
        counts = dict(con.execute("SELECT et, count(*) FROM eid GROUP BY et").fetchall())
        parts = []
        for et, model in EVENT_TABLES.items():
            self._ids(model, counts.get(et, 0), f"ids_{et.lower()}")
            parts.append(
                f"SELECT e.ord, e.et, x.id FROM eid e JOIN ids_{et.lower()} x ON x.i = e.i "
                f"WHERE e.et = {sql_quote(et)}"
            )
        con.execute("CREATE OR REPLACE TEMP TABLE eids AS " + " UNION ALL ".join(parts))
        uid = str(self.user.pk)
        client = _client("ev.")
        ended = f"ev.v{P_END} IS NOT NULL"
        outcome = f"CASE WHEN {ended} THEN ev.v{P_OUTCOME} ELSE '' END"
        routed = f"({ended} AND starts_with(ev.v{P_OUTCOME}, {sql_quote(PROGRESS_PREFIX)}))"
        common = {"id": "x.id", "person_id": "p.id"}
        given = {
            "Request": {
                "received_on": _d(P_START),
                "route_of_access": f"ev.v{P_ROUTE}",
                "client_type": client,
                "outcome": outcome,
                "reason": f"ev.v{P_DESCRIPTION}",
                "concluded_on": f"CASE WHEN {routed} THEN NULL ELSE {_d(P_END)} END",
                "triaged_on": f"CASE WHEN {routed} THEN {_d(P_END)} END",
                "status": f"CASE WHEN NOT {ended} THEN {sql_quote(REQUEST_OPEN)} WHEN {routed} "
                f"THEN {sql_quote(REQUEST_ROUTED)} ELSE {sql_quote(REQUEST_CONCLUDED)} END",
                "contact_by": sql_quote(ContactBy.OTHER_PROFESSIONAL.value),
                "what_matters": "''",
                "created_by_id": uid,
                # frontdoor.services.requests_close_waiting, for the people of a first import: a request passed to
                # a team stops waiting once a service starts after it (none of them has a worker yet)
                "waiting_ended_on": f"CASE WHEN {routed} AND served.last >= ev.v{P_START} "
                f"THEN {sql_quote(timezone.localdate().isoformat())} END",
            },
            "Assessment": {
                "kind": f"CASE WHEN {client} IN ({CARERS_SQL}) "
                f"THEN {sql_quote(ASSESSMENT_CARER)} ELSE {sql_quote(ASSESSMENT_NEEDS)} END",
                "cared_for_id": f"CASE WHEN {client} IN ({CARERS_SQL}) "
                f"AND ev.v{P_LINKED_1} <> '' THEN lk.id END",
                "assessment_type": f"ev.v{P_ASSESSMENT}",
                "method": f"ev.v{P_METHOD}",
                "started_on": _d(P_START),
                "completed_on": _d(P_END),
                "status": f"CASE WHEN {ended} THEN {sql_quote(ASSESSMENT_COMPLETED)} "
                f"ELSE {sql_quote(ASSESSMENT_IN_PROGRESS)} END",
                "eligible": f"CASE WHEN {ended} THEN CASE ev.v{P_ELIGIBLE} WHEN 'Yes' THEN true WHEN 'No' THEN false "
                f"END END",
                "outcome": outcome,
                "assessor_id": uid,
            },
            "Service": {
                "service_type": f"ev.v{P_SERVICE}",
                "service_component": f"ev.v{P_COMPONENT}",
                "provider_location_id": "loc.id",
                "delivery_mechanism": f"ev.v{P_DELIVERY}",
                "client_type": client,
                "start_on": _d(P_START),
                "end_on": _d(P_END),
                "end_outcome": outcome,
                "description": f"ev.v{P_DESCRIPTION}",
                "created_by_id": uid,
            },
            "Review": {
                "due_on": _d(P_START),
                "reason": f"COALESCE(NULLIF(ev.v{P_REVIEW_REASON}, ''), 'Planned')",
                "method": f"ev.v{P_REVIEW_METHOD}",
                "started_on": _d(P_START),
                "completed_on": _d(P_END),
                "outcomes_achieved": f"ev.v{P_REVIEW_OUTCOMES}",
                "outcome": outcome,
                "notes": f"ev.v{P_DESCRIPTION}",
                "status": f"CASE WHEN {ended} THEN {sql_quote(REVIEW_COMPLETED)} ELSE {sql_quote(REVIEW_SCHEDULED)} END",
                "reviewer_id": uid,
            },
        }
        con.execute(f"""CREATE OR REPLACE TEMP TABLE served AS SELECT pid, max(v{P_START}) AS last FROM ev
                        WHERE v{P_EVENT_TYPE} = 'Service' GROUP BY pid""")
        joins = {
            "Request": "LEFT JOIN served ON served.pid = ev.pid",
            "Assessment": f"LEFT JOIN lk ON lk.linked = ev.v{P_LINKED_1}",
            "Service": f"LEFT JOIN loc ON loc.cqc = ev.v{P_CQC}",
        }
        for et, model in EVENT_TABLES.items():
            if not counts.get(et):
                continue
            self._write(
                model,
                {**common, **given[et]},
                count=f"{LABELS[et]} created",
                progress=True,
                source=f"""
                FROM ev JOIN eids x ON x.ord = ev.ord JOIN pid p ON p.pid = ev.pid {joins.get(et, "")}
                WHERE x.et = {sql_quote(et)} ORDER BY ev.ord""",
            )

    def _costs(self) -> None:
        con = self.con
        n = con.execute(
            f"SELECT count(*) FROM ev WHERE v{P_EVENT_TYPE} = 'Service' AND v{P_UNIT_COST} <> ''"
        ).fetchone()[0]
        if not n:
            return
        self._ids(ServiceCost, n, "ids_cost")
        self._write(
            ServiceCost,
            count="service costs created",
            given={
                "id": "ids.id",
                "service_id": "x.id",
                "effective_from": _d(P_START),
                "unit_cost_pence": "m.pence",
                "cost_frequency": f"ev.v{P_FREQUENCY}",
                "planned_units_per_week": "u.s",
                "reason": "'CLD import'",
                "created_by_id": str(self.user.pk),
            },
            source=f"""
            FROM (SELECT *, row_number() OVER (ORDER BY ord) AS i FROM ev
                  WHERE v{P_EVENT_TYPE} = 'Service' AND v{P_UNIT_COST} <> '') ev
            JOIN ids_cost ids ON ids.i = ev.i JOIN eids x ON x.ord = ev.ord
            JOIN money m ON m.p = {P_UNIT_COST} AND m.v = ev.v{P_UNIT_COST}
            LEFT JOIN money u ON u.p = {P_UNITS} AND u.v = ev.v{P_UNITS}
            ORDER BY ev.ord""",
        )

    def _imported(self) -> None:
        """The key and fingerprint of each event (``load._key_text``, ``check.row_hash``), to know it again."""
        self._ids(ImportedEvent, self.events, "ids_imported")

        def text(p: int) -> str:
            if p in DATE_POS:
                return f"COALESCE(CAST(ev.v{p} AS VARCHAR), 'None')"
            if p in MONEY_POS:
                return f"COALESCE(m{p}.s, '')"
            return f"ev.v{p}"

        money = " ".join(f"LEFT JOIN money m{p} ON m{p}.p = {p} AND m{p}.v = ev.v{p}" for p in MONEY_POS)
        parts = key_parts("ev.")
        parts[2] = f"COALESCE(CAST({parts[2]} AS VARCHAR), '')"  # the start, in ISO form ('' for none)
        key = f"concat_ws('|', {', '.join(parts)})"
        label = (
            "CASE x.et "
            + " ".join(
                f"WHEN {sql_quote(t)} THEN {sql_quote(m._meta.label_lower)}" for t, m in EVENT_TABLES.items()
            )
            + " END"
        )
        fingerprint = "md5(concat_ws(chr(31), " + ", ".join(text(p) for p in range(len(FIELDS))) + "))"
        self._write(
            ImportedEvent,
            {
                "id": "ids.id",
                "event_key": key,
                "object_type": label,
                "object_id": "x.id",
                "row_hash": fingerprint,
                "import_run_id": str(self.run.pk),
            },
            f"""
            FROM ev JOIN ids_imported ids ON ids.i = ev.ord JOIN eids x ON x.ord = ev.ord {money} ORDER BY ev.ord""",
        )

    def _carer_links(self) -> list[tuple[str, str]]:
        """Each carer's link to each person they care for (``Loader.carer_links`` on an empty record); returns the
        links whose cared-for person is not in the files."""
        con = self.con
        con.execute("""CREATE OR REPLACE TEMP TABLE links AS
                       SELECT li.ord, li.pid, li.linked, c.id AS carer, lk.id AS cared_for, li.hours, li.start
                       FROM li JOIN pid c ON c.pid = li.pid LEFT JOIN lk ON lk.linked = li.linked""")
        missing = con.execute(
            "SELECT pid, linked FROM links WHERE cared_for IS NULL OR cared_for = carer ORDER BY ord"
        ).fetchall()
        # one link per pair of people: where two linked ids name the same person, the later row's hours and start
        con.execute("""CREATE OR REPLACE TEMP TABLE pairs AS
                       SELECT carer, cared_for, arg_max(hours, ord) AS hours, arg_max(start, ord) AS start,
                              row_number() OVER (ORDER BY min(ord)) AS i
                       FROM links WHERE cared_for IS NOT NULL AND cared_for <> carer GROUP BY carer, cared_for""")
        n = con.execute("SELECT count(*) FROM pairs").fetchone()[0]
        if n:
            self._ids(CarerLink, n, "ids_link")
            self._write(
                CarerLink,
                count="carer links created",
                given={
                    "id": "ids.id",
                    "carer_id": "pairs.carer",
                    "cared_for_id": "pairs.cared_for",
                    "hours_caring_per_week": "pairs.hours",
                    "started_on": "CAST(pairs.start AS VARCHAR)",
                },
                source="FROM pairs JOIN ids_link ids ON ids.i = pairs.i ORDER BY pairs.i",
            )
        return [tuple(m) for m in missing]

    def _audit(self) -> None:
        """One create event per person created, as ``Loader.audit`` writes them."""
        details = {"import_run": self.run.pk, "what": "CLD import", "files": self.checker.plan.files}
        audit.record_many(
            actor=self.user, action=AuditAction.CREATE, objs=[], basis="CLD import", details=details
        )
        n = self.people
        if not n:
            return
        field = AuditEvent._meta.get_field
        now, rid = timezone.now(), current_request_id()
        # the hash chain (ADR 0008): ids and hashes are given here, under the chain's lock (held to commit)
        people = self.con.execute("SELECT ord, id FROM pid ORDER BY ord").fetchall()
        rows = [
            {
                "occurred_at": now,
                "actor_id": self.user.pk,
                "on_behalf_of_id": None,
                "action": str(AuditAction.CREATE),
                "person_id": pk,
                "object_type": "people.person",
                "object_id": str(pk),
                "basis": "CLD import",
                "reason": "",
                "request_id": rid,
                "details": details,
            }
            for _, pk in people
        ]
        audit.chain_rows(rows)
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE ids_audit AS SELECT unnest(?::BIGINT[]) AS i, "
            "unnest(?::BIGINT[]) AS id, unnest(?::VARCHAR[]) AS prev_hash, unnest(?::VARCHAR[]) AS row_hash",
            [
                [o for o, _ in people],
                [r["id"] for r in rows],
                [r["prev_hash"] for r in rows],
                [r["row_hash"] for r in rows],
            ],
        )
        self._write(
            AuditEvent,
            count="audit events",
            given={
                "id": "ids.id",
                "occurred_at": self._literal(field("occurred_at"), now),
                "actor_id": str(self.user.pk),
                "action": sql_quote(str(AuditAction.CREATE)),
                "person_id": "p.id",
                "object_type": "'people.person'",
                "object_id": "CAST(p.id AS VARCHAR)",
                "basis": "'CLD import'",
                "request_id": self._literal(field("request_id"), rid),
                "details": self._literal(field("details"), details),
                "prev_hash": "ids.prev_hash",
                "row_hash": "ids.row_hash",
            },
            source="FROM pid p JOIN ids_audit ids ON ids.i = p.ord ORDER BY p.ord",
        )
