"""Input parsing for the budget pages (the rules are in finance.services, so the API and the CLI keep them too)."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from openasc.core.money import MoneyError, parse_pounds
from openasc.finance.services import MAX_BUDGET_POUNDS


def _pounds(value, what: str, maximum: Decimal | None = None) -> int:
    try:
        return parse_pounds(value, what=what, maximum=maximum)
    except MoneyError as exc:
        raise forms.ValidationError(str(exc)) from exc


class BudgetForm(forms.Form):
    net_budget = forms.CharField(required=False)
    budgeted_people = forms.CharField(required=False)
    budgeted_unit_cost = forms.CharField(required=False)
    note = forms.CharField(required=False)

    def clean_net_budget(self):
        return _pounds(self.cleaned_data.get("net_budget"), "net budget", MAX_BUDGET_POUNDS)

    def clean_budgeted_people(self):
        raw = (self.cleaned_data.get("budgeted_people") or "").strip().replace(",", "")
        if not raw:
            raise forms.ValidationError("Enter the number of people the budget was built on, like 120")
        if not raw.isascii() or not raw.isdigit():
            raise forms.ValidationError("The number of people must be a whole number, like 120")
        return int(raw)

    def clean_budgeted_unit_cost(self):
        return _pounds(self.cleaned_data.get("budgeted_unit_cost"), "budgeted average unit cost")


class CostCentreForm(forms.Form):
    code = forms.CharField(required=False)
    name = forms.CharField(required=False)
    care_category = forms.ChoiceField(
        required=False, choices=(), error_messages={"invalid_choice": "Select a care category from the list"}
    )
    support_reasons = forms.CharField(required=False)
    team = forms.ChoiceField(
        required=False, choices=(), error_messages={"invalid_choice": "Select a team from the list"}
    )
    holder = forms.ChoiceField(
        required=False, choices=(), error_messages={"invalid_choice": "Select a budget holder from the list"}
    )
    active = forms.ChoiceField(required=False, choices=(("yes", "Active"), ("no", "Deactivated")))

    def __init__(self, *args, categories=(), teams=(), holders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["care_category"].choices = [("", "Any care category")] + [
            (str(c.pk), c.name) for c in categories
        ]
        self.fields["team"].choices = [("", "Any team")] + [(str(t.pk), t.name) for t in teams]
        self.fields["holder"].choices = [("", "No named holder")] + [
            (str(u.pk), (u.get_full_name() or u.username)) for u in holders
        ]

    @staticmethod
    def _id(value):
        return int(value) if value and str(value).isdigit() else None

    def clean_care_category(self):
        return self._id(self.cleaned_data.get("care_category"))

    def clean_team(self):
        return self._id(self.cleaned_data.get("team"))

    def clean_holder(self):
        return self._id(self.cleaned_data.get("holder"))

    def clean_support_reasons(self):
        text = self.cleaned_data.get("support_reasons") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def clean_active(self):
        return self.cleaned_data.get("active") != "no"


def _one_a_line(text) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class CareCategoryForm(forms.Form):
    name = forms.CharField(required=False)
    priority = forms.CharField(required=False)
    service_types = forms.CharField(required=False)
    service_components = forms.CharField(required=False)
    delivery_mechanisms = forms.CharField(required=False)
    support_reasons = forms.CharField(required=False)
    active = forms.ChoiceField(required=False, choices=(("yes", "Active"), ("no", "Inactive")))

    def clean_priority(self):
        raw = (self.cleaned_data.get("priority") or "").strip()
        if not raw.isascii() or not raw.isdigit():
            raise forms.ValidationError(
                "Enter the priority as a whole number from 0 to 1000 (lower is tried first)"
            )
        return int(raw)

    def clean_service_types(self):
        return _one_a_line(self.cleaned_data.get("service_types"))

    def clean_service_components(self):
        return _one_a_line(self.cleaned_data.get("service_components"))

    def clean_delivery_mechanisms(self):
        return _one_a_line(self.cleaned_data.get("delivery_mechanisms"))

    def clean_support_reasons(self):
        return _one_a_line(self.cleaned_data.get("support_reasons"))

    def clean_active(self):
        return self.cleaned_data.get("active") != "no"


class AdjustmentForm(forms.Form):
    direction = forms.ChoiceField(
        required=True,
        choices=(("up", "Raise the forecast"), ("down", "Lower the forecast")),
        error_messages={
            "required": "Say whether the forecast goes up or down",
            "invalid_choice": "Choose up or down",
        },
    )
    amount = forms.CharField(required=False)
    reason = forms.CharField(required=False)

    def clean_amount(self):
        return _pounds(self.cleaned_data.get("amount"), "adjustment")

    def clean(self):
        data = super().clean()
        if isinstance(data.get("amount"), int) and data.get("direction") == "down":
            data["amount"] = -data["amount"]
        return data
