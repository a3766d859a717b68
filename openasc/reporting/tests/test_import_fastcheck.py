"""The set check of clean files (importer/fastcheck.py) keeps exactly what the row checker keeps, and hands every
file it cannot vouch for to the row checker."""

from __future__ import annotations

import datetime as dt
import gzip

import pytest

from openasc.reporting.engine.synth import write_synthetic_cld
from openasc.reporting.importer import fastcheck
from openasc.reporting.importer.check import Checker, Plan, check_files
from openasc.reporting.importer.fastcheck import _scan, check_clean
from openasc.reporting.importer.rules import load_rules

from .test_import import (
    CARER,
    FIELDS,
    NHS1,
    assessment_row,
    carer_assessment_row,
    request_row,
    review_row,
    service_row,
    write,
)

pytestmark = pytest.mark.django_db

Q1 = {"Reporting Period Start Date": "2024-01-01", "Reporting Period End Date": "2024-12-31"}
Q2 = {"Reporting Period Start Date": "2024-04-01", "Reporting Period End Date": "2025-03-31"}


def comparable(plan: Plan) -> dict:
    """What a plan holds, without the rows' order across the files (numbered differently by the two checks)."""
    return {
        "rows": plan.rows,
        "submissions": plan.submissions,
        "cropped": plan.cropped,
        "errors": plan.error_count,
        "events": {k: ((*rank[:3], rank[4]), row) for k, (rank, row) in plan.events.items()},
        "people": {k: ((rank[0], rank[2]), row) for k, (rank, row) in plan.people.items()},
        "links": plan.links,
        "warnings": {k: (w.count, w.first_row, w.file) for k, w in plan.warnings.items()},
    }


def both(paths) -> tuple[Plan, Plan]:
    """The plans of the set check and of the row checker, for files the set check must take."""
    checker = Checker(load_rules(), Plan(files=[p.name for p in paths]), lambda issue: None)
    assert check_clean(checker, paths, [p.name for p in paths]), "the set check should have taken these files"
    return check_files(paths), check_files(paths, fast=False)


def mixed_rows() -> list[dict]:
    """Two stacked submissions with most of what a council's file holds."""
    return [
        request_row(**Q1, **{"Event End Date": "", "Event Outcome": "", "First Name": "Adah"}),
        request_row(
            **Q2,
            **{"Event End Date": "2025-01-10", "Event Outcome": "NFA: Information and advice or signposting"},
        ),
        assessment_row(**Q1, **{"Event End Date": "", "Event Outcome": ""}),  # cropped: gone from Q2
        service_row(
            **Q1, **{"Service Type": "Long Term Support: Nursing Care", "Client Type": "Service User"}
        ),
        service_row(**Q2, **{"Unit Cost": "25.5", "Planned units per week": " 7 ", "Gender": "Non-binary"}),
        review_row(
            **Q2, **{"NHS Number": "", "Event Start Date": "01/09/2024", "Event Outcome": "NFA - Deceased"}
        ),
        review_row(
            **Q2,
            **{
                "LA Person Unique Identifier": "P1-OLD",
                "Review Reason": "Annual",
                "Event Start Date": "2024-10-01",
                "Event End Date": "NULL",
                "Event Outcome": "",
            },
        ),
        carer_assessment_row(**Q2, **{"Client Type": "Carer"}),
        carer_assessment_row(**Q1, **{"Event Start Date": "2024-06-01", "Adult 2 Linked Person_ID": NHS1}),
        {
            **CARER,
            **Q2,
            "Event Type": "Service",
            "Event Start Date": "2024-08-01",
            "Event End Date": "",
            "Service Type": "Long term support: Community",
            "Service Component": "Direct payment",
            "Unit Cost": "150",
            "Cost Frequency (Unit Type)": "Weekly",
        },
    ]


def test_same_plan_for_a_hand_made_file_with_most_of_what_a_council_sends(tmp_path):
    path = write(tmp_path / "cld.csv", mixed_rows(), fields=[*FIELDS, "LA Code"])  # (a CLD field not stored)
    fast, slow = both([path])
    assert comparable(fast) == comparable(slow)
    assert fast.submissions == 2 and fast.cropped >= 1 and fast.links
    assert {w.reason.split(":")[0] for w in fast.warnings.values()} >= {
        "Release 1 value, stored as the Release 2 value 'Long term support",
        "Unfamiliar value",
    }


def test_same_plan_for_two_files_one_gzipped(tmp_path):
    rows = mixed_rows()
    first = write(tmp_path / "a.csv", rows[:5])
    second = write(tmp_path / "b.csv.gz", rows[5:], gz=True)
    fast, slow = both([first, second])
    assert comparable(fast) == comparable(slow)
    assert {w.file for w in fast.warnings.values()} <= {"a.csv", "b.csv.gz"}


def test_same_plan_for_a_synthetic_council(tmp_path):
    path = tmp_path / "synthetic.csv"
    write_synthetic_cld(path, people=300, seed=7, period_end=dt.date(2025, 3, 31))
    fast, slow = both([path])
    assert comparable(fast) == comparable(slow)
    assert len(fast.events) > 800 and fast.submissions == 4 and fast.warnings


