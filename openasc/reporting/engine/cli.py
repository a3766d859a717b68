"""Command line: ``measures --cld FILE [FILE...] --period START:END [--population 18-64=N]
[--population 65+=N] [--format json|csv|xlsx] [--out FILE] [--detail DIR]``.

The other engineer wires ``openasc measures`` to :func:`main`.  Bad arguments print a one-line
error and return exit code 2.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from openasc.core.cells import append_row, safe_cell

from .load import load_cld_csv, scratch
from .measures import MEASURE_KEYS, all_details, compute_measures
from .prepare import USED_COLUMNS

FIELDS = ["measure", "age_group", "gender", "numerator", "denominator", "outcome"]


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one clear line, exit code 2 (handled in main)
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="measures", description="Compute ASCOF measures from CLD file(s).", add_help=True)
    p.add_argument("--cld", nargs="+", required=True, metavar="FILE", help="CLD CSV file(s), optionally .gz")
    p.add_argument("--period", required=True, help="START:END, e.g. 2024-04-01:2025-03-31")
    p.add_argument(
        "--population",
        action="append",
        default=[],
        metavar="BAND=N",
        help="ONS population, e.g. 18-64=250000 and 65+=90000",
    )
    p.add_argument("--format", default="json", choices=["json", "csv", "xlsx"])
    p.add_argument("--out", help="output file (default: stdout for json/csv; required for xlsx)")
    p.add_argument("--detail", metavar="DIR", help="write one CSV of detail rows per measure into DIR")
    p.add_argument(
        "--with-nhs-numbers",
        action="store_true",
        help="detail files carry the CLD person id (the NHS number where there is one); by default only "
        "the LA person id",
    )
    return p


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    m = re.fullmatch(r"\s*(\d{4}-\d{2}-\d{2})\s*:\s*(\d{4}-\d{2}-\d{2})\s*", text)
    if not m:
        raise UsageError(f"--period must be START:END as YYYY-MM-DD:YYYY-MM-DD, got {text!r}")
    try:
        start, end = dt.date.fromisoformat(m.group(1)), dt.date.fromisoformat(m.group(2))
    except ValueError as exc:
        raise UsageError(f"--period has an invalid date: {exc}") from None
    if end < start:
        raise UsageError("--period end is before its start")
    return start, end


def _parse_population(items: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        m = re.fullmatch(r"\s*(18-64|65\+)\s*=\s*(\d+)\s*", item)
        if not m:
            raise UsageError(f"--population must be 18-64=N or 65+=N with N a whole number, got {item!r}")
        out[m.group(1)] = int(m.group(2))
    return out


def figure_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Flatten ``compute_measures`` output to rows measure, age_group, gender, numerator, ..."""
    rows = []
    for measure, groups in result["measures"].items():
        for age_group, val in groups.items():
            if "numerator" in val:
                rows.append({"measure": measure, "age_group": age_group, "gender": "", **val})
            else:
                for gender, fig in val.items():
                    rows.append({"measure": measure, "age_group": age_group, "gender": gender, **fig})
    return rows


def _csv_text(rows: list[dict[str, Any]], fields: list[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if r.get(k) is None else safe_cell(r.get(k))) for k in fields})
    return buf.getvalue()


def _write_xlsx(path: str, rows: list[dict[str, Any]], period: dict[str, str]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "ASCOF"
    append_row(ws, ["Period", f"{period['start']} to {period['end']}"])
    append_row(ws, FIELDS)
    for r in rows:
        append_row(ws, [r.get(k) for k in FIELDS])
    wb.save(path)


def _safe_name(measure: str) -> str:
    return "ascof_" + re.sub(r"[^A-Za-z0-9]+", "_", measure).strip("_") + ".csv"


def _la_ids(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The LA person id of each person id the engines give (the NHS number where there is one, else
    "<LA code>_<LA id>" in the measures and the LA id itself in SALT)."""
    out: dict[str, str] = {}
    for nhs, code, la_id in con.execute(r"""
            SELECT DISTINCT NULLIF(regexp_replace(NHS_Number, '\s', '', 'g'), ''), LA_Code,
                   LA_Person_Unique_Identifier
            FROM cld_input WHERE LA_Person_Unique_Identifier IS NOT NULL""").fetchall():
        out[f"{code}_{la_id}"] = out[str(la_id)] = str(la_id)
        if nhs:
            out[nhs] = str(la_id)
    return out


def _detail_rows(
    recs: list[dict[str, Any]], fields: list[str], la_ids: dict[str, str], with_nhs: bool
) -> tuple[list[dict[str, Any]], list[str]]:
    """Detail rows for a file on disk: the LA person id in place of the engine's person id (an NHS number where
    there is one) unless `with_nhs` (--with-nhs-numbers), when both are written."""
    rest = [f for f in fields if f != "person_id"]
    rows = [{**r, "la_person_id": _la_of(str(r.get("person_id") or ""), la_ids)} for r in recs]
    if with_nhs:
        return rows, ["person_id", "la_person_id", *rest]
    return [{k: v for k, v in r.items() if k != "person_id"} for r in rows], ["la_person_id", *rest]


def _la_of(pid: str, la_ids: dict[str, str]) -> str:
    # the measures' "<LA code>_<LA id>", where the LA code came from elsewhere than the file's column
    return la_ids.get(pid) or (pid.split("_", 1)[1] if "_" in pid else "")


@contextmanager
def _open_cld(args: argparse.Namespace, columns=None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Check the file and output arguments every command shares, then read the CLD file(s) into DuckDB: the
    connection, for the command's work, in a transaction rolled back at the end (``load.scratch``)."""
    for f in args.cld:
        if not Path(f).is_file():
            raise UsageError(f"CLD file not found: {f}")
    if args.format == "xlsx" and not args.out:
        raise UsageError("--format xlsx needs --out FILE")
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        with scratch(con):
            try:
                load_cld_csv(con, args.cld, columns=columns)
            except (ValueError, duckdb.Error) as exc:
                raise UsageError(f"could not read CLD file(s): {str(exc).splitlines()[0]}") from None
            yield con
    finally:
        con.close()


def _emit(text: str | None, out: str | None) -> None:
    """JSON or CSV text to --out, else to standard output (xlsx has already been written: text is None)."""
    if text is None:
        return
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def _guarded(run_argv, prog: str, argv: list[str] | None) -> int:
    """Run a command: a usage error is one line on standard error and exit code 2; --help exits 0."""
    if argv is None:
        argv = sys.argv[1:]
    try:
        return run_argv(list(argv))
    except UsageError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)


