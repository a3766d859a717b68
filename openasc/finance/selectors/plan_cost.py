"""The cost of what is arranged under one plan, for the plan page (the plan is already opened through its selector,
so its record's opening was audited there)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from openasc.finance.personal_budget import PlanCost, plan_cost
from openasc.finance.selectors.costed import costed_services
from openasc.services.models import Service


def plan_cost_for(plan, *, on: dt.date) -> PlanCost:
    services = costed_services(extra=Q(plan_id=plan.pk))
    labels = {
        pk: (component or stype, location or "")
        for pk, stype, component, location in Service.objects.filter(plan_id=plan.pk).values_list(
            "pk", "service_type", "service_component", "provider_location__name"
        )
    }
    return plan_cost(services, agreed_weekly_pence=plan.agreed_weekly_pence, on=on, labels=labels)