@pytest.mark.parametrize(
    "spoil",
    [
        "blank line",
        "trailing tab",
        "invalid value",
        "line break in a value",
        "bad NHS number",
        "missing required field",
        "row of empty fields",
        "unit separator in a value",
    ],
)
def test_files_it_cannot_vouch_for_go_to_the_row_checker(tmp_path, spoil):
    rows = [request_row(), assessment_row(), review_row()]
    if spoil == "trailing tab":
        rows[1]["Assessment Type"] += "\t"
    elif spoil == "invalid value":
        rows[1]["Client Type"] = "Customer"
    elif spoil == "line break in a value":
        rows[2]["Event Description"] = "Reviewed at home,\nwith her daughter"
    elif spoil == "bad NHS number":
        rows[0]["NHS Number"] = "1234567890"
    elif spoil == "missing required field":
        rows[2]["Review Reason"] = ""
    elif spoil == "unit separator in a value":  # the character the set check joins a row's values with
        rows[0]["Event Description"] = "Referred by\x1fher GP"
    path = write(tmp_path / "cld.csv", rows)
    if spoil in ("blank line", "row of empty fields"):
        text = path.read_text().splitlines(keepends=True)
        empty = "\n" if spoil == "blank line" else "," * (len(FIELDS) - 1) + "\n"
        path.write_text("".join([*text[:2], empty, *text[2:]]))
    plan = Plan(files=["cld.csv"])
    assert check_clean(Checker(load_rules(), plan, lambda issue: None), [path], ["cld.csv"]) is False
    assert (plan.rows, plan.events, plan.people, plan.warnings) == (0, {}, {}, {})  # untouched
    fast, slow = check_files([path]), check_files([path], fast=False)
    assert comparable(fast) == comparable(slow)
    assert [(e.row, e.field, e.reason) for e in fast.errors] == [
        (e.row, e.field, e.reason) for e in slow.errors
    ]
    assert fast.ok == (
        spoil in ("blank line", "trailing tab", "line break in a value", "unit separator in a value")
    )


def test_gzip_detected_by_content_not_name(tmp_path):
    path = write(tmp_path / "cld.csv", [request_row(), review_row()])
    path.write_bytes(gzip.compress(path.read_bytes()))
    fast, slow = both([path])
    assert comparable(fast) == comparable(slow)


@pytest.mark.parametrize("shape", ["byte order mark", "Windows line endings", "no line break at the end"])
def test_same_plan_for_the_shapes_spreadsheets_save(tmp_path, shape):
    path = write(tmp_path / "cld.csv", mixed_rows())
    data = path.read_bytes()
    if shape == "byte order mark":
        data = b"\xef\xbb\xbf" + data
    elif shape == "Windows line endings":
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    else:
        data = data.rstrip(b"\r\n")
    path.write_bytes(data)
    fast, slow = both([path])
    assert comparable(fast) == comparable(slow)
    assert fast.rows == len(mixed_rows())


def test_text_beyond_ascii_is_taken_by_the_set_check(tmp_path):
    """Names with accents make the file not plain ASCII: the ends of its values are then compared one by one with
    what the row checker would make of them (and here they agree)."""
    rows = mixed_rows()
    rows[0]["First Name"] = "Zoë"
    rows[3]["Last Name"] = "Ó Súilleabháin"
    rows[4]["Last Name"] += "\u00a0"  # a no-break space: DuckDB's trim() takes it off, as str.strip() does
    path = write(tmp_path / "cld.csv", rows)
    assert _scan(path)[2] is False
    fast, slow = both([path])
    assert comparable(fast) == comparable(slow)
    last_names = {row[FIELDS.index("Last Name")] for _, row in fast.events.values()}
    assert {"Ó Súilleabháin", "Lovelace"} <= last_names


@pytest.mark.parametrize(
    ("data", "plain"),
    [
        (b"a,b\r\n1,2\r\n", True),
        (b"\xef\xbb\xbfa,b\n1, 2\n", True),
        (b"a,b\n1,\xc3\xa9\n", False),
        (b"a,b\n1,2\t\n", False),
        (b"a,b\r1,2\n", False),
        (b"a,b\n\xef\xbb\xbf1,2\n", False),
    ],
)
def test_a_plain_file_is_printable_ascii_and_line_breaks(tmp_path, data, plain):
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    lines, gz, is_plain = _scan(path)
    assert (lines, gz, is_plain) == (data.count(b"\n"), False, plain)


@pytest.mark.parametrize("data", [b"a,b\r\n1,2\r\n", b"a,b\r\n1,2\n3,4\r", b"a,b\r1,2\n", b"ab\ncd\r\nef\n"])
@pytest.mark.parametrize("chunk", [1, 2, 3, 4, 5])
def test_the_scan_gives_the_same_verdict_whatever_the_chunks(tmp_path, monkeypatch, data, chunk):
    """A carriage return at the end of one chunk and its line feed at the start of the next still make a pair; a
    chunk with no carriage return is not counted again."""
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    whole = _scan(path)
    monkeypatch.setattr(fastcheck, "CHUNK", chunk)
    assert _scan(path) == whole
    assert whole[2] == (data.count(b"\r") == data.count(b"\r\n"))


def test_same_plan_at_the_edges_of_what_is_allowed(tmp_path):
    """A date of birth on the last day of the reporting period or on 1 January 1900, no planned units, a unit cost
    of the most the record holds: allowed, and the set check takes them as the row checker does."""
    rows = [
        request_row(**{"Date of Birth": "2025-03-31"}),
        review_row(**{"NHS Number": "", "LA Person Unique Identifier": "P9", "Date of Birth": "01/01/1900"}),
        service_row(**{"Planned units per week": "0", "Unit Cost": "21474836.47"}),
    ]
    path = write(tmp_path / "cld.csv", rows)
    fast, slow = both([path])
    assert comparable(fast) == comparable(slow)
    assert fast.ok and len(fast.events) == 3
