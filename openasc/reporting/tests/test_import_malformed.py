"""A corpus of malformed CLD files: each is refused with an error naming the row and the field, nothing is written
to any table, and the set check (fastcheck) hands each to the row checker, which words the same errors whichever
way the import starts. Files a spreadsheet saves that are otherwise fine (a byte order mark) still load."""

from __future__ import annotations

import csv
import io

import pytest
from django.apps import apps

from openasc.reporting.importer.check import Checker, Plan, check_files
from openasc.reporting.importer.fastcheck import check_clean
from openasc.reporting.importer.rules import load_rules
from openasc.reporting.models import ImportRun, ImportStatus

from .test_import import FIELDS, request_row, review_row, run, service_row

WIDTH = len(FIELDS)
ROUTE = FIELDS.index("Request: Route of Access")


def csv_text(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def values(row: dict) -> list[str]:
    return [row.get(f, "") for f in FIELDS]


def good() -> list[list[str]]:
    return [values(review_row()), values(service_row())]


def truncated_mid_row() -> bytes:
    """The file cut off in the middle of its last row, in the middle of the route of access."""
    text = csv_text([FIELDS, *good(), values(request_row())])
    return text[: text.rindex("Community or other route") + len("Commun")].encode()


def truncated_in_quotes() -> bytes:
    row = values(request_row(**{"Event Description": "Seen at home, with her daughter"}))
    text = csv_text([FIELDS, *good(), row])
    return text[: text.rindex("with her")].encode()


def short_row() -> bytes:
    return csv_text(
        [FIELDS, values(review_row()), values(service_row())[:44], values(request_row())]
    ).encode()


def long_row() -> bytes:
    return csv_text([FIELDS, values(review_row()), [*values(service_row()), "x"]]).encode()


def trailing_comma() -> bytes:
    text = csv_text([FIELDS, *good()])
    lines = text.splitlines(keepends=True)
    return (lines[0] + lines[1] + lines[2].rstrip("\n") + ",\n").encode()


def with_header(header: list[str], extra: str) -> bytes:
    return csv_text([header, *[[*r, extra] for r in good()]]).encode()


def latin1() -> bytes:
    rows = [values(review_row()), values(request_row(**{"First Name": "Zoë"}))]
    return csv_text([FIELDS, *rows]).encode("latin-1")


def utf16() -> bytes:
    return csv_text([FIELDS, *good()]).encode("utf-16")


def one_bad(**change) -> bytes:
    """A clean review, then a service row with one value changed (row 3)."""
    return csv_text([FIELDS, values(review_row()), values(service_row(**change))]).encode()


def one_bad_request(**change) -> bytes:
    return csv_text([FIELDS, values(review_row()), values(request_row(**change))]).encode()


# (file, row, field, what the reason says)
CORPUS = {
    "truncated mid-row": (
        truncated_mid_row,
        4,
        FIELDS[ROUTE + 1],
        f"has {ROUTE + 1} fields but the first row has {WIDTH}",
    ),
    "truncated inside a quoted value": (truncated_in_quotes, 4, "Event Description", "never closed"),
    "too few fields": (short_row, 3, FIELDS[44], f"has 44 fields but the first row has {WIDTH}"),
    "too many fields": (
        long_row,
        3,
        f"Column {WIDTH + 1}",
        f"has {WIDTH + 1} fields but the first row has {WIDTH}",
    ),
    "an empty field too many": (trailing_comma, 3, f"Column {WIDTH + 1}", f"has {WIDTH + 1} fields"),
    "duplicate header": (
        lambda: with_header([*FIELDS, "unit cost"], "23.50"),
        1,
        "unit cost",
        f"has two columns: keep one (columns {FIELDS.index('Unit Cost') + 1} and {WIDTH + 1})",
    ),
    "unknown header": (lambda: with_header([*FIELDS, "Team"], "North"), 1, "Team", "Not a CLD field"),
    "a column with no name": (
        lambda: with_header([*FIELDS, ""], ""),
        1,
        f"Column {WIDTH + 1}",
        "A column with no name",
    ),
    "Latin-1 bytes": (latin1, 3, "First Name", "Not UTF-8 text"),
    "UTF-16": (utf16, 1, "", "UTF-16"),
    "a formula for a code": (
        lambda: one_bad(**{"Service Type": '=HYPERLINK("http://x.example/","click")'}),
        3,
        "Service Type",
        "Not a value of the Service Type list",
    ),
    "a formula for a client type": (
        lambda: one_bad(**{"Client Type": "=1+2"}),
        3,
        "Client Type",
        "Not a value of the Client Type list",
    ),
    "unit cost 1e30": (lambda: one_bad(**{"Unit Cost": "1e30"}), 3, "Unit Cost", "Must be a number"),
    "unit cost of 20 digits": (
        lambda: one_bad(**{"Unit Cost": "99999999999999999999"}),
        3,
        "Unit Cost",
        "Too large",
    ),
    "unit cost beyond what the record holds": (
        lambda: one_bad(**{"Unit Cost": "21474836.48"}),
        3,
        "Unit Cost",
        "Too large: at most 21474836.47",
    ),
    "planned units of 20 digits": (
        lambda: one_bad(**{"Planned units per week": "99999999999999999999"}),
        3,
        "Planned units per week",
        "Too large",
    ),
    "planned units 1e30": (
        lambda: one_bad(**{"Planned units per week": "1e30"}),
        3,
        "Planned units per week",
        "Must be a number",
    ),
    "negative planned units": (
        lambda: one_bad(**{"Planned units per week": "-3"}),
        3,
        "Planned units per week",
        "Cannot be negative",
    ),
    "full-width unit cost": (lambda: one_bad(**{"Unit Cost": "２３.５０"}), 3, "Unit Cost", "digits 0-9"),
    "Arabic-Indic planned units": (
        lambda: one_bad(**{"Planned units per week": "١٠"}),
        3,
        "Planned units per week",
        "digits 0-9",
    ),
    "full-width whole number": (
        lambda: one_bad(**{"No. of adults being cared for": "１"}),
        3,
        "No. of adults being cared for",
        "digits 0-9",
    ),
    "full-width date": (
        lambda: one_bad(**{"Event Start Date": "２０２４-０６-１０"}),
        3,
        "Event Start Date",
        "digits 0-9",
    ),
    "full-width NHS number": (
        lambda: one_bad(**{"NHS Number": "".join(chr(ord(c) + 0xFEE0) for c in review_row()["NHS Number"])}),
        3,
        "NHS Number",
        "digits 0-9",
    ),
    "a sign inside a date": (
        lambda: one_bad(**{"Event Start Date": "2024-+6-10"}),
        3,
        "Event Start Date",
        "Not a date",
    ),
    "blank reporting period end": (
        lambda: one_bad_request(**{"Reporting Period End Date": ""}),
        3,
        "Reporting Period End Date",
        "Required",
    ),
    "no reporting period end column": (
        lambda: csv_text(
            [
                [f for f in FIELDS if f != "Reporting Period End Date"],
                [
                    v
                    for f, v in zip(FIELDS, values(review_row()), strict=True)
                    if f != "Reporting Period End Date"
                ],
            ]
        ).encode(),
        1,
        "Reporting Period End Date",
        "No 'Reporting Period End Date' column",
    ),
    "born 9999-12-31": (
        lambda: one_bad_request(**{"Date of Birth": "9999-12-31"}),
        3,
        "Date of Birth",
        "In the future",
    ),
    "born 2099-01-01": (
        lambda: one_bad_request(**{"Date of Birth": "2099-01-01"}),
        3,
        "Date of Birth",
        "In the future",
    ),
    "born after the reporting period": (
        lambda: one_bad_request(**{"Date of Birth": "2025-04-01"}),
        3,
        "Date of Birth",
        "After the end of the reporting period",
    ),
    "born in 1850": (
        lambda: one_bad_request(**{"Date of Birth": "1850-01-01"}),
        3,
        "Date of Birth",
        "Before 1900",
    ),
}


def table_counts() -> dict[str, int]:
    """Rows in every table (but the import runs, which record the refusal)."""
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m is not ImportRun}


