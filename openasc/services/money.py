"""Money as integer pence: parse what staff type in pounds, show it as £1,234.56."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from openasc.core.validation import ascii_digits

LIMIT = Decimal("10000000")  # below £10,000,000 unless the caller sets a lower maximum
_AMOUNT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)


class MoneyError(ValueError):
    """The text is not an amount of money; the message says how to fix it."""


def parse_pounds(value, *, what: str = "amount", maximum: Decimal | None = None) -> int:
    """'£1,234.5' or Decimal('18.50') -> pence. At most two decimal places, never negative, never above `maximum`
    (pounds; without it, less than £10,000,000).

    Text is read with the digits 0 to 9 only, after every digit in another script has been given as 0-9
    (validation.ascii_digits: '１８.５０' is 18.50); anything else Python would read as a number (1e3, 1_000, NaN) is
    refused. The size is checked before anything is rounded, so that 1e30 is an error, never InvalidOperation."""
    hint = f"Enter the {what} in pounds, like 18.50"
    if value is None or (isinstance(value, str) and not value.strip()):
        raise MoneyError(hint)
    if isinstance(value, bool):
        raise MoneyError(hint)
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value)) if value == value and value not in (float("inf"), float("-inf")) else None
    else:
        text = ascii_digits(str(value)).strip().replace(",", "").removeprefix("£").strip()
        amount = Decimal(text) if _AMOUNT.fullmatch(text) else None
    if amount is None or not amount.is_finite():
        raise MoneyError(hint)
    if amount < 0:
        raise MoneyError(f"The {what} must be £0.00 or more")
    if maximum is not None and amount > maximum:
        raise MoneyError(f"The {what} must be {pounds(int(maximum * 100))} or less")
    if amount >= LIMIT:
        raise MoneyError(f"The {what} must be less than £10,000,000")
    try:
        exact = amount == amount.quantize(Decimal("0.01"))
    except InvalidOperation:
        exact = False
    if not exact:
        raise MoneyError(f"The {what} can have at most 2 decimal places (pence), like 18.50")
    return int(amount * 100)


def pounds(pence: int | None) -> str:
    """1234567 -> '£12,345.67'; None -> ''."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pence = abs(int(pence))
    return f"{sign}£{pence // 100:,}.{pence % 100:02d}"


def pounds_input(pence: int | None) -> str:
    """For pre-filling an input box: 1850 -> '18.50'."""
    return "" if pence is None else f"{pence // 100}.{pence % 100:02d}"
