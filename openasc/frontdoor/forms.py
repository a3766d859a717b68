"""Forms for the front door: parse what staff type; the services validate and decide."""

from django import forms

from openasc.core import codes
from openasc.frontdoor import selectors, services
from openasc.frontdoor.models import NFA_OUTCOMES, ContactBy, TriageDecision, Urgency
from openasc.ui.forms import GovukDateField


def _choice(choices, message: str, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=choices, required=required, error_messages={"required": message, "invalid_choice": message}
    )


def _id_choice(choices, message: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        choices=choices,
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": message},
    )


class RequestForm(forms.Form):
    received_on = GovukDateField(label="date received", past_only=True)
    route_of_access = _choice(
        lambda: codes.choices(codes.ListName.ROUTE_OF_ACCESS), "Select the route of access from the list"
    )
    contact_by = _choice(ContactBy.choices, "Select who made contact")
    contact_name = forms.CharField(
        max_length=200,
        required=False,
        error_messages={"max_length": "The name must be 200 characters or fewer"},
    )
    contact_phone = forms.CharField(
        max_length=30,
        required=False,
        error_messages={"max_length": "The phone number must be 30 characters or fewer"},
    )
    what_matters = forms.CharField(
        max_length=5000,
        error_messages={
            "required": "Enter what matters to the person, in their words",
            "max_length": "What matters must be 5,000 characters or fewer",
        },
    )
    reason = forms.CharField(
        max_length=5000,
        required=False,
        error_messages={"max_length": "The reason must be 5,000 characters or fewer"},
    )
    urgency = _choice(Urgency.choices, "Select how urgent the request is")
    client_type = _choice(
        lambda: [(v, v) for v in services.request_client_types()],
        "Select whether the request is for a service user or an unpaid carer",
    )


class TriageForm(forms.Form):
    decision = _choice(TriageDecision.choices, "Select what happens next")
    triaged_on = GovukDateField(label="triage date", past_only=True, required=False)
    team = _id_choice(lambda: [("", ""), *selectors.team_choices()], "Select a team from the list")
    information_given = forms.CharField(max_length=5000, required=False)
    nfa_outcome = _choice(
        [(v, v) for v in NFA_OUTCOMES], "Select why no further action is needed", required=False
    )
    outcome_reason = forms.CharField(max_length=5000, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        error_messages={
            "required": "Explain why the request was recorded in error",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )


class AllocationForm(forms.Form):
    team = _id_choice([], "Select a team from the list")
    worker = _id_choice([], "Select a worker from the list")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", ""), *selectors.team_choices()]
        self.fields["worker"].choices = [("", ""), *selectors.worker_choices(user=user)]
