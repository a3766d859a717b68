"""Forms for staff administration: they parse what was typed; the services check it and decide."""

from __future__ import annotations

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from openasc.staff.selectors import STATUS_CHOICES
from openasc.staff.services import STAFF_ROLES, TOKEN_MAX_DAYS

ROLE_CHOICES = [(r.value, r.label) for r in STAFF_ROLES]


class TextField(forms.CharField):
    """Text left to the services' checks (openasc.core.validation), whose NUL error names the field."""

    def __init__(self, **kwargs):
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]


class StaffFilterForm(forms.Form):
    role = forms.ChoiceField(required=False, choices=[("", "Any role"), *ROLE_CHOICES])
    team = forms.ChoiceField(required=False, choices=[])
    status = forms.ChoiceField(required=False, choices=[("", "Any"), *STATUS_CHOICES])

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "Any team"), *((t.code, t.name) for t in teams)]


class _AccountForm(forms.Form):
    first_name = TextField(required=False, error_messages={"required": "Enter a first name"})
    last_name = TextField(required=False)
    job_title = TextField(required=False)
    email = TextField(required=False)
    role = forms.ChoiceField(
        choices=ROLE_CHOICES,
        error_messages={"required": "Select a role", "invalid_choice": "Select a role from the list"},
    )
    teams = forms.MultipleChoiceField(
        required=False, choices=[], error_messages={"invalid_choice": "Select teams from the list"}
    )

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.team_objects = {str(t.pk): t for t in teams}
        self.fields["teams"].choices = [(str(t.pk), t.name) for t in teams]

    def chosen_teams(self) -> list:
        return [self.team_objects[pk] for pk in self.cleaned_data.get("teams", [])]


class StaffCreateForm(_AccountForm):
    username = TextField(strip=False, error_messages={"required": "Enter a username"})
    field_order = ["username", "first_name", "last_name", "job_title", "email", "role", "teams"]


class StaffChangeForm(_AccountForm):
    pass


class SystemAccountForm(forms.Form):
    username = TextField(strip=False, error_messages={"required": "Enter a username"})
    description = TextField(required=False)


class PasswordForm(forms.Form):
    how = forms.ChoiceField(
        choices=[("generate", "Generate a password for me"), ("given", "I will type the password")],
        error_messages={
            "required": "Select how to set the password",
            "invalid_choice": "Select how to set the password",
        },
    )
    password = TextField(required=False)

    def clean(self):
        data = super().clean()
        if data.get("how") == "given" and not data.get("password"):
            self.add_error("password", "Enter the new password")
        return data


class TeamForm(forms.Form):
    name = TextField(strip=False, error_messages={"required": "Enter the team's name"})
    organisation = TextField(required=False)
    is_nhs_partner = forms.ChoiceField(
        choices=[("no", "No, a council team"), ("yes", "Yes, an NHS partner team")],
        error_messages={
            "required": "Select whether this is an NHS partner team",
            "invalid_choice": "Select whether this is an NHS partner team",
        },
    )


class TokenIssueForm(forms.Form):
    user = forms.ChoiceField(
        choices=[],
        error_messages={
            "required": "Select the system account",
            "invalid_choice": "Select a system account from the list",
        },
    )
    name = TextField(strip=False, error_messages={"required": "Enter a name for the token"})
    days = forms.IntegerField(
        min_value=1,
        max_value=TOKEN_MAX_DAYS,
        initial=365,
        error_messages={
            "required": "Enter how many days the token lasts",
            "invalid": "Enter how many days the token lasts as a whole number, like 365",
            "min_value": f"The token must last from 1 to {TOKEN_MAX_DAYS:,} days",
            "max_value": f"The token must last from 1 to {TOKEN_MAX_DAYS:,} days",
        },
    )

    def __init__(self, *args, accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts = {str(a.pk): a for a in accounts}
        self.fields["user"].choices = [(str(a.pk), a.username) for a in accounts]


class OwnPasswordForm(forms.Form):
    """The change-password page: the current password (the temporary one), and the new one twice."""

    current_password = TextField(error_messages={"required": "Enter your current password"})
    new_password = TextField(error_messages={"required": "Enter a new password"})
    confirm_password = TextField(error_messages={"required": "Type the new password again"})
