"""Findings 10 and 12 at the shared edge: one normalisation of text and digits, lengths and dates checked before the
database, and the drafts endpoint answering bad bodies with 400 rather than 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from openasc.core import nhs_number, validation
from openasc.core.models import FormDraft

ARABIC_INDIC = "٤٥٢٠٨٨٥٠٠٠"  # 4520885000, a valid NHS number
FULL_WIDTH = "４５２０８８５０００"


# -- digits ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [ARABIC_INDIC, FULL_WIDTH, "४५२०८८५०००", "452 088 5000", "4520885000"])
def test_digits_in_any_script_are_the_same_nhs_number(text):
    assert nhs_number.normalise(text) == "4520885000"
    assert nhs_number.validate(text) == "4520885000"


def test_ascii_digits_keeps_other_text():
    assert validation.ascii_digits("£１８.５０") == "£18.50"
    assert validation.ascii_digits("Unit ٣") == "Unit 3"
    assert validation.ascii_digits("abc") == "abc"


@pytest.mark.parametrize("text", ["452088500O", "45208850\x000", "452088500x"])
def test_an_nhs_number_with_anything_but_digits_is_refused(text):
    with pytest.raises(nhs_number.InvalidNhsNumber, match="only numbers"):
        nhs_number.validate(text)


# -- text -----------------------------------------------------------------------------------------------------------


def test_text_is_nfkc_normalised_and_trimmed():
    assert validation.clean_text("  Ｅｄｎａ ", label="first name") == "Edna"
    assert (
        validation.clean_text("line one\r\nline two\tend", label="notes", multiline=True)
        == "line one\nline two\tend"
    )


@pytest.mark.parametrize(
    ("text", "multiline", "message"),
    [
        ("Ed\x00na", False, "The town cannot contain a NUL character: remove it and try again"),
        ("Ed\x00na", True, "The town cannot contain a NUL character: remove it and try again"),
        ("Ed\tna", False, "The town cannot contain a tab, a new line or another control character"),
        ("Ed\nna", False, "The town cannot contain a tab, a new line or another control character"),
        ("Ed\x1bna", True, "The town cannot contain a control character"),
        ("Ed\ud800na", False, "The town cannot contain a tab, a new line or another control character"),
    ],
)
def test_control_characters_are_refused_naming_the_field(text, multiline, message):
    with pytest.raises(validation.TextError) as exc:
        validation.clean_text(text, label="town", multiline=multiline)
    assert str(exc.value).startswith(message)


def test_length_is_counted_after_normalisation_at_the_boundary():
    assert validation.clean_text("a" * 35, label="x", max_length=35) == "a" * 35
    with pytest.raises(validation.TextError, match="The x must be 35 characters or fewer"):
        validation.clean_text("a" * 36, label="x", max_length=35)
    with pytest.raises(validation.TextError):  # '㍿' is four characters once normalised
        validation.clean_text("a" * 32 + "㍿", label="x", max_length=35)


def test_search_text_is_normalised_without_raising():
    assert validation.normalise_query(f"{ARABIC_INDIC}\x00") == "4520885000 "


# -- person fields --------------------------------------------------------------------------------------------------

LIMITS = [
    ("middle_names", 200),
    ("preferred_name", 100),
    ("address_line_1", 120),
    ("address_line_2", 120),
    ("town", 80),
    ("phone", 30),
    ("first_name", 100),
    ("last_name", 100),
    ("gp_practice_name", 120),
    ("gp_practice_code", 10),
]


@pytest.mark.parametrize(("field", "limit"), LIMITS)
def test_person_text_is_accepted_at_its_max_length_and_refused_one_over(field, limit, db):
    from openasc.people.models import Person

    assert Person._meta.get_field(field).max_length == limit
    errors: dict[str, str] = {}
    clean = validation.check_person_fields({field: "a" * limit}, errors)
    assert errors == {} and clean[field] == "a" * limit
    validation.check_person_fields({field: "a" * (limit + 1)}, errors)
    assert errors[field].endswith(f"must be {limit:,} characters or fewer")


def test_email_length_and_format(db):
    ok = "a" * 64 + "@" + "b" * 60 + ".example"
    errors: dict[str, str] = {}
    assert validation.check_person_fields({"email": ok}, errors)["email"] == ok and not errors
    validation.check_person_fields({"email": "x@" + "b" * 260 + ".uk"}, errors)
    assert errors["email"] == "The email address must be 254 characters or fewer"
    errors = {}
    validation.check_person_fields({"email": "not an email"}, errors)
    assert errors["email"] == "Enter an email address in the correct format, like name@example.com"


def test_every_bad_person_field_is_reported_at_once(db):
    errors: dict[str, str] = {}
    validation.check_person_fields(
        {
            "first_name": "Ed\x00na",
            "last_name": "",
            "town": "t" * 10_000,
            "communication_needs": "BSL\x00",
            "phone": "0" * 31,
            "nhs_number": "9434765918",
            "date_of_birth": dt.date(1899, 12, 31),
        },
        errors,
    )
    assert set(errors) == {
        "first_name",
        "last_name",
        "town",
        "communication_needs",
        "phone",
        "nhs_number",
        "date_of_birth",
    }
    assert "first name" in errors["first_name"] and "NUL" in errors["first_name"]


def test_multiline_person_text_keeps_new_lines(db):
    errors: dict[str, str] = {}
    clean = validation.check_person_fields({"communication_needs": "BSL interpreter\nLarge print"}, errors)
    assert not errors and clean["communication_needs"] == "BSL interpreter\nLarge print"


@pytest.mark.parametrize(
    ("dob", "ok"),
    [
        (dt.date(1900, 1, 1), True),
        (dt.date(1899, 12, 31), False),
        (dt.date(2026, 1, 1), True),
        (dt.date(2026, 1, 2), False),
    ],
)
def test_date_of_birth_between_1900_and_today(dob, ok, db):
    errors: dict[str, str] = {}
    validation.check_person_fields({"date_of_birth": dob}, errors, today=dt.date(2026, 1, 1))
    assert ("date_of_birth" not in errors) is ok
    if not ok:
        assert errors["date_of_birth"].startswith("Date of birth must be")


def test_date_of_death_not_before_1900(db):
    errors: dict[str, str] = {}
    validation.check_person_fields({"date_of_death": dt.date(1899, 12, 31)}, errors)
    assert errors["date_of_death"] == "Date of death must be on or after 1 January 1900"


def test_full_width_postcode_is_the_same_postcode():
    assert validation.normalise_postcode("ＳＷ１Ａ １ＡＡ") == "SW1A 1AA"


# -- drafts ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "[1]",
        "1",
        '"x"',
        "null",
        "[" * 100_000 + "]" * 100_000,
        '{"path": "/people/new", "data": {"first_name": "Ed\\u0000na"}}',
        '{"path": "/people/new\\u0000", "data": {}}',
        '{"path": "/people/new", "data": {"first_name": "\\ud800"}}',
        b"\xff\xfe",
    ],
)
def test_drafts_answer_a_bad_body_with_400(client, staff, body):
    client.force_login(staff.front_door)
    response = client.post(reverse("core:drafts"), body, content_type="application/json")
    assert response.status_code == 400
    assert "error" in response.json()
    assert not FormDraft.objects.exists()


def test_drafts_still_save_ordinary_text(client, staff):
    client.force_login(staff.front_door)
    response = client.post(
        reverse("core:drafts"),
        {"path": "/people/new", "data": {"first_name": "Edna\nB"}},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert FormDraft.objects.get().data == {"first_name": "Edna\nB"}
