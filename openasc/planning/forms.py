"""Forms for plans and reviews: parse what staff type; the services validate and decide."""

from __future__ import annotations

from django import forms

from openasc.core import codes
from openasc.core.money import MoneyError, parse_pounds
from openasc.planning.models import MeetBy, WhatFollowed
from openasc.ui.forms import GovukDateField


def coded(list_name: str, message: str, *, required: bool = False) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=lambda: [("", ""), *codes.choices(list_name)],
        required=required,
        error_messages={"invalid_choice": message, "required": message},
    )


class PlanForm(forms.Form):
    """The plan: goals, one row per eligible need (how it will be met), the budget and how it is delivered."""

    goals = forms.CharField(
        max_length=10000,
        error_messages={
            "required": "Enter the person's goals, in their own words",
            "max_length": "The goals must be 10,000 characters or fewer",
        },
    )
    delivery_mechanism = coded(codes.ListName.DELIVERY_MECHANISM, "Select a delivery mechanism from the list")
    agreed_weekly = forms.CharField(required=False, max_length=20)
    starts_on = GovukDateField(label="date the plan starts", required=False)

    def __init__(self, *args, needs=(), with_reason: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.need_rows = list(needs)
        order = ["goals"]
        for need in self.need_rows:
            label = need.label.lower()
            self.fields[f"meet_by_{need.code}"] = forms.ChoiceField(
                choices=MeetBy.choices,
                error_messages={
                    "required": f"Select how the need for {label} will be met",
                    "invalid_choice": f"Select how the need for {label} will be met",
                },
            )
            self.fields[f"description_{need.code}"] = forms.CharField(
                max_length=5000,
                error_messages={
                    "required": f"Describe how the need for {label} will be met",
                    "max_length": "The description must be 5,000 characters or fewer",
                },
            )
            self.fields[f"who_{need.code}"] = forms.CharField(
                required=False,
                max_length=200,
                error_messages={
                    "max_length": f"Who will meet the need for {label} must be 200 characters or fewer"
                },
            )
            self.fields[f"when_{need.code}"] = forms.CharField(
                required=False,
                max_length=200,
                error_messages={
                    "max_length": f"When the need for {label} is met must be 200 characters or fewer"
                },
            )
            order += [
                f"meet_by_{need.code}",
                f"description_{need.code}",
                f"who_{need.code}",
                f"when_{need.code}",
            ]
        self.fields["contingency"] = forms.CharField(
            required=False,
            max_length=10000,
            error_messages={"max_length": "The contingency plan must be 10,000 characters or fewer"},
        )
        order.append("contingency")
        if with_reason:
            self.fields["reason"] = forms.CharField(
                max_length=2000, error_messages={"required": "Say why the plan is changing"}
            )
            order.insert(0, "reason")
        self.order_fields(order)

    def clean_agreed_weekly(self):
        value = self.cleaned_data.get("agreed_weekly", "")
        if not value.strip():
            return None
        try:
            return parse_pounds(value, what="agreed weekly amount")
        except MoneyError as exc:
            raise forms.ValidationError(str(exc)) from None

    def plan_data(self) -> dict:
        d = self.cleaned_data
        return {
            "goals": d["goals"],
            "contingency": d.get("contingency") or "",
            "delivery_mechanism": d.get("delivery_mechanism") or "",
            "agreed_weekly_pence": d.get("agreed_weekly"),
            "starts_on": d.get("starts_on"),
            "needs": [
                {
                    "outcome_code": n.code,
                    "meet_by": d.get(f"meet_by_{n.code}", ""),
                    "description": d.get(f"description_{n.code}", ""),
                    "who": d.get(f"who_{n.code}", ""),
                    "when": d.get(f"when_{n.code}", ""),
                }
                for n in self.need_rows
            ],
        }


class SignOffForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Agree and sign off the plan"), ("return", "Return it to the worker to change")],
        error_messages={
            "required": "Select whether you agree the plan",
            "invalid_choice": "Select whether you agree the plan",
        },
    )
    note = forms.CharField(required=False, max_length=2000)


class ReviewCompleteForm(forms.Form):
    started_on = GovukDateField(label="date the review started", past_only=True, required=False)
    completed_on = GovukDateField(label="date the review was completed", past_only=True)
    method = coded(codes.ListName.METHOD_OF_REVIEW, "Select how the review was carried out", required=True)
    outcomes_achieved = coded(
        codes.ListName.REVIEW_OUTCOMES_ACHIEVED,
        "Select whether the person's outcomes were achieved",
        required=True,
    )
    what_followed = forms.ChoiceField(
        choices=WhatFollowed.choices,
        error_messages={
            "required": "Select what followed the review",
            "invalid_choice": "Select what followed the review",
        },
    )
    notes = forms.CharField(required=False, max_length=10000)


class UnplannedReviewForm(forms.Form):
    reason = coded(
        codes.ListName.REVIEW_REASON,
        "Select why this unplanned review is needed from the list",
        required=True,
    )
    due_on = GovukDateField(label="date the review is due", required=False)
    notes = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [c for c in self.fields["reason"].choices if c[0] != "Planned"]
