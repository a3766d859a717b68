"""Bench for budget monitoring (issue 15): commitments and forecast for the whole council uncached (target under
10 s a run), and the monitoring page as a finance officer and as a team manager after warm-up (target p95 under
300 ms). Functions take the bench database already migrated and built (DATABASE_URL set, django.setup() done);
`ensure_budgets` adds the demo's cost centres and budgets once if the database has none.

    .venv/bin/python bench/budgets.py            # on bench/out/bench.sqlite3, or BENCH_DB_URL
"""

from __future__ import annotations

import time
from pathlib import Path

from benchlib import time_page

FORECAST_TARGET_S = 10.0
PAGE_TARGET_MS = 300.0
REPO = Path(__file__).resolve().parent.parent


def ensure_budgets(seed: int, say) -> bool:
    """The demo's cost centres and budgets, for a bench database built before the demo had them (once)."""
    from openasc.core import audit
    from openasc.core.models import User
    from openasc.demo.build import TODAY
    from openasc.demo.finance import build_cost_centres, set_budgets
    from openasc.finance.models import Budget, CostCentre

    if CostCentre.objects.exists() and Budget.objects.exists():
        return False
    say("adding the demo's cost centres and budgets ...")
    started = time.perf_counter()
    system = User.objects.filter(role="system", is_active=True).order_by("pk").first()
    with audit.exempt_from_safety_net():
        if not CostCentre.objects.exists():
            build_cost_centres()
        made = set_budgets(seed=seed, system=system, today=TODAY)
    say(f"{made:,} budgets set in {time.perf_counter() - started:.1f} s")
    return True


def time_forecast(say, runs: int = 3) -> dict:
    """Commitments and forecast for 2026-27 as at the demo's today, for the whole council, uncached."""
    from openasc.demo.build import TODAY
    from openasc.finance import commitments
    from openasc.finance.models import FinancialYear
    from openasc.finance.selectors import budgets as sel

    year = FinancialYear.objects.get(label="2026-27")
    seconds = []
    for _ in range(runs):
        t = time.perf_counter()
        result = sel.compute(year, TODAY)
        seconds.append(time.perf_counter() - t)
    total = commitments.add_up(result.cells_of(), unit="week", months=len(result.months))
    out = {
        "runs_s": [round(s, 2) for s in seconds],
        "max_s": round(max(seconds), 2),
        "target_s": FORECAST_TARGET_S,
        "pass": max(seconds) < FORECAST_TARGET_S,
        "services": total.services,
        "current_people": total.people,
        "forecast_outturn_pence": total.forecast,
        "cells": len(result.cells),
    }
    say(
        f"forecast for the whole council: {out['runs_s']} s ({total.services:,} services, {total.people:,} people "
        f"now) -> {'PASS' if out['pass'] else 'FAIL'} (target < {FORECAST_TARGET_S:.0f} s)"
    )
    return out


def time_monitoring(say, n: int = 50) -> dict:
    """GET /finance/budgets/ as the finance officer and as the demo team manager, after warm-up: p50/p95 (ms)."""
    from openasc.demo.build import TODAY

    url = f"/finance/budgets/?year=2026-27&as_at={TODAY.isoformat()}"
    out = {}
    for label, username in (("finance officer", "finance"), ("team manager", "manager")):
        out[label], response = time_page(say, url, f"monitoring page, {label}", username, n, PAGE_TARGET_MS)
        # each cost centre line links spent, committed and forecast to its services; the total line too
        out[label]["cost_centre_lines"] = response.content.decode().count("/services/?figure=all") // 3 - 1
    return out


def run(say=print, seed: int = 2026) -> dict:
    ensure_budgets(seed, say)
    return {"forecast": time_forecast(say), "monitoring_page": time_monitoring(say)}


if __name__ == "__main__":
    from benchlib import standalone

    standalone(REPO)
    figures = run()
    import json

    print(json.dumps(figures, indent=2))
