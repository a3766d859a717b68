"""A schedule's periods: from its anchor (the first day of one period), every four weeks, every week, or every
calendar month from the anchor's day, both forwards and backwards. A period is its own: one that spans 31 March is
one period (the ledger splits it by year if it must; the payment is one). Pure functions of plain values."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

ONE_DAY = dt.timedelta(days=1)
DAYS = {"four_weekly": 28, "weekly": 7}


@dataclass(frozen=True, order=True)
class Period:
    first: dt.date
    last: dt.date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def __str__(self) -> str:
        return f"{self.first.isoformat()} to {self.last.isoformat()}"


def _add_months(day: dt.date, months: int, anchor_day: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(anchor_day, calendar.monthrange(year, month)[1]))


def containing(frequency: str, anchor: dt.date, day: dt.date) -> Period:
    """The period of a schedule that holds `day`."""
    if frequency in DAYS:
        step = DAYS[frequency]
        k = (day - anchor).days // step
        first = anchor + dt.timedelta(days=k * step)
        return Period(first, first + dt.timedelta(days=step - 1))
    if frequency == "monthly":
        months = (day.year - anchor.year) * 12 + day.month - anchor.month
        first = _add_months(anchor, months, anchor.day)
        if first > day:
            first = _add_months(anchor, months - 1, anchor.day)
        nxt = _add_months(
            anchor, (first.year - anchor.year) * 12 + first.month - anchor.month + 1, anchor.day
        )
        return Period(first, nxt - ONE_DAY)
    raise ValueError(f"Unknown frequency {frequency!r}: use four_weekly, weekly or monthly")


def ending_on(frequency: str, anchor: dt.date, day: dt.date) -> Period | None:
    """The period that ends on `day`, or None when no period ends then."""
    period = containing(frequency, anchor, day)
    return period if period.last == day else None


def following(frequency: str, anchor: dt.date, period: Period) -> Period:
    return containing(frequency, anchor, period.last + ONE_DAY)


def between(frequency: str, anchor: dt.date, first: dt.date, last: dt.date) -> list[Period]:
    """Every period that has a day from `first` to `last`, in order."""
    out: list[Period] = []
    period = containing(frequency, anchor, first)
    while period.first <= last:
        out.append(period)
        period = following(frequency, anchor, period)
    return out


def paid_by_run(frequency: str, anchor: dt.date, timing: str, run_day: dt.date) -> Period | None:
    """The period a run for the periods ending on `run_day` pays: in arrears, the period ending that day; in advance,
    the one that starts the day after (its payment falls due when the period before it ends)."""
    ended = ending_on(frequency, anchor, run_day)
    if ended is None:
        return None
    return ended if timing == "arrears" else following(frequency, anchor, ended)
