"""Shared checks for values staff type: text, digits, postcodes, dates, coded values, NHS numbers.

One normalisation of text and digits for every way in (pages, the API, and the CLD import when it adopts it):

- Text is NFKC-normalised (full-width letters and digits become their ordinary forms, ligatures are split) and
  trimmed. A NUL or any other control character is refused with an error naming the field; multi-line text (notes,
  what matters to the person) may hold new lines and tabs, single-line fields may not. Lone surrogates, which no
  database can store, are refused the same way. Lengths are checked after normalisation, against the model's
  max_length, so that PostgreSQL never refuses the value (DataError) and SQLite never stores more than the field.
- Digits: `ascii_digits` turns every decimal digit (full-width ４, Arabic-Indic ٤, Devanagari ४, ...) into 0-9, so
  that an NHS number, an amount of money or a number of units typed in any script is the same value as the one in
  the record: the duplicate check and search find the existing record. After that, the parsers accept the digits
  0 to 9 only (never Python's wider idea of a number, which also reads 1_000, NaN or 1e30).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from openasc.core import codes, nhs_number

EARLIEST_DATE_OF_BIRTH = dt.date(1900, 1, 1)


class TextError(ValueError):
    """The text cannot be stored as it is; the message names the field and says how to fix it."""


def ascii_digits(text: str) -> str:
    """NFKC, then every Unicode decimal digit as its ASCII digit: '٤٥٢' -> '452', '１８.５０' -> '18.50'."""
    text = unicodedata.normalize("NFKC", text or "")
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(ch)) if unicodedata.category(ch) == "Nd" else ch for ch in text)


def _bad_character(text: str, *, multiline: bool) -> str | None:
    allowed = "\n\t" if multiline else ""
    for ch in text:
        if (unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed) or (
            ch in "\u2028\u2029" and not multiline
        ):
            return ch
    return None


def clean_text(value, *, label: str, max_length: int | None = None, multiline: bool = False) -> str:
    """`value` NFKC-normalised and trimmed; raises TextError naming `label` for a control character or a value
    longer than `max_length` (counted after normalisation, as the database counts it)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TextError(f"Enter the {label} as text")
    text = unicodedata.normalize("NFKC", value)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.strip()
    bad = _bad_character(text, multiline=multiline)
    if bad is not None:
        what = "a control character" if multiline else "a tab, a new line or another control character"
        if bad == "\x00":
            what = "a NUL character"
        raise TextError(f"The {label} cannot contain {what}: remove it and try again")
    if max_length is not None and len(text) > max_length:
        raise TextError(f"The {label} must be {max_length:,} characters or fewer")
    return text


def check_text(
    clean: dict,
    errors: dict[str, str],
    field: str,
    *,
    label: str,
    max_length: int | None = None,
    multiline: bool = False,
) -> None:
    """`clean_text` for one field of a dict, if present: the value replaced by its clean form or an error added."""
    if field not in clean or field in errors:
        return
    try:
        clean[field] = clean_text(clean[field], label=label, max_length=max_length, multiline=multiline)
    except TextError as exc:
        errors[field] = str(exc)


def normalise_query(text: str) -> str:
    """What was typed in a search box, in the record's forms: NFKC, ASCII digits, control characters as spaces."""
    text = ascii_digits(text or "")
    return "".join(" " if unicodedata.category(ch) in ("Cc", "Cs") else ch for ch in text)


_POSTCODE = re.compile(r"^(GIR ?0AA|[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2})$")


def normalise_postcode(raw: str) -> str:
    """'sw1a1aa' -> 'SW1A 1AA'; raises ValueError if it is not a UK postcode."""
    compact = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw or "").upper())
    if not compact:
        return ""
    if not _POSTCODE.match(compact):
        raise ValueError("Enter a real postcode, like AA1 1AA")
    return f"{compact[:-3]} {compact[-3:]}"


def postcode_key(postcode: str) -> str:
    return re.sub(r"\s+", "", (postcode or "").upper())


