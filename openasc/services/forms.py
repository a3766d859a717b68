"""Forms for services and their costs: parse what staff type; the services validate and decide."""

from __future__ import annotations

from django import forms

from openasc.core import codes
from openasc.planning.forms import coded
from openasc.ui.forms import GovukDateField


class CostFields(forms.Form):
    unit_cost = forms.CharField(
        max_length=20, error_messages={"required": "Enter the unit cost in pounds, like 18.50"}
    )
    cost_frequency = coded(
        codes.ListName.COST_FREQUENCY,
        "Select how often the unit cost is charged from the list",
        required=True,
    )
    planned_units_per_week = forms.CharField(required=False, max_length=12)

    def cost_data(self) -> dict:
        d = self.cleaned_data
        return {
            "unit_cost": d["unit_cost"],
            "cost_frequency": d["cost_frequency"],
            "planned_units_per_week": d.get("planned_units_per_week") or None,
        }


class ServiceForm(CostFields):
    service_type = coded(codes.ListName.SERVICE_TYPE, "Select the service type from the list", required=True)
    service_component = coded(codes.ListName.SERVICE_COMPONENT, "Select the service component from the list")
    provider_location = forms.ChoiceField(
        required=False,
        choices=[],
        error_messages={"invalid_choice": "Select a provider location from the register"},
    )
    start_on = GovukDateField(label="date the service starts")
    end_on = GovukDateField(label="date the service ends", required=False)
    delivery_mechanism = coded(
        codes.ListName.DELIVERY_MECHANISM, "Select the delivery mechanism from the list"
    )
    description = forms.CharField(required=False, max_length=5000)
    plan = forms.IntegerField(required=False, widget=forms.HiddenInput)

    field_order = [
        "service_type",
        "service_component",
        "provider_location",
        "start_on",
        "end_on",
        "unit_cost",
        "cost_frequency",
        "planned_units_per_week",
        "delivery_mechanism",
        "description",
    ]

    def __init__(self, *args, locations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider_location"].choices = [("", ""), *locations]


class CostChangeForm(CostFields):
    effective_from = GovukDateField(label="date the new cost applies from")
    reason = forms.CharField(required=False, max_length=200)

    field_order = ["effective_from", "unit_cost", "cost_frequency", "planned_units_per_week", "reason"]


class EndForm(forms.Form):
    end_on = GovukDateField(label="date the service ended")
    outcome = coded(
        codes.ListName.EVENT_OUTCOME,
        "Select what happened when the service ended from the list",
        required=True,
    )
