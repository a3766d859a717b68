"""Forms for assessments: parse what the worker types; the services check it and decide."""

from __future__ import annotations

from django import forms

from openasc.assessments import sections
from openasc.assessments.models import AssessmentKind, Judgement
from openasc.core import codes
from openasc.ui.forms import GovukDateField

YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(message: str) -> forms.ChoiceField:
    return forms.ChoiceField(choices=YES_NO, required=False, error_messages={"invalid_choice": message})


def _text() -> forms.CharField:
    return forms.CharField(
        required=False,
        max_length=10_000,
        strip=False,
        error_messages={"max_length": "This must be 10,000 characters or fewer"},
    )


class StartForm(forms.Form):
    kind = forms.ChoiceField(
        choices=AssessmentKind.choices,
        error_messages={
            "required": "Select a needs assessment or a carer's assessment",
            "invalid_choice": "Select a needs assessment or a carer's assessment",
        },
    )
    assessment_type = forms.ChoiceField(
        required=False,
        choices=lambda: codes.choices(codes.ListName.ASSESSMENT_TYPE),
        error_messages={"invalid_choice": "Select a type of assessment from the list"},
    )
    method = forms.ChoiceField(
        required=False,
        choices=lambda: codes.choices(codes.ListName.METHOD_OF_ASSESSMENT),
        error_messages={"invalid_choice": "Select how the assessment is being carried out"},
    )
    request = forms.ChoiceField(
        required=False,
        error_messages={"invalid_choice": "Choose one of this person's requests for support, or none"},
    )
    cared_for = forms.ChoiceField(
        required=False, error_messages={"invalid_choice": "Choose a person this carer is linked to"}
    )
    started_on = GovukDateField(label="start date", past_only=True, required=False)

    def __init__(self, *args, options=None, **kwargs):
        super().__init__(*args, **kwargs)
        requests = options.requests if options else []
        cared_for = options.cared_for if options else []
        self.fields["request"].choices = [("", "None")] + [
            (str(r.pk), f"Received {r.received_on:%-d %B %Y}: {(r.reason or r.what_matters)[:60]}")
            for r in requests
        ]
        self.fields["cared_for"].choices = [("", "")] + [
            (str(p.pk), f"{p.first_name} {p.last_name} ({p.la_person_id})") for p in cared_for
        ]
        self.requests = {str(r.pk): r for r in requests}
        self.cared_for_people = {str(p.pk): p for p in cared_for}


class SectionForm(forms.Form):
    """A section of the task list. Every field is optional here, so that unfinished work can be saved."""

    def __init__(self, *args, kind: str = AssessmentKind.NEEDS, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    def section_data(self) -> dict:
        return dict(self.cleaned_data)


class AboutForm(SectionForm):
    what_matters = _text()
    strengths = _text()
    existing_support = _text()


class ConditionForm(SectionForm):
    condition_met = _yes_no("Select yes or no")
    condition_description = _text()


class CarerHealthForm(SectionForm):
    carer_health_at_risk = _yes_no("Select yes or no")


class WellbeingForm(SectionForm):
    wellbeing_impact = _yes_no("Select yes or no")
    wellbeing_description = _text()


class OutcomeForm(SectionForm):
    can_achieve = _yes_no("Select yes or no")
    limbs = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select from the list how the outcome cannot be achieved"},
    )
    notes = _text()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every limb parses, so that the service can say why (d) does not apply to carers.
        self.fields["limbs"].choices = [
            (code, label) for code, label in sections.limbs_for(AssessmentKind.NEEDS)
        ]


class EligibilityForm(SectionForm):
    judgement = forms.ChoiceField(
        choices=Judgement.choices,
        required=False,
        error_messages={"invalid_choice": "Select whether you agree with the determination"},
    )
    judgement_reason = _text()


def for_section(section: sections.Section) -> type[SectionForm]:
    if section.outcome_code:
        return OutcomeForm
    return {
        sections.ABOUT: AboutForm,
        sections.CONDITION: ConditionForm,
        sections.CARER_HEALTH: CarerHealthForm,
        sections.WELLBEING: WellbeingForm,
        sections.ELIGIBILITY: EligibilityForm,
    }[section.key]


def _yn(value) -> str:
    return "" if value is None else ("yes" if value else "no")


def initial_for(assessment, section: sections.Section, answers: dict) -> dict:
    """The form's starting values from what is saved on the assessment."""
    if section.outcome_code:
        answer = answers.get(section.outcome_code)
        if answer is None:
            return {}
        return {"can_achieve": _yn(answer.can_achieve), "limbs": list(answer.limbs), "notes": answer.notes}
    names = for_section(section).base_fields
    return {
        name: (
            _yn(getattr(assessment, name))
            if name in ("condition_met", "carer_health_at_risk", "wellbeing_impact")
            else getattr(assessment, name)
        )
        for name in names
    }


class CompleteForm(forms.Form):
    information_given = _text()
    outcome = forms.ChoiceField(
        required=False,
        choices=lambda: codes.choices(codes.ListName.EVENT_OUTCOME),
        error_messages={"invalid_choice": "Select an outcome from the list"},
    )
    completed_on = GovukDateField(label="completion date", past_only=True, required=False)


class SignOffForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Sign off the assessment"), ("return", "Return it to the assessor")],
        error_messages={
            "required": "Select whether to sign off the assessment or return it",
            "invalid_choice": "Select whether to sign off the assessment or return it",
        },
    )
    reason = _text()


class CancelForm(forms.Form):
    reason = forms.CharField(
        required=False,  # the service says what is missing, for the page and the API alike
        max_length=10_000,
        strip=False,
        error_messages={"max_length": "The reason must be 10,000 characters or fewer"},
    )
