"""Shared checks for values staff type: postcodes, dates, coded values, NHS numbers."""

from __future__ import annotations

import datetime as dt
import re

from openasc.core import codes, nhs_number

_POSTCODE = re.compile(r"^(GIR ?0AA|[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2})$")


def normalise_postcode(raw: str) -> str:
    """'sw1a1aa' -> 'SW1A 1AA'; raises ValueError if it is not a UK postcode."""
    compact = re.sub(r"\s+", "", (raw or "").upper())
    if not compact:
        return ""
    if not _POSTCODE.match(compact):
        raise ValueError("Enter a real postcode, like AA1 1AA")
    return f"{compact[:-3]} {compact[-3:]}"


def postcode_key(postcode: str) -> str:
    return re.sub(r"\s+", "", (postcode or "").upper())


def check_person_fields(data: dict, errors: dict[str, str], today: dt.date | None = None) -> dict:
    """Validate and normalise the person fields present in `data`; fills `errors` by field name."""
    today = today or dt.date.today()
    clean = dict(data)
    for field, label in (("first_name", "first name"), ("last_name", "last name")):
        if field in clean:
            clean[field] = (clean[field] or "").strip()
            if not clean[field]:
                errors[field] = f"Enter the person's {label}"
            elif len(clean[field]) > 100:
                errors[field] = f"The {label} must be 100 characters or fewer"
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
        elif dob < dt.date(1890, 1, 1):
            errors["date_of_birth"] = "Date of birth must be after 1 January 1890"
    if dod is not None:
        if dod > today:
            errors["date_of_death"] = "Date of death must be today or in the past"
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
