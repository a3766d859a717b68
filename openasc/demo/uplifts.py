"""The demo council's rate uplifts (being built: see issue 15)."""

from __future__ import annotations

import datetime as dt


def build_uplifts(*, seed: int, system, today: dt.date) -> None:
    """Nothing yet."""
