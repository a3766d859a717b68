"""The demo council's cost centres and budgets (being built: see issue 15)."""

from __future__ import annotations

import datetime as dt


def build_finance(*, seed: int, system, today: dt.date) -> None:
    """Nothing yet."""
