"""The demo council's rate uplifts: one applied and one draft, ready to preview.

- Applied: "Working-age supported living to the benchmark" from 1 October 2026 (Croydon's proportionate approach for
  under-65s): the supported living services of Riverside Living for people under 65 on the date whose weekly cost is
  below the average of them all (the benchmark, to the pound) are raised to it; those changed within 90 days before
  are left alone. The demo's history already raises every cost each 1 April ("Annual fee uplift"), so the date does
  not collide with those versions.
- Draft: "2% for older people's provision 2027-28" from 1 April 2027, the whole market for people aged 65 or over.

Written in bulk (the build runs in audit.exempt_from_safety_net() and is one audited event, demo.build), by the same
calculation as the pages (`uplifts.selectors.compute`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from openasc.core.models import Role, User
from openasc.finance.models import RateUplift, UpliftMethod
from openasc.finance.uplifts import selectors
from openasc.finance.uplifts.services import mark_applied, write_costs
from openasc.providers.models import Provider

APPLIED_FROM = dt.date(2026, 10, 1)
DRAFT_FROM = dt.date(2027, 4, 1)
COMMUNITY = "Long term support: Community"


def _benchmark(uplift: RateUplift) -> int | None:
    """The average weekly cost of the services in scope on the date, to the pound (the 'benchmarked average')."""
    costs = []
    scope = selectors.scope_of(uplift)
    from openasc.finance.uplifts import calc

    for svc in selectors.services_in_reach(uplift):
        if not svc.runs_on(uplift.effective_from):
            continue
        age = calc.age_on(svc.date_of_birth, uplift.effective_from)
        if age is None or not calc.age_in(age, scope):
            continue
        v = svc.version_on(uplift.effective_from)
        if v is not None and v.weekly_pence is not None:
            costs.append(v.unit_cost_pence)
    if not costs:
        return None
    return round(sum(costs) / len(costs) / 100) * 100


def build_uplifts(*, seed: int, system, today: dt.date) -> None:
    officer = User.objects.filter(role=Role.FINANCE_OFFICER, is_active=True).order_by("pk").first() or system
    provider = Provider.objects.filter(name="Riverside Living").first()
    if provider is not None:
        uplift = RateUplift.objects.create(
            name="Working-age supported living to the benchmark",
            effective_from=APPLIED_FROM,
            method=UpliftMethod.TO_BENCHMARK,
            benchmark_unit_cost_pence=1,
            skip_uplifted_within_days=90,
            provider=provider,
            service_type=COMMUNITY,
            age_under=65,
            created_by=officer,
        )
        uplift.benchmark_unit_cost_pence = _benchmark(uplift)
        if uplift.benchmark_unit_cost_pence:
            uplift.save(update_fields=["benchmark_unit_cost_pence"])
            _apply(uplift, officer)
        else:
            uplift.delete()
    RateUplift.objects.create(
        name="2% for older people's provision 2027-28",
        effective_from=DRAFT_FROM,
        method=UpliftMethod.PERCENT,
        percent=Decimal(2),
        age_from=65,
        created_by=officer,
    )


def _apply(uplift: RateUplift, officer) -> None:
    """As `uplift_apply` does, without the audit events (the demo's build is exempt from the safety net)."""
    result = selectors.compute(uplift)
    write_costs(uplift, result, by=officer)
    mark_applied(uplift, result, by=officer, at=timezone.make_aware(dt.datetime(2026, 9, 15, 10, 0)))
