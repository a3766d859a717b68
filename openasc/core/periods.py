"""Reporting periods: the financial year a day falls in (1 April to 31 March), without the database: '2026-27' for
2 December 2026. The one rule that budgets, the statutory returns and the Safeguarding Adults Collection use."""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

_LABEL = re.compile(r"(\d{4})-(\d{2})", re.ASCII)


class Year(NamedTuple):
    label: str
    starts_on: dt.date
    ends_on: dt.date


def starting(start: int) -> Year:
    """The financial year that starts on 1 April of `start`."""
    return Year(f"{start}-{(start + 1) % 100:02d}", dt.date(start, 4, 1), dt.date(start + 1, 3, 31))


def year_of(day: dt.date) -> Year:
    return starting(day.year if day >= dt.date(day.year, 4, 1) else day.year - 1)


def parse(label: str) -> Year:
    """'2026-27' -> its year; a ValueError that says what is wrong otherwise ('2026-28' is not a year)."""
    found = _LABEL.fullmatch((label or "").strip())
    if not found or (int(found[1]) + 1) % 100 != int(found[2]):
        raise ValueError(f"{label!r} is not a financial year: write it like 2026-27")
    return starting(int(found[1]))
