"""Budget monitoring over JSON: the same figures, access rules and audit as the page (and the shape of `openasc
budget`, docs/finance.md), for the cost centres the user may see. Names nobody; one view event per call."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field as NinjaField
from ninja import Query, Router, Schema

from openasc.core import audit
from openasc.core.models import AuditAction
from openasc.finance import presenters
from openasc.finance.models import FinancialYear
from openasc.finance.selectors import budgets as sel

router = Router(tags=["finance"])


class BudgetQuery(Schema):
    as_at: dt.date | None = NinjaField(
        None, description="The date spent is split from committed (default today)"
    )


@router.get("/budgets/{year}", response=dict, summary="Forecast outturn against budget for a financial year")
def budgets(request: HttpRequest, year: str, query: Query[BudgetQuery]):
    """Per cost centre the user may see (all, for finance): budget, spent to date, committed, forecast outturn,
    variance, people and unit cost against budgeted; then not in a cost centre (finance only, else null), the care
    categories and the totals. Amounts in pence."""
    user = request.user
    if not sel.may_see(user):
        raise PermissionError(
            "Budget monitoring is for finance officers and the team managers who hold budgets."
        )
    fy = sel.year_get(year)
    if fy is None:
        raise FinancialYear.DoesNotExist(year)
    figures = sel.figures_for(user, fy, query.as_at or timezone.localdate())
    report = presenters.report_json(figures, generated_at=timezone.now())
    audit.record(
        actor=user,
        action=AuditAction.VIEW,
        basis=sel.BASIS,
        details={"what": "budget monitoring (API)", "year": fy.label, "as_at": report["as_at"]},
    )
    return report
