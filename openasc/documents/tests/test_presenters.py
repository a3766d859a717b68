"""How documents read, on unsaved objects: dates and money in words, the kind and size of a file, escaping."""

from __future__ import annotations

import datetime as dt

import pytest

from openasc.assessments.models import Assessment
from openasc.core.models import User
from openasc.documents import presenters
from openasc.documents.models import Document, DocumentKind
from openasc.people.models import Person
from openasc.planning.models import Plan, PlanNeed


def test_dates_in_words():
    assert presenters.long_date(dt.date(2026, 12, 3)) == "3 December 2026"
    assert presenters.long_date(None) == ""


@pytest.mark.parametrize(
    "agreed,indicative,words",
    [
        (28750, None, "£287.50 a week (agreed)"),
        (0, 5000, "£0.00 a week (agreed)"),  # a zero budget is still a budget
        (None, 5000, "£50.00 a week (indicative, not yet agreed)"),
        (None, None, ""),
    ],
)
def test_the_weekly_budget(agreed, indicative, words):
    plan = Plan(agreed_weekly_pence=agreed, indicative_weekly_pence=indicative)
    assert presenters.weekly_budget(plan) == words


@pytest.mark.parametrize(
    "kind,eligible,starts",
    [
        ("needs", True, "You have eligible needs for care and support"),
        ("carer", True, "You have eligible needs for support as a carer"),
        ("needs", False, "You do not have eligible needs"),
        ("needs", None, "A decision about your eligibility has not been made yet."),
    ],
)
def test_the_eligibility_outcome_in_plain_words(kind, eligible, starts):
    assert presenters.eligibility_words(Assessment(kind=kind, eligible=eligible)).startswith(starts)


def test_how_each_need_is_met_with_who_and_when():
    needs = [
        PlanNeed(
            outcome_code="nutrition", description="Help with lunch", who="Bluebell Home Care", when="Daily"
        ),
        PlanNeed(outcome_code="hygiene", description="Son helps"),
    ]
    assert presenters.need_lines(needs) == [
        "Managing and maintaining nutrition: Help with lunch (Bluebell Home Care, Daily)",
        "Maintaining personal hygiene: Son helps",
    ]


def test_the_address_one_part_a_line():
    person = Person(address_line_1="4 Mill Lane", address_line_2="", town="Northby", postcode="NS1 4AB")
    assert presenters.address(person) == "4 Mill Lane\nNorthby\nNS1 4AB"


@pytest.mark.parametrize(
    "content_type,size,words",
    [
        ("application/pdf", 2048, "PDF, 2 KB"),
        ("image/jpeg", 1, "JPEG image, 1 byte"),
        (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            1536,
            "Word document, 1.5 KB",
        ),
    ],
)
def test_an_attachments_kind_and_size(content_type, size, words):
    doc = Document(kind=DocumentKind.ATTACHMENT, content_type=content_type, size=size)
    assert presenters.type_text(doc) == words


def test_a_letters_kind_says_its_version():
    assert presenters.type_text(Document(kind=DocumentKind.LETTER, version=1)) == "Letter"
    assert presenters.type_text(Document(kind=DocumentKind.LETTER, version=3)) == "Letter, version 3"


def test_a_title_a_worker_typed_is_escaped_in_the_list():
    user = User(username="w", first_name="Wendy", last_name="Ward")
    doc = Document(
        pk=7,
        kind=DocumentKind.LETTER,
        title="<script>x</script>",
        created_by=user,
        version=1,
        created_at=dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC),
    )
    rows = presenters.document_rows([doc], lambda pk: f"/documents/{pk}")
    assert (
        rows[0][0]["html"] == '<a class="govuk-link" href="/documents/7">&lt;script&gt;x&lt;/script&gt;</a>'
    )
    assert (
        rows[0][2] == {"text": "The person"} and rows[0][3]["text"] == "3 December 2026, 10:00 by Wendy Ward"
    )


def test_paragraphs_split_at_blank_lines():
    assert presenters.paragraphs("Dear Edith\n\nLine one\nline two\r\n\r\n\n\nYours") == [
        "Dear Edith",
        "Line one\nline two",
        "Yours",
    ]


@pytest.mark.parametrize(
    "value,words",
    [
        (
            "Direct payment",
            "A direct payment: the council pays the money to you, and you arrange your support",
        ),
        ("CASSR commissioned support", "The council arranges your support with care providers"),
        ("", "Not decided yet"),
        ("Something new", "Something new"),
    ],
)
def test_how_the_budget_is_managed_in_plain_words(value, words):
    assert presenters.managed_words(value) == words
