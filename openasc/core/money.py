"""Money, for every context: integer pence (never floats), what staff type in pounds, £1,234.56 on screen, and the
conversions between a weekly cost, a unit cost at a frequency, and a cost over days or a year.

Amounts are integer pence everywhere in the product: in models (``..._pence`` fields), services and the API. Pounds
exist only at the edges: `parse_pounds` reads what is typed, `pounds` shows it. Conversions round half up to the
penny once, at the end, from exact decimals."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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
        amount = (
            Decimal(repr(value)) if value == value and value not in (float("inf"), float("-inf")) else None
        )
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


def _penny(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# Units per week for each cost frequency, following DHSC's cost derivation (specs/national-data.md 1.3):
# weekly 1, fortnightly 1/2, 4-weekly 1/4, monthly 12/52, quarterly 4/52, annual 1/52; hourly, daily and per-session
# costs use the planned units per week; one-off costs have no weekly figure.
UNITS_PER_WEEK = {
    "week": Decimal(1),
    "fortnight": Decimal(1) / 2,
    "4-week": Decimal(1) / 4,
    "month": Decimal(12) / 52,
    "quarter": Decimal(4) / 52,
    "annual": Decimal(1) / 52,
}


def weekly_cost_pence(unit_cost_pence: int, frequency: str, planned_units: Decimal | None) -> int | None:
    """Weekly cost in pence of a unit cost at a CLD cost frequency, rounded half up; None where it cannot be known
    (one-off or no charge, or hourly/daily/per-session units missing)."""
    key = (frequency or "").strip().lower()
    if key.startswith("one-off") or key.startswith("no charge"):
        return None
    units = next((v for prefix, v in UNITS_PER_WEEK.items() if key.startswith(prefix)), None)
    if units is None:
        if planned_units is None:
            return None
        units = abs(Decimal(planned_units))
    return _penny(Decimal(unit_cost_pence) * units)


def cost_over_days(weekly_pence: int, days: int) -> int:
    """What a weekly cost comes to over `days` days (a part week pro rata by the day): 700 a week over 10 days is
    1000."""
    if days < 0:
        raise ValueError("days must be 0 or more")
    return _penny(Decimal(weekly_pence) * days / 7)


def annual_from_weekly(weekly_pence: int, *, weeks: Decimal | int = 52) -> int:
    """A weekly cost over a year: 52 weeks unless the caller gives the year's length (``Decimal(365) / 7``)."""
    return _penny(Decimal(weekly_pence) * Decimal(weeks))


def weekly_from_annual(annual_pence: int, *, weeks: Decimal | int = 52) -> int:
    """An annual amount as a weekly one (a yearly budget per person, a yearly allowance)."""
    if not weeks:
        raise ValueError("weeks must not be 0")
    return _penny(Decimal(annual_pence) / Decimal(weeks))
