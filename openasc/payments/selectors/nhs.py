"""NHS contributions to services: what the NHS funds of each service over some days (joint funding, an amount a week
or a share of the service's cost; funded nursing care, a weekly rate), pro rata by the day like every other cost."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from openasc.finance import costing
from openasc.finance.selectors.costed import costed_services
from openasc.payments.models import NhsContribution

_CHUNK = 900


def contribution_pence(c, service: costing.CostedService | None, first: dt.date, last: dt.date) -> int:
    """What one contribution comes to from `first` to `last` (both included), only on days the service runs."""
    a = max(first, c.from_on)
    b = last if c.to_on is None else min(last, c.to_on)
    if a > b:
        return 0
    if service is not None:
        window = costing.clip(service, a, b)
        if window is None:
            return 0
        a, b = window
    if c.weekly_pence is not None:
        return costing.over_days(c.weekly_pence, (b - a).days + 1)
    if service is None:
        return 0
    share = Decimal(costing.cost_between(service, a, b)) * Decimal(c.percent) / 100
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def nhs_contributions_between(first: dt.date, last: dt.date, *, service_ids=None) -> dict[int, int]:
    """service id -> pence the NHS funds of it from `first` to `last` (both included); services with none are left
    out. For the forecast (the council's net cost) and the payments pages."""
    qs = NhsContribution.objects.filter(from_on__lte=last).exclude(to_on__lt=first)
    if service_ids is not None:
        qs = qs.filter(service_id__in=list(service_ids))
    rows = list(qs)
    if not rows:
        return {}
    services = {s.id: s for s in costed_services(ids={c.service_id for c in rows})}
    out: dict[int, int] = defaultdict(int)
    for c in rows:
        out[c.service_id] += contribution_pence(c, services.get(c.service_id), first, last)
    return {k: v for k, v in out.items() if v}


def contributions_for_service(service_id: int) -> list[NhsContribution]:
    return list(NhsContribution.objects.filter(service_id=service_id).order_by("from_on", "pk"))


def contributions():
    """Every contribution, newest first, for a paged list (the page audits the people it shows)."""
    return NhsContribution.objects.select_related("person").order_by("-from_on", "-pk")
