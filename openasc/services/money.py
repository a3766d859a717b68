"""Money as integer pence: parse what staff type in pounds, show it as £1,234.56."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


class MoneyError(ValueError):
    """The text is not an amount of money; the message says how to fix it."""


def parse_pounds(value, *, what: str = "amount") -> int:
    """'£1,234.5' or Decimal('18.50') -> pence. At most two decimal places, never negative."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise MoneyError(f"Enter the {what} in pounds, like 18.50")
    text = str(value).strip().replace(",", "").removeprefix("£").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise MoneyError(f"Enter the {what} in pounds, like 18.50") from None
    if not amount.is_finite():
        raise MoneyError(f"Enter the {what} in pounds, like 18.50")
    if amount < 0:
        raise MoneyError(f"The {what} must be £0.00 or more")
    if amount != amount.quantize(Decimal("0.01")):
        raise MoneyError(f"The {what} can have at most 2 decimal places (pence), like 18.50")
    if amount >= Decimal("10000000"):
        raise MoneyError(f"The {what} must be less than £10,000,000")
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
