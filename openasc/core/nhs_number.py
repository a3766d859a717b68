"""NHS number: Modulus 11 check digit (NHS Data Dictionary), display as 3-3-4."""

from __future__ import annotations

import re

WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]")
_DIGITS = re.compile(r"[0-9]+", re.ASCII)


class InvalidNhsNumber(ValueError):
    """Raised with a message a member of staff can act on."""


def normalise(raw: str) -> str:
    """Strip spaces and hyphens that people type or paste between the digit groups, and give every digit as 0-9.

    Digits typed or pasted in another script (full-width ４５２, Arabic-Indic ٤٥٢, ...) are the same NHS number as
    the ASCII one (validation.ascii_digits): stored and searched as 0-9, so the duplicate check and search find the
    record that already holds it."""
    from openasc.core.validation import ascii_digits

    return _SEPARATORS.sub("", ascii_digits(raw or ""))


def check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None where the result is 10 (never issued)."""
    total = sum(int(d) * w for d, w in zip(first_nine, WEIGHTS, strict=True))
    check = 11 - (total % 11)
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def validate(raw: str) -> str:
    """Return the 10-digit number, or raise InvalidNhsNumber saying what is wrong."""
    number = normalise(raw)
    if not number:
        raise InvalidNhsNumber("Enter an NHS number")
    if not _DIGITS.fullmatch(number):
        raise InvalidNhsNumber("NHS number must contain only numbers")
    if len(number) != 10:
        raise InvalidNhsNumber("NHS number must be 10 digits")
    if len(set(number)) == 1:
        # 0000000000, 1111111111, ... pass or fail the checksum by accident; none is ever issued.
        raise InvalidNhsNumber("Enter a real NHS number: this number is never issued")
    expected = check_digit(number[:9])
    if expected is None or expected != int(number[9]):
        raise InvalidNhsNumber("Enter a valid NHS number: the check digit is wrong")
    return number


def is_valid(raw: str) -> bool:
    try:
        validate(raw)
    except InvalidNhsNumber:
        return False
    return True


def display(number: str | None) -> str:
    """Format as 943 476 5919, the way NHS numbers are read aloud and printed."""
    if not number:
        return ""
    n = normalise(number)
    return f"{n[:3]} {n[3:6]} {n[6:]}" if len(n) == 10 else n
