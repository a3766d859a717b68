"""Presenters on unsaved notes: a restricted note shows nothing of its words, tags on each side, escaping."""

from __future__ import annotations

import datetime as dt

from openasc.casenotes import presenters
from openasc.casenotes.models import CaseNote, CaseNoteVersion
from openasc.core.models import User
from openasc.people.models import Contact
from openasc.planning.models import Plan

WHEN = dt.datetime(2026, 7, 1, 13, 5, tzinfo=dt.UTC)  # 14:05 in British Summer Time


def note(**kw) -> CaseNote:
    fields = {
        "pk": 7,
        "kind": "meeting",
        "occurred_at": WHEN,
        "created_at": WHEN,
        "subject": "Best interests meeting",
        "body": "Agreed a trial at the day centre.",
        "author": User(first_name="Sam", last_name="Worthing", username="sam"),
        "version": 1,
        "person_id": 3,
    }
    fields.update(kw)
    return CaseNote(**fields)


def test_dates_are_uk_time():
    assert presenters.when(WHEN) == "1 July 2026, 14:05"
    assert presenters.when(None) == ""


def test_a_restricted_row_has_date_and_kind_only():
    n = note(sensitive=True)
    n.can_read = False
    [row] = presenters.list_rows([n])
    assert row["title"] == "A sensitive note (restricted)" and row["meta"] == "1 July 2026, 14:05 · Meeting"
    assert "Best interests" not in repr(row) and "day centre" not in repr(row) and "Sam" not in repr(row)


def test_a_readable_row_has_its_subject_author_tags_and_addenda():
    n = note(sensitive=True, version=2)
    n.can_read, n.addenda_count = True, 1
    [row] = presenters.list_rows([n])
    assert row["title"] == "Best interests meeting"
    assert row["meta"] == "1 July 2026, 14:05 · Meeting · by Sam Worthing · 1 addendum"
    assert [t["text"] for t in row["tags"]] == ["Sensitive", "Edited"]
    n.addenda_count, n.version, n.sensitive = 2, 1, False
    [row] = presenters.list_rows([n])
    assert row["meta"].endswith("2 addenda") and row["tags"] == []


def test_a_long_body_is_cut_to_an_excerpt():
    n = note(body="word " * 100)
    n.can_read = True
    [row] = presenters.list_rows([n])
    assert len(row["summary"]) == 160 and row["summary"].endswith("…")


def test_summary_escapes_who_was_present_and_names_the_link():
    n = note(present="<script>x</script>\nDr Patel (GP)", plan=Plan(pk=4, version=2))
    html = str(presenters.summary_rows(n, [Contact(name="Jean", kind="family")])[3]["value"]["html"])
    assert html == "&lt;script&gt;x&lt;/script&gt;<br>Dr Patel (GP)<br>Jean (family member)"
    about = presenters.summary_rows(n)[2]
    assert about["key"]["text"] == "About"
    assert (
        str(about["value"]["html"])
        == '<a class="govuk-link" href="/plans/4">Care and support plan, version 2</a>'
    )
    assert presenters.summary_rows(note())[2]["value"] == {"text": "Not recorded"}


def test_version_rows_newest_first():
    author = User(first_name="Sam", last_name="Worthing", username="sam")
    rows = presenters.version_rows(
        [
            CaseNoteVersion(version=1, saved_at=WHEN, saved_by=author),
            CaseNoteVersion(version=2, saved_at=WHEN + dt.timedelta(minutes=9), saved_by=author, reason=""),
        ]
    )
    assert [r[0]["text"] for r in rows] == ["2", "1"]
    assert [r[3]["text"] for r in rows] == ["No reason given", "First written"]


def test_paragraphs_and_earlier_versions():
    assert presenters.paragraphs("One.\n\n  Two.  \n") == ["One.", "Two."]
    assert presenters.paragraphs("") == []
    author = User(username="sam")
    versions = [
        CaseNoteVersion(version=v, subject=f"S{v}", body=f"B{v}\nmore", saved_at=WHEN, saved_by=author)
        for v in (1, 2, 3)
    ]
    assert presenters.earlier_versions(versions) == [
        {"version": 2, "subject": "S2", "paragraphs": ["B2", "more"]},
        {"version": 1, "subject": "S1", "paragraphs": ["B1", "more"]},
    ]
