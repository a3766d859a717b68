# ruff: noqa: C408  (dict(...) keeps the worked CLD rows readable)
"""CSV loading, the command line, and the synthetic generator."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json

import duckdb
import pytest

from openasc.reporting.engine import cli
from openasc.reporting.engine.load import load_cld_csv
from openasc.reporting.engine.measures import compute_measures, measure_detail
from openasc.reporting.engine.schema import CLD_COLUMNS
from openasc.reporting.engine.synth import write_synthetic_cld

from .conftest import cld_con, make_rows

PS, PE = dt.date(2024, 4, 1), dt.date(2025, 3, 31)
COMM = "Long term support: Community"

ROWS = [
    dict(
        person="A",
        type="Service",
        start="2024-05-01",
        end="2024-05-31",
        service="Short term support: ST-Max",
        outcome="NFA: Support ended as planned",
        Unit_Cost="25.50",
        Cost_Frequency_Unit_Type="Hourly",
    ),
    dict(
        person="B",
        type="Service",
        start="2024-05-01",
        end="2024-05-31",
        service="Short term support: ST-Max",
        outcome="NFA: Other",
    ),
    dict(
        person="B",
        type="Service",
        start="2024-06-03",
        service=COMM,
        component="Home support or domiciliary care",
        dm="Direct payment",
        accom="Owner occupier or shared ownership scheme",
    ),
    dict(
        person="C",
        type="Service",
        start="2024-07-01",
        service="Long term support: Residential care",
        component="Long term residential care",
        dob="1950-02-02",
    ),
    dict(
        person="D",
        client="Unpaid carer",
        type="Service",
        start="2024-06-01",
        end="2024-08-01",
        service="Unpaid carer support: Direct to unpaid carer",
        component="Unpaid carer respite",
        dm="CASSR managed personal budget",
    ),
]


def write_csv(path, rows, *, uk_dates=False, opener=open):
    recs = make_rows(rows)
    with opener(path, "wt", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([sub for sub, _, _ in CLD_COLUMNS])
        for r in recs:
            out = []
            for _sub, db, _typ in CLD_COLUMNS:
                v = r.get(db)
                if isinstance(v, dt.date):
                    v = v.strftime("%d/%m/%Y") if uk_dates else v.isoformat()
                out.append("" if v is None else v)
            w.writerow(out)


@pytest.mark.parametrize("uk_dates,gz", [(False, False), (True, True)])
def test_csv_load_matches_direct_insert(tmp_path, uk_dates, gz):
    path = tmp_path / ("cld.csv.gz" if gz else "cld.csv")
    write_csv(path, ROWS, uk_dates=uk_dates, opener=gzip.open if gz else open)
    con = duckdb.connect()
    assert load_cld_csv(con, [path]) == 5
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE cld_input)").fetchall())
    assert types["Event_Start_Date"] == "DATE" and types["Unit_Cost"] == "DECIMAL(18,2)"
    assert types["No_of_adults_being_cared_for"] == "INTEGER" and types["Gender"] == "VARCHAR"
    assert con.execute("SELECT COUNT(*) FROM cld_input WHERE Event_End_Date IS NULL").fetchone()[0] == 2
    from_csv = compute_measures(con, period_start=PS, period_end=PE, population={"65+": 1000})
    direct = compute_measures(cld_con(ROWS), period_start=PS, period_end=PE, population={"65+": 1000})
    assert from_csv == direct
    assert from_csv["measures"]["2A"]["Total"] == {"numerator": 1, "denominator": 2, "outcome": 50.0}
    assert from_csv["measures"]["2C"]["65 and above"] == {
        "numerator": 1,
        "denominator": 1000,
        "outcome": 100.0,
    }
    assert from_csv["measures"]["3D 1b"]["Total"] == {"numerator": 1, "denominator": 1, "outcome": 100.0}


def test_load_two_files_stacks_submissions(tmp_path):
    write_csv(tmp_path / "a.csv", [dict(r, rps="2023-07-01", rpe="2024-06-30") for r in ROWS[:2]])
    write_csv(tmp_path / "b.csv", ROWS)
    con = duckdb.connect()
    assert load_cld_csv(con, [tmp_path / "a.csv", tmp_path / "b.csv"]) == 7
    res = compute_measures(con, period_start=PS, period_end=PE)
    assert res["measures"]["2A"]["Total"] == {"numerator": 1, "denominator": 2, "outcome": 50.0}


def test_load_rejects_non_cld_file(tmp_path):
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ValueError):
        load_cld_csv(duckdb.connect(), [tmp_path / "x.csv"])


def test_cli_json_csv_xlsx_and_detail(tmp_path, capsys):
    path = tmp_path / "cld.csv"
    write_csv(path, ROWS)
    args = ["--cld", str(path), "--period", "2024-04-01:2025-03-31", "--population", "65+=1000"]
    assert cli.main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["period"] == {"start": "2024-04-01", "end": "2025-03-31"}
    assert out["measures"]["2C"]["65 and above"]["outcome"] == 100.0

    assert (
        cli.main(
            [*args, "--format", "csv", "--out", str(tmp_path / "m.csv"), "--detail", str(tmp_path / "d")]
        )
        == 0
    )
    rows = list(csv.DictReader((tmp_path / "m.csv").read_text(encoding="utf-8").splitlines()))
    assert list(rows[0]) == ["measure", "age_group", "gender", "numerator", "denominator", "outcome"]
    total_2a = next(r for r in rows if r["measure"] == "2A" and r["age_group"] == "Total")
    assert (total_2a["numerator"], total_2a["denominator"], total_2a["outcome"]) == ("1", "2", "50.0")
    e2 = [r for r in rows if r["measure"] == "2E" and r["age_group"] == "65 and above"]
    assert [r["gender"] for r in e2] == ["Total", "Male", "Female"]
    assert len(rows) == 3 + 1 + 1 + 6 + 3 + 4 * 3
    detail = list(csv.DictReader((tmp_path / "d" / "ascof_2A.csv").read_text(encoding="utf-8").splitlines()))
    assert len(detail) == 2 and sum(r["in_numerator"] == "True" for r in detail) == 1
    assert (tmp_path / "d" / "ascof_3D_1b.csv").exists()

    assert cli.main([*args, "--format", "xlsx", "--out", str(tmp_path / "m.xlsx")]) == 0
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "m.xlsx").active
    values = [[c.value for c in r] for r in ws.iter_rows()]
    assert values[1] == ["measure", "age_group", "gender", "numerator", "denominator", "outcome"]
    assert ["2C", "65 and above", None, 1, 1000, 100.0] in values or [
        "2C",
        "65 and above",
        "",
        1,
        1000,
        100.0,
    ] in values


@pytest.mark.parametrize(
    "bad",
    [
        ["--period", "2024-04-01:2025-03-31"],  # no --cld
        ["--cld", "missing.csv", "--period", "2024-04-01:2025-03-31"],
        ["--cld", "X", "--period", "2024/04/01-2025/03/31"],
        ["--cld", "X", "--period", "2025-04-01:2024-03-31"],
        ["--cld", "X", "--period", "2024-04-01:2025-03-31", "--population", "65=12"],
        ["--cld", "X", "--period", "2024-04-01:2025-03-31", "--format", "pdf"],
        ["--cld", "X", "--period", "2024-04-01:2025-03-31", "--format", "xlsx"],
    ],
)
def test_cli_bad_arguments_exit_2(tmp_path, capsys, bad):
    path = tmp_path / "cld.csv"
    write_csv(path, ROWS)
    argv = [str(path) if a == "X" else a for a in bad]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("measures: error:") and "\n" not in err


def test_synthetic_file_is_deterministic_and_computable(tmp_path):
    p1, p2 = tmp_path / "s1.csv.gz", tmp_path / "s2.csv"
    n1 = write_synthetic_cld(p1, people=300, seed=3, period_end=PE)
    n2 = write_synthetic_cld(p2, people=300, seed=3, period_end=PE)
    assert n1 == n2 and n1 > 1000
    con = duckdb.connect()
    assert load_cld_csv(con, [p1]) == n1
    assert (
        con.execute(
            "SELECT COUNT(DISTINCT (Reporting_Period_Start_Date, Reporting_Period_End_Date)) FROM cld_input"
        ).fetchone()[0]
        == 4
    )
    res = compute_measures(con, period_start=PS, period_end=PE, population={"18-64": 10000, "65+": 4000})[
        "measures"
    ]
    con2 = duckdb.connect()
    load_cld_csv(con2, [p2])
    assert (
        compute_measures(con2, period_start=PS, period_end=PE, population={"18-64": 10000, "65+": 4000})[
            "measures"
        ]
        == res
    )
    assert res["2A"]["Total"]["denominator"] > 10
    assert 0 < res["2A"]["Total"]["numerator"] < res["2A"]["Total"]["denominator"]
    assert res["3D 1a"]["Total"]["denominator"] > 10
    assert res["3D 1b"]["Total"]["denominator"] > 0
    assert res["2E"]["65 and above"]["Total"]["denominator"] > 10


def test_detail_rows_add_up_to_the_figures(tmp_path):
    path = tmp_path / "s.csv"
    write_synthetic_cld(path, people=400, seed=11, period_end=PE)
    con = duckdb.connect()
    load_cld_csv(con, [path])
    res = compute_measures(con, period_start=PS, period_end=PE, population={"18-64": 1000, "65+": 1000})[
        "measures"
    ]
    for measure in ("2A", "3D 1a", "3D 2a", "3D 1b", "3D 2b"):
        det = measure_detail(con, measure=measure, period_start=PS, period_end=PE)
        assert res[measure]["Total"]["numerator"] == sum(d["in_numerator"] for d in det)
        assert res[measure]["Total"]["denominator"] == sum(d["in_denominator"] for d in det)
        for band in ("18 to 64", "65 and above"):
            assert res[measure][band]["denominator"] == sum(
                d["in_denominator"] for d in det if d["age_band"] == band
            )
    for measure, band in (("2B", "18 to 64"), ("2C", "65 and above")):
        det = measure_detail(con, measure=measure, period_start=PS, period_end=PE)
        assert res[measure][band]["numerator"] == sum(d["in_numerator"] for d in det)
    for measure in ("2E", "2E LD"):
        det = measure_detail(con, measure=measure, period_start=PS, period_end=PE)
        for band, figs in res[measure].items():
            rows = [d for d in det if d["age_band"] == band]
            assert figs["Total"]["denominator"] == sum(d["in_denominator"] for d in rows)
            assert figs["Female"]["numerator"] == sum(
                d["in_numerator"] for d in rows if d["gender"] == "Female"
            )
    assert res["2A"]["Total"]["denominator"] > 0 and res["2E"]["65 and above"]["Total"]["denominator"] > 0


def test_cli_help_returns_0(capsys):
    assert cli.main(["--help"]) == 0
    assert "--period" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["measures", "salt"])
def test_openasc_file_route_runs_the_engine_without_django(tmp_path, command):
    """`openasc measures|salt --cld FILE` reads the file and nothing else: it must not start Django (a second of
    the bench's measures-from-file figure), and gives what the engine's own command line gives."""
    import os
    import subprocess
    import sys

    path = tmp_path / "cld.csv"
    write_csv(path, ROWS)
    out = tmp_path / "out.json"
    script = (
        "import sys\n"
        "from openasc import cli\n"
        "try:\n"
        f"    cli.main([{command!r}, '--cld', {str(path)!r}, '--period', '2024-04-01:2025-03-31', "
        f"'--out', {str(out)!r}])\n"
        "except SystemExit as exc:\n"
        "    print('exit', exc.code, 'django' if 'django.apps' in sys.modules else 'no django')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert proc.stdout.strip() == "exit 0 no django", proc.stderr
    got = json.loads(out.read_text(encoding="utf-8"))
    engine = cli.main if command == "measures" else cli.salt_main
    assert (
        engine(["--cld", str(path), "--period", "2024-04-01:2025-03-31", "--out", str(tmp_path / "e.json")])
        == 0
    )
    assert got == json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
