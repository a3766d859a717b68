"""The demo's rate uplifts: the applied one agrees with the cost versions it added, and the draft previews."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from openasc.finance import costing
from openasc.finance.models import RateUplift, RateUpliftLine, UpliftStatus
from openasc.finance.selectors.costed import costed_services
from openasc.finance.uplifts import selectors


@pytest.fixture
def council(transactional_db):
    call_command("demo", "--people", "500", "--seed", "3", "--reset", stdout=StringIO(), stderr=StringIO())


def test_the_applied_uplift_agrees_with_the_costs_it_added(council):
    applied = RateUplift.objects.get(status=UpliftStatus.APPLIED)
    lines = list(RateUpliftLine.objects.filter(uplift=applied).select_related("new_cost"))
    assert lines and applied.services == len(lines)
    benchmark = applied.benchmark_unit_cost_pence
    for line in lines:
        assert (
            line.old_unit_cost_pence < benchmark == line.new_unit_cost_pence == line.new_cost.unit_cost_pence
        )
        assert line.new_cost.effective_from == applied.effective_from
        assert line.new_cost.reason == f"Rate uplift: {applied.name}"
    assert applied.annual_change_pence == sum(line.weekly_change_pence * 52 for line in lines)
    # applied once: the same calculation now finds every one of them already costed from the date
    again = selectors.compute(applied)
    assert again.lines == [] or all(x.service_id not in {ln.service_id for ln in lines} for x in again.lines)
    services = costed_services(ids=[ln.service_id for ln in lines])
    assert all(s.version_on(applied.effective_from).unit_cost_pence == benchmark for s in services)
    assert all(costing.cost_between(s, applied.effective_from, dt.date(2027, 3, 31)) > 0 for s in services)


def test_the_draft_is_ready_to_preview(council):
    draft = RateUplift.objects.get(status=UpliftStatus.DRAFT)
    assert draft.age_from == 65 and draft.effective_from == dt.date(2027, 4, 1)
    preview = selectors.compute(draft)
    assert preview.services > 0 and preview.annual_change_pence > 0
