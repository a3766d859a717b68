"""The demo council's cost centres and budgets, set from its own services so the monitoring page has a story.

The structure (a believable one, docs/finance.md): care homes are council-wide cost centres by care category, with
learning disability and mental health (by primary support reason) split out; community care (home care, day care,
direct payments, other) is held by each locality team for the people it works with, and by the learning disability
and mental health teams for theirs; reablement is one cost centre; home care for people of other teams (hospital
discharge) one more. What is left (services in no care category, live-in care which the seeded rules leave
unmatched) shows as 'not in a cost centre'. The demo manager (locality team north) holds the north team's four.

Budgets for 2025-26 and 2026-27 are the forecast outturn of each cost centre give or take a few percent (so some are
over- and some underspent), with budgeted people and unit costs close to the current ones. Written in bulk: cost
centres and budgets name nobody, and the builder runs without the audit safety net."""

from __future__ import annotations

import datetime as dt
import random

LD = "Learning disability support"
MH = "Mental health support"
COMMUNITY = (
    ("HC", "home-care", "Home care"),
    ("DAY", "day-care", "Day care"),
    ("DP", "direct-payments", "Direct payments"),
    ("OTH", "community-other", "Other community support"),
)
LOCALITIES = (
    ("N", "locality-north", "north"),
    ("S", "locality-south", "south"),
    ("E", "locality-east", "east"),
)
HOMES = (
    ("RES", "residential", "Residential care"),
    ("RESD", "residential-dementia", "Residential dementia care"),
    ("NUR", "nursing", "Nursing care"),
    ("NURD", "nursing-dementia", "Nursing dementia care"),
    ("RSP", "respite", "Respite care"),
)


def structure() -> list[dict]:
    """The demo's cost centres: code, name, care category code, client groups, team code."""
    out = []
    for code, cat, name in HOMES:
        out.append({"code": f"ASC-{code}", "name": f"{name}, older people and physical support", "cat": cat})
    for code, cat, name in HOMES[:4]:
        out.append(
            {"code": f"LD-{code}", "name": f"{name}, learning disability", "cat": cat, "reasons": [LD]}
        )
        out.append({"code": f"MH-{code}", "name": f"{name}, mental health", "cat": cat, "reasons": [MH]})
    for suffix, team, place in LOCALITIES:
        for code, cat, name in COMMUNITY:
            out.append(
                {"code": f"{code}-{suffix}", "name": f"{name}, locality {place}", "cat": cat, "team": team}
            )
    for code, cat, name in COMMUNITY:
        out.append(
            {
                "code": f"LD-{code}",
                "name": f"{name}, learning disability",
                "cat": cat,
                "team": "learning-disability",
            }
        )
    out.append({"code": "MH-COM", "name": "Community support, mental health", "team": "mental-health"})
    out.append({"code": "ASC-REAB", "name": "Reablement and short-term support", "cat": "reablement"})
    out.append({"code": "ASC-HC", "name": "Home care, other teams", "cat": "home-care"})
    return out


def build_finance(*, seed: int, system, today: dt.date) -> None:
    """The cost centres, then the budgets from the services there are (run it after the services are built)."""
    build_cost_centres()
    set_budgets(seed=seed, system=system, today=today)


def build_cost_centres() -> None:
    from openasc.core.models import Team
    from openasc.finance.models import CareCategory, CostCentre

    cats = {c.code: c for c in CareCategory.objects.all()}
    teams = {t.code: t for t in Team.objects.all()}
    made = [
        CostCentre(
            code=s["code"],
            name=s["name"],
            care_category=cats.get(s.get("cat", "")),
            support_reasons=s.get("reasons", []),
            team=teams.get(s.get("team", "")),
        )
        for s in structure()
    ]
    CostCentre.objects.bulk_create(made)


def set_budgets(*, seed: int, system, today: dt.date) -> int:
    """Budgets for 2025-26 and 2026-27 from each cost centre's forecast outturn as at `today`, replacing any."""
    from django.utils import timezone

    from openasc.finance import commitments
    from openasc.finance.models import Budget, CostCentre, FinancialYear
    from openasc.finance.selectors import budgets as sel

    rng = random.Random(seed * 7919 + 15)
    centres = list(CostCentre.objects.select_related("care_category"))
    now = timezone.now()
    budgets = []
    for label in ("2025-26", "2026-27"):
        year = FinancialYear.objects.filter(label=label).first()
        if year is None:
            continue
        result = sel.compute(year, today)
        for c in centres:
            unit = c.care_category.unit if c.care_category else "week"
            f = commitments.add_up(result.cells_of(centres=[c.pk]), unit=unit, months=len(result.months))
            if not f.services:
                continue
            factor = 1 + rng.uniform(-0.06, 0.05)
            budgets.append(
                Budget(
                    year=year,
                    cost_centre=c,
                    net_budget_pence=int(round(f.forecast * factor, -5)),  # to the £1,000
                    budgeted_people=max(0, round(f.people * (1 + rng.uniform(-0.05, 0.04)))),
                    budgeted_unit_cost_pence=round((f.unit_cost or 0) * (1 + rng.uniform(-0.04, 0.02))),
                    note="Set from the commitments at the start of the year (demo)",
                    updated_by=system,
                    updated_at=now,
                )
            )
    Budget.objects.filter(year__label__in=("2025-26", "2026-27")).delete()
    Budget.objects.bulk_create(budgets, batch_size=500)
    return len(budgets)
