"""Forms of the worktray: parse what was typed; the services validate and decide."""

from __future__ import annotations

from django import forms


class BudgetDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("authorise", "Authorise the cost"), ("decline", "Decline it")],
        error_messages={
            "required": "Select whether you authorise or decline the cost",
            "invalid_choice": "Select whether you authorise or decline the cost",
        },
    )
    reason = forms.CharField(
        max_length=2000,
        error_messages={"required": "Enter the reason for your decision"},
    )


class PreferenceForm(forms.Form):
    email = forms.ChoiceField(
        choices=[
            ("yes", "Yes, email me when a new task is in my worktray"),
            ("no", "No, only show them here"),
        ],
        error_messages={"required": "Select whether you want emails", "invalid_choice": "Select yes or no"},
    )


class TargetsForm(forms.Form):
    """The three urgencies' targets: the service checks them (so the API or a command would be checked the same)."""

    urgent = forms.CharField(required=False, max_length=4)
    soon = forms.CharField(required=False, max_length=4)
    routine = forms.CharField(required=False, max_length=4)
