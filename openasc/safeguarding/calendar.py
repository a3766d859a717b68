"""Working days, for the decision timer on a concern: Monday to Friday, less the council's non-working days.

The non-working days are reference data a council keeps (a CSV of `date,name,status`; settings
OPENASC_NON_WORKING_DAYS_FILE names it). The file shipped lists England and Wales bank holidays for 2025 to 2027 as
recalled, marked UNVERIFIED: check it against gov.uk/bank-holidays before relying on it (docs/safeguarding.md)."""

from __future__ import annotations

import csv
import datetime as dt
from functools import lru_cache
from pathlib import Path

from django.conf import settings

SHIPPED = Path(__file__).parent / "reference" / "non_working_days.csv"


def _path() -> str:
    return str(getattr(settings, "OPENASC_NON_WORKING_DAYS_FILE", "") or SHIPPED)


@lru_cache(maxsize=4)
def _days(path: str) -> frozenset[dt.date]:
    p = Path(path)
    if not p.exists():
        return frozenset()
    with p.open(newline="", encoding="utf-8") as f:
        return frozenset(dt.date.fromisoformat(r["date"].strip()) for r in csv.DictReader(f) if r.get("date"))


def non_working_days() -> frozenset[dt.date]:
    return _days(_path())


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in non_working_days()


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (a concern received on a Friday with 2 days is due on Tuesday)."""
    day = start
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def decision_days() -> int:
    """Working days the safeguarding adults manager has to decide on a concern (OPENASC_SAFEGUARDING_DECISION_DAYS,
    2 by default)."""
    return int(getattr(settings, "OPENASC_SAFEGUARDING_DECISION_DAYS", 2))


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is before `start` (how many working
    days a decision is overdue). The same day is 0. Counted in whole weeks, not day by day, so a concern years
    overdue costs no more than one due tomorrow."""
    if end == start:
        return 0
    sign, a, b = (1, start, end) if end > start else (-1, end, start)
    days = (b - a).days
    weeks, rest = divmod(days, 7)
    n = weeks * 5 + sum(1 for i in range(1, rest + 1) if (a + dt.timedelta(days=i)).weekday() < 5)
    n -= sum(1 for day in non_working_days() if a < day <= b and day.weekday() < 5)
    return sign * n


def timer(due: dt.date, today: dt.date) -> tuple[str, str]:
    """The decision timer's words and tag colour: overdue (red), due today (orange), due in N working days."""
    left = working_days_between(today, due)
    if due < today:
        late = max(1, -left)
        return f"Overdue by {late} working day{'s' if late != 1 else ''}", "govuk-tag--red"
    if due == today or left == 0:
        return "Due today", "govuk-tag--orange"
    return f"Due in {left} working day{'s' if left != 1 else ''}", "govuk-tag--blue"