def run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    start, end = parse_period(args.period)
    population = _parse_population(args.population)
    with _open_cld(args, columns=USED_COLUMNS) as con:  # what the measures read: a third of the file
        result = compute_measures(con, period_start=start, period_end=end, population=population)
        details = all_details(con) if args.detail else None
        la_ids = _la_ids(con) if args.detail else {}
    rows = figure_rows(result)
    if args.format == "json":
        text = json.dumps(result, indent=2) + "\n"
    elif args.format == "csv":
        text = _csv_text(rows, FIELDS)
    else:
        text = None
        _write_xlsx(args.out, rows, result["period"])
    _emit(text, args.out)
    if args.detail:
        d = Path(args.detail)
        d.mkdir(parents=True, exist_ok=True)
        for measure in MEASURE_KEYS:
            recs = details[measure]
            fields = (
                list(recs[0].keys())
                if recs
                else ["person_id", "age_band", "in_numerator", "in_denominator", "rule"]
            )
            recs, fields = _detail_rows(recs, fields, la_ids, args.with_nhs_numbers)
            (d / _safe_name(measure)).write_text(_csv_text(recs, fields), encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    return _guarded(run, "measures", argv)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())


# --------------------------------------------------------------------------------------------
# SALT: ``salt --cld FILE [FILE...] --period START:END [--format json|csv|xlsx] [--out FILE] [--detail DIR]``
# --------------------------------------------------------------------------------------------

SALT_FIELDS = ["table", "group", "row", "column", "count"]
SALT_DETAIL_FIELDS = ["person_id", "la_code", "unit", "group", "row", "column", "counted", "rule"]


def _salt_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="salt", description="Compute SALT-style tables from CLD file(s).", add_help=True)
    p.add_argument("--cld", nargs="+", required=True, metavar="FILE", help="CLD CSV file(s), optionally .gz")
    p.add_argument("--period", required=True, help="START:END, e.g. 2024-04-01:2025-03-31")
    p.add_argument("--format", default="json", choices=["json", "csv", "xlsx"])
    p.add_argument("--out", help="output file (default: stdout for json/csv; required for xlsx)")
    p.add_argument(
        "--detail", metavar="DIR", help="write one CSV per table of the people/episodes counted into DIR"
    )
    p.add_argument(
        "--with-nhs-numbers",
        action="store_true",
        help="detail files carry the CLD person id (the NHS number where there is one); by default only "
        "the LA person id",
    )
    return p


def salt_cell_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Flatten the SALT JSON to one row per cell: table, group, row, column, count."""
    out = []
    for table_id, t in result["tables"].items():
        for r in t["rows"]:
            for column, count in zip(t["columns"], r["cells"], strict=True):
                out.append(
                    {
                        "table": table_id,
                        "group": r["group"],
                        "row": r["label"],
                        "column": column,
                        "count": count,
                    }
                )
    return out


def _write_salt_xlsx(path: str, result: dict[str, Any]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for table_id, t in result["tables"].items():
        ws = wb.create_sheet(table_id)
        append_row(
            ws, [f"{table_id}: {t['title']}", f"{result['period']['start']} to {result['period']['end']}"]
        )
        append_row(ws, ["Group", "Row", *t["columns"]])
        for r in t["rows"]:
            append_row(ws, [r["group"], r["label"], *r["cells"]])
        ws.append([])
        for note in t["notes"]:
            append_row(ws, ["Note", note])
    wb.save(path)


def run_salt(argv: list[str]) -> int:
    from .salt import TABLE_IDS, salt_json, salt_tables

    args = _salt_parser().parse_args(argv)
    start, end = parse_period(args.period)
    with _open_cld(args) as con:
        tables = salt_tables(con, start, end)
        la_ids = _la_ids(con) if args.detail else {}
    result = salt_json(tables, start, end)
    if args.format == "json":
        text = json.dumps(result, indent=2) + "\n"
    elif args.format == "csv":
        text = _csv_text(salt_cell_rows(result), SALT_FIELDS)
    else:
        text = None
        _write_salt_xlsx(args.out, result)
    _emit(text, args.out)
    if args.detail:
        d = Path(args.detail)
        d.mkdir(parents=True, exist_ok=True)
        for table_id in TABLE_IDS:
            recs, fields = _detail_rows(
                tables[table_id].details, SALT_DETAIL_FIELDS, la_ids, args.with_nhs_numbers
            )
            (d / f"salt_{table_id}.csv").write_text(_csv_text(recs, fields), encoding="utf-8")
    return 0


def salt_main(argv: list[str] | None = None) -> int:
    return _guarded(run_salt, "salt", argv)