PERSON_TEXT_LABELS = {
    "first_name": "first name",
    "middle_names": "middle names",
    "last_name": "last name",
    "preferred_name": "preferred name",
    "address_line_1": "first line of the address",
    "address_line_2": "second line of the address",
    "town": "town or city",
    "phone": "phone number",
    "email": "email address",
    "gp_practice_code": "GP practice code",
    "gp_practice_name": "GP practice name",
    "communication_needs": "communication needs",
}
MULTILINE_PERSON_FIELDS = ("communication_needs",)


def model_max_length(model_label: str, field: str) -> int | None:
    """The max_length of a model's field ('people.Person', 'town'): the limit the database enforces."""
    from django.apps import apps

    return getattr(apps.get_model(model_label)._meta.get_field(field), "max_length", None)


def check_person_fields(data: dict, errors: dict[str, str], today: dt.date | None = None) -> dict:
    """Validate and normalise the person fields present in `data`; fills `errors` by field name, every problem at
    once. Text is normalised and checked against the Person model's lengths (module docstring)."""
    today = today or dt.date.today()
    clean = dict(data)
    for field, label in PERSON_TEXT_LABELS.items():
        if field in clean:
            check_text(
                clean,
                errors,
                field,
                label=label,
                max_length=model_max_length("people.Person", field),
                multiline=field in MULTILINE_PERSON_FIELDS,
            )
    for field, label in (("first_name", "first name"), ("last_name", "last name")):
        if field in clean and field not in errors and not clean[field]:
            errors[field] = f"Enter the person's {label}"
    if clean.get("email") and "email" not in errors:
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        try:
            validate_email(clean["email"])
        except ValidationError:
            errors["email"] = "Enter an email address in the correct format, like name@example.com"
    if clean.get("nhs_number"):
        try:
            clean["nhs_number"] = nhs_number.validate(clean["nhs_number"])
        except nhs_number.InvalidNhsNumber as exc:
            errors["nhs_number"] = str(exc)
    elif "nhs_number" in clean:
        clean["nhs_number"] = ""
    if clean.get("postcode"):
        try:
            clean["postcode"] = normalise_postcode(clean["postcode"])
        except ValueError as exc:
            errors["postcode"] = str(exc)
    dob = clean.get("date_of_birth")
    dod = clean.get("date_of_death")
    if dob is not None:
        if dob > today:
            errors["date_of_birth"] = "Date of birth must be today or in the past"
        elif dob < EARLIEST_DATE_OF_BIRTH:
            errors["date_of_birth"] = "Date of birth must be on or after 1 January 1900"
    if dod is not None:
        if dod > today:
            errors["date_of_death"] = "Date of death must be today or in the past"
        elif dod < EARLIEST_DATE_OF_BIRTH:
            errors["date_of_death"] = "Date of death must be on or after 1 January 1900"
        elif dob is not None and dod < dob and "date_of_birth" not in errors:
            errors["date_of_death"] = "Date of death must be the same as or after the date of birth"
    for field, list_name in CODED_FIELDS.items():
        value = clean.get(field)
        if value and not codes.is_valid(list_name, value):
            errors[field] = f"Select a {LABELS[field]} from the list"
    return clean


CODED_FIELDS = {
    "gender": codes.ListName.GENDER,
    "ethnicity": codes.ListName.ETHNICITY,
    "primary_support_reason": codes.ListName.PRIMARY_SUPPORT_REASON,
    "accommodation_status": codes.ListName.ACCOMMODATION_STATUS,
    "employment_status": codes.ListName.EMPLOYMENT_STATUS,
    "client_type": codes.ListName.CLIENT_TYPE,
    "funding_status": codes.ListName.CLIENT_FUNDING_STATUS,
}
LABELS = {
    "gender": "gender",
    "ethnicity": "ethnicity",
    "primary_support_reason": "primary support reason",
    "accommodation_status": "accommodation status",
    "employment_status": "employment status",
    "client_type": "client type",
    "funding_status": "funding status",
}