@pytest.mark.parametrize("case", list(CORPUS))
def test_a_malformed_file_is_refused_naming_the_row_and_field_and_writes_nothing(staff, tmp_path, case):
    make, row, field, reason = CORPUS[case]
    path = tmp_path / "cld.csv"
    path.write_bytes(make())
    before = table_counts()
    code, out, err = run([path])
    assert code == 1, out + err
    assert "Nothing was loaded" in err
    assert table_counts() == before
    assert ImportRun.objects.get().status == ImportStatus.REJECTED
    with (tmp_path / "cld.errors.csv").open(encoding="utf-8") as f:
        errors = list(csv.DictReader(f))
    assert (errors[0]["Row"], errors[0]["Field"]) == (str(row), field), errors
    assert reason in errors[0]["Reason"], errors
    # the set check does not take it, and both checks report the same errors
    plan = Plan(files=["cld.csv"])
    assert check_clean(Checker(load_rules(), plan, lambda issue: None), [path], ["cld.csv"]) is False
    fast, slow = check_files([path]), check_files([path], fast=False)
    assert [(e.row, e.field, e.value, e.reason) for e in fast.errors] == [
        (e.row, e.field, e.value, e.reason) for e in slow.errors
    ]
    assert not fast.ok and not fast.events and not fast.people


@pytest.mark.parametrize("case", ["a formula for a code", "a formula for a client type"])
def test_the_error_report_holds_no_live_formula(staff, tmp_path, case):
    """A value starting with = (or + - @) would run as a formula when the error report is opened in a
    spreadsheet: the report gives it as text."""
    path = tmp_path / "cld.csv"
    path.write_bytes(CORPUS[case][0]())
    assert run([path])[0] == 1
    with (tmp_path / "cld.errors.csv").open(encoding="utf-8") as f:
        cells = [c for r in csv.reader(f) for c in r]
    assert any("HYPERLINK" in c or "1+2" in c for c in cells)
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]


def test_a_byte_order_mark_still_loads(staff, tmp_path):
    path = tmp_path / "cld.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_text([FIELDS, *good(), values(request_row())]).encode())
    code, out, err = run([path])
    assert code == 0, out + err
    assert ImportRun.objects.get().status == ImportStatus.LOADED
    assert ImportRun.objects.get().counts["people created"] == 1
    assert check_clean(
        Checker(load_rules(), Plan(files=["cld.csv"]), lambda issue: None), [path], ["cld.csv"]
    )
