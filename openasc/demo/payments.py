"""The demo council's invoices, payment runs and NHS contributions (being built: see issue 15)."""

from __future__ import annotations

import datetime as dt


def build_payments(*, seed: int, system, today: dt.date) -> None:
    """Nothing yet."""
