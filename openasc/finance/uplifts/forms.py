"""The uplift form: parses what a finance officer types; `uplifts.services.uplift_create` validates and decides."""

from __future__ import annotations

from django import forms

from openasc.core import codes
from openasc.finance.models import UpliftMethod
from openasc.planning.forms import coded
from openasc.ui.forms import GovukDateField


class UpliftForm(forms.Form):
    name = forms.CharField(max_length=200, required=False)
    effective_from = GovukDateField(label="date the new rates apply from")
    method = forms.ChoiceField(
        choices=UpliftMethod.choices,
        error_messages={
            "required": "Select how the uplift changes unit costs",
            "invalid_choice": "Select how the uplift changes unit costs",
        },
    )
    percent = forms.CharField(max_length=20, required=False)
    benchmark_unit_cost = forms.CharField(max_length=20, required=False)
    skip_uplifted_within_days = forms.CharField(max_length=10, required=False)
    provider = forms.ChoiceField(
        required=False, choices=[], error_messages={"invalid_choice": "Select the provider from the list"}
    )
    service_type = coded(codes.ListName.SERVICE_TYPE, "Select the service type from the list")
    care_category = forms.ChoiceField(
        required=False,
        choices=[],
        error_messages={"invalid_choice": "Select the care category from the list"},
    )
    age_from = forms.CharField(max_length=10, required=False)
    age_under = forms.CharField(max_length=10, required=False)

    def __init__(self, *args, providers=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", ""), *[(str(k), v) for k, v in providers]]
        self.fields["care_category"].choices = [("", ""), *[(str(k), v) for k, v in categories]]

    def uplift_data(self) -> dict:
        d = self.cleaned_data
        return {
            "name": d.get("name") or "",
            "effective_from": d.get("effective_from"),
            "method": d.get("method") or "",
            "percent": d.get("percent") or None,
            "benchmark_unit_cost": d.get("benchmark_unit_cost") or None,
            "skip_uplifted_within_days": d.get("skip_uplifted_within_days") or None,
            "provider_id": int(d["provider"]) if d.get("provider") else None,
            "service_type": d.get("service_type") or "",
            "care_category_id": int(d["care_category"]) if d.get("care_category") else None,
            "age_from": d.get("age_from") or None,
            "age_under": d.get("age_under") or None,
        }
