"""What the services arranged under a plan cost against its agreed personal budget: the weekly cost on a day, the
headroom or overspend, and what they come to over the financial year (finance.costing, so the figure is the one the
budget monitoring and the payments use). Pure: the selector is `finance.selectors.plan_cost`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from openasc.core.money import pounds
from openasc.core.periods import year_of
from openasc.finance.costing import CostedService, cost_between
from openasc.ui.jinja2 import uk_date


@dataclass(frozen=True)
class ServiceLine:
    service_id: int
    what: str
    provider: str
    start_on: dt.date
    end_on: dt.date | None
    state: str  # "running", "starts later", "ended"
    weekly_pence: int | None
    year_pence: int


@dataclass(frozen=True)
class PlanCost:
    on: dt.date
    year_label: str
    agreed_weekly_pence: int | None
    lines: tuple[ServiceLine, ...]

    @property
    def weekly_pence(self) -> int:
        """The weekly cost on the day of the services running then."""
        return sum(line.weekly_pence or 0 for line in self.lines if line.state == "running")

    @property
    def difference_pence(self) -> int | None:
        """Agreed budget minus weekly cost: positive is headroom, negative an overspend; None without a budget."""
        if self.agreed_weekly_pence is None:
            return None
        return self.agreed_weekly_pence - self.weekly_pence

    @property
    def year_pence(self) -> int:
        return sum(line.year_pence for line in self.lines)


def plan_cost(
    services: list[CostedService],
    *,
    agreed_weekly_pence: int | None,
    on: dt.date,
    labels: dict[int, tuple[str, str]],
) -> PlanCost:
    """`labels`: service id -> (what, provider)."""
    year = year_of(on)
    lines = []
    for s in sorted(services, key=lambda s: (s.start_on, s.id)):
        if s.runs_on(on):
            state = "running"
        elif s.start_on > on:
            state = "starts later"
        else:
            state = "ended"
        what, provider = labels.get(s.id, (s.service_type, ""))
        weekly = s.weekly_on(
            on if state == "running" else (s.start_on if state == "starts later" else s.end_on)
        )
        lines.append(
            ServiceLine(
                s.id,
                what,
                provider,
                s.start_on,
                s.end_on,
                state,
                weekly,
                cost_between(s, year.starts_on, year.ends_on),
            )
        )
    return PlanCost(on, year.label, agreed_weekly_pence, tuple(lines))


STATE_TEXT = {"running": "Running", "starts later": "Starts later", "ended": "Ended"}


def rows(cost: PlanCost) -> list[list[dict]]:
    """The table of the plan's services: what, provider, dates, weekly cost (on the day; for one not running, what
    it costs a week when it runs), and the cost in the financial year."""
    out = []
    for line in cost.lines:
        dates = uk_date(line.start_on) + (f" to {uk_date(line.end_on)}" if line.end_on else "")
        out.append(
            [
                {"text": line.what},
                {"text": line.provider or "–"},
                {"text": dates},
                {"text": STATE_TEXT[line.state]},
                {
                    "text": pounds(line.weekly_pence) if line.weekly_pence is not None else "–",
                    "format": "numeric",
                },
                {"text": pounds(line.year_pence), "format": "numeric"},
            ]
        )
    return out


def verdict(cost: PlanCost) -> dict:
    """A govukTag and a sentence: within the budget (with the headroom), over it (by how much), or no budget yet."""
    difference = cost.difference_pence
    weekly = pounds(cost.weekly_pence)
    if difference is None:
        return {
            "tag": {"text": "No agreed budget", "classes": "govuk-tag--grey"},
            "text": f"The services running on {uk_date(cost.on)} cost {weekly} a week. The plan has no agreed budget.",
        }
    budget = pounds(cost.agreed_weekly_pence)
    if difference < 0:
        return {
            "tag": {"text": "Over budget", "classes": "govuk-tag--red"},
            "text": f"The services running on {uk_date(cost.on)} cost {weekly} a week: {pounds(-difference)} a week "
            f"more than the agreed personal budget of {budget}.",
        }
    return {
        "tag": {"text": "Within budget", "classes": "govuk-tag--green"},
        "text": f"The services running on {uk_date(cost.on)} cost {weekly} a week, within the agreed personal budget "
        f"of {budget} ({pounds(difference)} a week left).",
    }
