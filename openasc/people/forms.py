"""Forms for the person record: parse what staff type; the services validate and decide."""

from django import forms

from openasc.core import codes
from openasc.people.models import AlertKind, ContactKind
from openasc.ui.forms import GovukDateField


def _coded(list_name: str, label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=lambda: [("", ""), *codes.choices(list_name)],
        required=False,
        error_messages={"invalid_choice": f"Select a {label} from the list"},
    )


class PersonForm(forms.Form):
    first_name = forms.CharField(
        max_length=100,
        error_messages={
            "required": "Enter the person's first name",
            "max_length": "The first name must be 100 characters or fewer",
        },
    )
    middle_names = forms.CharField(max_length=200, required=False)
    last_name = forms.CharField(
        max_length=100,
        error_messages={
            "required": "Enter the person's last name",
            "max_length": "The last name must be 100 characters or fewer",
        },
    )
    preferred_name = forms.CharField(max_length=100, required=False)
    nhs_number = forms.CharField(max_length=20, required=False)
    date_of_birth = GovukDateField(label="date of birth", past_only=True, required=False)
    date_of_death = GovukDateField(label="date of death", past_only=True, required=False)
    gender = _coded(codes.ListName.GENDER, "gender")
    ethnicity = _coded(codes.ListName.ETHNICITY, "ethnicity")
    primary_support_reason = _coded(codes.ListName.PRIMARY_SUPPORT_REASON, "primary support reason")
    accommodation_status = _coded(codes.ListName.ACCOMMODATION_STATUS, "accommodation status")
    employment_status = _coded(codes.ListName.EMPLOYMENT_STATUS, "employment status")
    client_type = _coded(codes.ListName.CLIENT_TYPE, "client type")
    funding_status = _coded(codes.ListName.CLIENT_FUNDING_STATUS, "funding status")
    address_line_1 = forms.CharField(max_length=120, required=False)
    address_line_2 = forms.CharField(max_length=120, required=False)
    town = forms.CharField(max_length=80, required=False)
    postcode = forms.CharField(max_length=10, required=False)
    phone = forms.CharField(max_length=30, required=False)
    email = forms.EmailField(
        required=False, error_messages={"invalid": "Enter an email address like name@example.com"}
    )
    communication_needs = forms.CharField(required=False, max_length=2000)
    confirm_not_duplicate = forms.BooleanField(required=False)

    def person_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("confirm_not_duplicate", None)
        return data


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=200)


class ContactForm(forms.Form):
    kind = forms.ChoiceField(
        choices=ContactKind.choices,
        error_messages={
            "required": "Select the kind of contact",
            "invalid_choice": "Select the kind of contact",
        },
    )
    name = forms.CharField(max_length=200, error_messages={"required": "Enter the contact's name"})
    relationship = forms.CharField(max_length=100, required=False)
    phone = forms.CharField(max_length=30, required=False)
    email = forms.EmailField(
        required=False, error_messages={"invalid": "Enter an email address like name@example.com"}
    )


class AlertForm(forms.Form):
    kind = forms.ChoiceField(
        choices=AlertKind.choices,
        error_messages={"required": "Select the kind of alert", "invalid_choice": "Select the kind of alert"},
    )
    description = forms.CharField(
        max_length=2000, error_messages={"required": "Describe what staff need to know"}
    )


class CarerLinkForm(forms.Form):
    carer_id = forms.CharField(
        max_length=20, error_messages={"required": "Enter the carer's person id, like P0001234"}
    )
    relationship = forms.CharField(max_length=100, required=False)
    lives_with = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        error_messages={
            "required": "Select whether the carer lives with the person",
            "invalid_choice": "Select whether the carer lives with the person",
        },
    )


class MergeForm(forms.Form):
    duplicate_id = forms.CharField(
        max_length=20,
        error_messages={"required": "Enter the person id of the duplicate record, like P0001234"},
    )
    reason = forms.CharField(
        max_length=2000, error_messages={"required": "Enter why these records are the same person"}
    )
