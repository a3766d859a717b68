"""Bench for rate uplifts and the spend report (issue 15 items 4 and 5): the preview of a whole-market 2% uplift (no
writes; target under 10 s a run), the spend report for the whole council uncached (a figure, no target of its own)
and the spend page after warm-up (cached; target p95 under 300 ms), with the page of services behind a figure.

Functions take the bench database already migrated and built (DATABASE_URL set, django.setup() done);
`ensure_uplifts` adds the demo's uplifts once if the database has none (that applies the demo's benchmark uplift: it
writes a cost version per service it raises, once). `time_uplift_pages` times the demo's draft uplift's pages.

    .venv/bin/python bench/uplifts.py            # on bench/out/bench.sqlite3, or BENCH_DB_URL
"""

from __future__ import annotations

import time
from pathlib import Path

from benchlib import time_page

PREVIEW_TARGET_S = 10.0
PAGE_TARGET_MS = 300.0
REPO = Path(__file__).resolve().parent.parent


def ensure_uplifts(seed: int, say) -> bool:
    """The demo's rate uplifts, for a bench database built before the demo had them (once)."""
    from openasc.core import audit
    from openasc.core.models import User
    from openasc.demo.build import TODAY
    from openasc.demo.uplifts import build_uplifts
    from openasc.finance.models import RateUplift

    if RateUplift.objects.exists():
        return False
    say("adding the demo's rate uplifts (one applied, one draft) ...")
    started = time.perf_counter()
    system = User.objects.filter(role="system", is_active=True).order_by("pk").first()
    with audit.exempt_from_safety_net():
        build_uplifts(seed=seed, system=system, today=TODAY)
    say(f"rate uplifts added in {time.perf_counter() - started:.1f} s")
    return True


def time_preview(say, runs: int = 3) -> dict:
    """A whole-market 2% uplift from 1 April 2027, previewed (the apply's own calculation, no writes), uncached."""
    import datetime as dt
    from decimal import Decimal

    from openasc.core.models import User
    from openasc.finance.models import RateUplift, UpliftMethod
    from openasc.finance.uplifts import selectors

    officer = User.objects.filter(role="finance_officer").order_by("pk").first()
    uplift = RateUplift(
        name="Bench: whole market 2%",
        effective_from=dt.date(2027, 4, 1),
        method=UpliftMethod.PERCENT,
        percent=Decimal(2),
        created_by=officer,
    )  # never saved
    seconds = []
    for _ in range(runs):
        t = time.perf_counter()
        preview = selectors.compute(uplift)
        seconds.append(time.perf_counter() - t)
    out = {
        "runs_s": [round(s, 2) for s in seconds],
        "max_s": round(max(seconds), 2),
        "target_s": PREVIEW_TARGET_S,
        "pass": max(seconds) < PREVIEW_TARGET_S,
        "services": preview.services,
        "people": preview.people,
        "providers": preview.providers,
        "skipped": len(preview.skipped),
        "annual_change_pence": preview.annual_change_pence,
        "in_year_change_pence": preview.in_year_change_pence,
    }
    say(
        f"uplift preview, whole market 2%: {out['runs_s']} s ({preview.services:,} services, {preview.people:,} "
        f"people) -> {'PASS' if out['pass'] else 'FAIL'} (target < {PREVIEW_TARGET_S:.0f} s)"
    )
    return out


def time_spend_uncached(say, runs: int = 3) -> dict:
    """The spend report for 2026-27 (the whole year with commitments), for the whole council, uncached."""
    from openasc.finance.models import FinancialYear
    from openasc.finance.spend import selectors

    year = FinancialYear.objects.get(label="2026-27")
    seconds = []
    for _ in range(runs):
        t = time.perf_counter()
        result = selectors.compute(year.starts_on, year.ends_on, year.ends_on)
        seconds.append(time.perf_counter() - t)
    out = {
        "runs_s": [round(s, 2) for s in seconds],
        "max_s": round(max(seconds), 2),
        "services": result.total.services,
        "people": result.total.people,
        "spend_pence": result.total.spend_pence,
    }
    say(
        f"spend report uncached, whole council: {out['runs_s']} s ({result.total.services:,} services, "
        f"{result.total.people:,} people)"
    )
    return out


def _page(say, url: str, label: str, username: str, n: int) -> dict:
    return time_page(say, url, label, username, n, PAGE_TARGET_MS, warm=3)[0]


def time_spend_pages(say, n: int = 50) -> dict:
    """GET /finance/spend/ (cached after the first) and a page of the services behind the home care figure, as the
    demo's finance officer: p50/p95 (ms)."""
    return {
        "spend_page": _page(say, "/finance/spend/?year=2026-27&to=year", "spend page", "finance", n),
        "services_behind_a_figure": _page(
            say,
            "/finance/spend/services/?year=2026-27&to=year&dim=setting&row=Home+care&page=2",
            "services behind a spend figure",
            "finance",
            n,
        ),
    }


def time_uplift_pages(say, n: int = 20) -> dict:
    """The demo's draft uplift (2% for people aged 65 or over): its preview page and a page of the services it would
    change, cached after the first, as the finance officer: p50/p95 (ms). No writes but the audit events of the views."""
    from openasc.finance.models import RateUplift, UpliftStatus

    draft = RateUplift.objects.filter(status=UpliftStatus.DRAFT).order_by("pk").first()
    if draft is None:
        say("uplift pages: no draft uplift to show")
        return {}
    return {
        "uplift_preview_page": _page(
            say, f"/finance/uplifts/{draft.pk}/", "uplift preview page", "finance", n
        ),
        "uplift_services_page": _page(
            say, f"/finance/uplifts/{draft.pk}/services/?page=3", "services an uplift changes", "finance", n
        ),
    }


def run(say=print, seed: int = 2026) -> dict:
    ensure_uplifts(seed, say)
    return {
        "uplift_preview": time_preview(say),
        "spend_uncached": time_spend_uncached(say),
        **time_spend_pages(say),
        **time_uplift_pages(say),
    }


if __name__ == "__main__":
    from benchlib import standalone

    standalone(REPO)
    figures = run()
    import json

    print(json.dumps(figures, indent=2))
