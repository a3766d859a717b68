"""Forms for sign-in, break-glass and reviews: they parse input; the services decide."""

from django import forms

from openasc.core.models import BreakGlassReason, BreakGlassReview, Role
from openasc.ui.forms import GovukDateField


class SignInForm(forms.Form):
    username = forms.CharField(error_messages={"required": "Enter your username"})
    password = forms.CharField(error_messages={"required": "Enter your password"}, strip=False)


class BreakGlassForm(forms.Form):
    reason_code = forms.ChoiceField(
        choices=BreakGlassReason.choices,
        error_messages={
            "required": "Select why you need access",
            "invalid_choice": "Select why you need access",
        },
    )
    reason_text = forms.CharField(required=False, max_length=2000)


class BreakGlassReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=BreakGlassReview.choices,
        error_messages={
            "required": "Select whether the access was appropriate",
            "invalid_choice": "Select whether the access was appropriate",
        },
    )
    note = forms.CharField(required=False, max_length=2000)


class RestrictionForm(forms.Form):
    reason = forms.CharField(
        max_length=2000, error_messages={"required": "Enter why the record is restricted"}
    )
    review_on = GovukDateField(label="review date", required=True)
    allowed_roles = forms.MultipleChoiceField(
        required=False,
        choices=[(r.value, r.label) for r in Role if r not in (Role.SYSTEM, Role.ADMINISTRATOR)],
        error_messages={"invalid_choice": "Select roles from the list"},
    )


class LiftRestrictionForm(forms.Form):
    reason = forms.CharField(
        max_length=2000, error_messages={"required": "Enter why the restriction is being lifted"}
    )
