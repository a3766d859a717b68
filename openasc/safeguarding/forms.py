"""Input parsing for the safeguarding pages. Every rule is in services (the API applies the same ones): a form here
only reads what was typed. A field the form cannot read (a date that is no date, a choice not in the list) does not
stop the page: its raw value goes to the service, and a date's own message is kept aside (`deferred`) and shown with
everything the service finds, so the page reports every mistake at once. The `*_fields` functions lay a form out as
the GOV.UK macros take it (safeguarding/form.jinja)."""

from __future__ import annotations

from django import forms

from openasc.safeguarding.codes import (
    Agency,
    Autism,
    ConcernDecision,
    Consent,
    HarmPersonKnown,
    LackedCapacity,
    LocationOfRisk,
    MeetingKind,
    MspAchieved,
    MspAsked,
    NoEnquiryOutcome,
    ReferrerKind,
    RiskAssessmentOutcome,
    RiskOutcome,
    SharingBasis,
    SourceOfRisk,
    TypeOfRisk,
)
from openasc.ui import forms as ui
from openasc.ui.forms import GovukDateField

YES_NO = [("yes", "Yes"), ("no", "No")]
ACTION_SLOTS = 3
DATE_HINT = "For example, 27 3 2026"


def _text() -> forms.CharField:
    return forms.CharField(required=False, strip=False)


def _radios(choices) -> forms.ChoiceField:
    return forms.ChoiceField(choices=choices, required=False, widget=forms.RadioSelect)


def _date(label: str) -> GovukDateField:
    return GovukDateField(label=label, required=False)


def yes_no(value) -> bool | None:
    """ "yes"/"no" as the services take it (anything else is no answer, which the service reports)."""
    return {"yes": True, "no": False}.get(value)


class _Form(forms.Form):
    """A form whose unreadable fields pass their raw value on, so the service reports every error at once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.deferred: dict[str, str] = {}

    def clean(self):
        data = super().clean()
        for name in list(self._errors):
            if name == "__all__":
                continue
            message = self._errors.pop(name)[0]
            if isinstance(self.fields.get(name), GovukDateField):
                self.deferred[name] = message
                data[name] = None
            else:
                data[name] = self.data.get(name, "")
        return data


class ConcernForm(_Form):
    received_on = _date("date the concern was received")
    referrer_kind = _radios(ReferrerKind.choices)
    referrer_name = _text()
    referrer_organisation = _text()
    referrer_contact = _text()
    what_happened = _text()
    adult_views = _text()
    consent = _radios(Consent.choices)
    consent_override_reason = _text()
    immediate_actions = _text()
    harm_person_known = _radios(HarmPersonKnown.choices)


class DecisionForm(_Form):
    care_and_support_needs = _radios(YES_NO)
    abuse_or_neglect = _radios(YES_NO)
    unable_to_protect = _radios(YES_NO)
    decision = _radios(ConcernDecision.choices)
    other_reason = _text()
    no_enquiry_outcome = _radios(NoEnquiryOutcome.choices)
    decision_reason = _text()
    decided_on = _date("date of the decision")


class AgencyForm(_Form):
    agency = _radios(Agency.choices)
    agency_name = _text()
    information = _text()
    sharing_basis = _radios(SharingBasis.choices)
    received_on = _date("date the information was received")


class CancelForm(_Form):
    reason = _text()


class AllocateForm(_Form):
    officer = forms.ChoiceField(required=False)

    def __init__(self, *args, officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = [
            (str(u.pk), f"{u.get_full_name() or u.username} ({u.get_role_display()})") for u in officers
        ]


class MeetingForm(_Form):
    kind = _radios(MeetingKind.choices)
    held_on = _date("date it was held")
    attendees = _text()
    agencies = forms.MultipleChoiceField(
        choices=Agency.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    decisions = _text()
    actions = _text()

    def clean(self):
        data = super().clean()
        if isinstance(data.get("agencies"), str):  # not in the list: the service says so
            data["agencies"] = self.data.getlist("agencies") if hasattr(self.data, "getlist") else []
        return data


class AllegationForm(_Form):
    type_of_risk = forms.ChoiceField(choices=TypeOfRisk.choices, required=False)
    location_of_risk = forms.ChoiceField(choices=LocationOfRisk.choices, required=False)
    source_of_risk = _radios(SourceOfRisk.choices)
    local_source = forms.ChoiceField(required=False)
    source_description = _text()
    details = _text()

    def __init__(self, *args, local_sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.local_sources = {str(s.pk): s for s in local_sources}
        self.fields["local_source"].choices = [
            (str(s.pk), f"{s.name} (counted as {s.national})") for s in local_sources
        ]


class RemoveForm(_Form):
    reason = _text()


class PlanForm(_Form):
    agreed_on = _date("date the plan was agreed")
    summary = _text()
    review_due_on = _date("date of the first review")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(ACTION_SLOTS):
            self.fields[f"actions-{i}-action"] = _text()
            self.fields[f"actions-{i}-owner"] = _text()
            self.fields[f"actions-{i}-due_on"] = _date(f"date action {i + 1} is due")

    def clean(self):
        data = super().clean()
        data["actions"] = [
            {
                "action": data.pop(f"actions-{i}-action", "") or "",
                "owner": data.pop(f"actions-{i}-owner", "") or "",
                "due_on": data.pop(f"actions-{i}-due_on", None),
            }
            for i in range(ACTION_SLOTS)
        ]
        return data


class ReviewForm(_Form):
    reviewed_on = _date("date of the review")
    summary = _text()
    next_review_on = _date("date of the next review")


class ConcludeForm(_Form):
    concluded_on = _date("date the enquiry concluded")
    risk_assessment_outcome = _radios(RiskAssessmentOutcome.choices)
    risk_outcome = _radios(RiskOutcome.choices)
    lacked_capacity = _radios(LackedCapacity.choices)
    capacity_assessment = forms.ChoiceField(required=False)
    supported_by_advocate = _radios(YES_NO)
    msp_asked = _radios(MspAsked.choices)
    msp_desired_outcomes = _text()
    msp_achieved = _radios(MspAchieved.choices)
    autism = forms.ChoiceField(choices=[c for c in Autism.choices if c[0]], required=False)
    conclusion = _text()

    def __init__(self, *args, capacity=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.assessments = {str(c.pk): c for c in capacity}
        self.fields["capacity_assessment"].choices = [
            (str(c.pk), f"{c.decision} (assessed {c.assessed_on:%-d %B %Y})") for c in capacity
        ]


class CloseForm(_Form):
    closed_on = _date("date the enquiry closed")
    note = _text()


# --- layout ------------------------------------------------------------------------------------------------------


def _h(text: str, hint: str = "") -> dict:
    return {"type": "heading", "text": text, "hint": hint}


def _radio(form, name, legend, hint=None, *, inline=False) -> dict:
    return {
        "type": "radios",
        "params": ui.radios(form, name, legend, hint=hint, legend_size="s", inline=inline),
    }


def _yn(form, name, legend, hint=None) -> dict:
    return _radio(form, name, legend, hint, inline=True)


def _area(form, name, label, hint=None, rows=4) -> dict:
    return {"type": "textarea", "params": ui.textarea(form, name, label, hint=hint, rows=rows)}


def _input(form, name, label, hint=None) -> dict:
    return {"type": "input", "params": ui.input(form, name, label, hint=hint)}


def _day(form, name, legend, hint=DATE_HINT) -> dict:
    return {"type": "date", "params": ui.date_input(form, name, legend, hint=hint)}


def _select(form, name, label, hint=None, empty="Select an option") -> dict:
    return {"type": "select", "params": ui.select(form, name, label, hint=hint, empty=empty)}


def checkboxes(form, name: str, legend: str, *, hint: str | None = None) -> dict:
    """Parameters for govukCheckboxes from a MultipleChoiceField."""
    if form.is_bound:
        data = form.data
        current = set(data.getlist(name) if hasattr(data, "getlist") else data.get(name) or [])
    else:
        current = {str(v) for v in form.initial.get(name, [])}
    error = None
    if form.is_bound and not getattr(form, "restored_draft", False) and form.errors.get(name):
        error = {"text": form.errors[name][0]}
    params = {
        "idPrefix": name,
        "name": name,
        "items": [
            {"value": v, "text": t, "checked": str(v) in current} for v, t in form.fields[name].choices
        ],
        "errorMessage": error,
        "fieldset": {"legend": {"text": legend, "classes": "govuk-fieldset__legend--s"}},
    }
    if hint:
        params["hint"] = {"text": hint}
    return params


def concern_fields(form) -> list[dict]:
    return [
        _day(form, "received_on", "When was the concern received?"),
        _area(
            form,
            "what_happened",
            "What was seen or reported?",
            "What happened, when and where, in the words used where you can; who is said to be causing harm",
            rows=6,
        ),
        _h("Who raised the concern"),
        _radio(form, "referrer_kind", "Who raised the concern?"),
        _input(
            form,
            "referrer_name",
            "Their name",
            "Not needed when the adult raised it themselves or it was anonymous",
        ),
        _input(form, "referrer_organisation", "Their organisation", "Needed for a professional"),
        _input(form, "referrer_contact", "How to contact them (optional)", "A telephone number or email"),
        _h("The adult"),
        _area(
            form,
            "adult_views",
            "What are the adult's views and wishes? (optional)",
            "What they want to happen, if they know of the concern",
        ),
        _radio(form, "consent", "Did the adult consent to the concern being shared?"),
        _area(
            form,
            "consent_override_reason",
            "Why was their refusal overridden?",
            "Only when consent was overridden: a risk to others, a crime, a serious risk to them, coercion",
        ),
        _area(
            form,
            "immediate_actions",
            "What was done to keep the adult safe straight away? (optional)",
            "For example, police called, an ambulance, a neighbour staying with them",
        ),
        _radio(form, "harm_person_known", "Is the person causing harm known?"),
    ]


def decision_fields(form, first_name: str) -> list[dict]:
    return [
        _h(
            "Section 42(1) of the Care Act 2014",
            "The council must make enquiries when all three are true. Answer each one.",
        ),
        _yn(
            form,
            "care_and_support_needs",
            f"1. Does {first_name} have needs for care and support?",
            "Whether or not the council is meeting any of those needs",
        ),
        _yn(
            form,
            "abuse_or_neglect",
            f"2. Is {first_name} experiencing, or at risk of, abuse or neglect?",
        ),
        _yn(
            form,
            "unable_to_protect",
            f"3. As a result of those needs, is {first_name} unable to protect themselves against the abuse or "
            "neglect or the risk of it?",
        ),
        _h("The decision"),
        _radio(
            form,
            "decision",
            "What is the decision?",
            "A section 42 enquiry when all three are met; otherwise an other safeguarding enquiry or no enquiry",
        ),
        _area(
            form,
            "other_reason",
            "Why is an other safeguarding enquiry necessary and proportionate?",
            "Only for an other safeguarding enquiry",
        ),
        _radio(form, "no_enquiry_outcome", "What happens instead of an enquiry?", "Only for no enquiry"),
        _area(
            form,
            "decision_reason",
            "Reasons for the decision",
            "Needed for no enquiry; optional otherwise",
        ),
        _day(form, "decided_on", "Date of the decision", "Leave empty for today. " + DATE_HINT),
    ]


def agency_fields(form) -> list[dict]:
    return [
        _radio(form, "agency", "Which agency shared the information?"),
        _input(form, "agency_name", "The agency's name (optional)", "For example, Northshire Police, Ward 7"),
        _area(form, "information", "What did they share?", rows=6),
        _radio(form, "sharing_basis", "On what basis was it shared?"),
        _day(form, "received_on", "When was it received?"),
    ]


def cancel_fields(form) -> list[dict]:
    return [
        _area(
            form,
            "reason",
            "Why was the concern recorded in error?",
            "For example, raised on the wrong person's record, or a duplicate of a concern already raised",
        )
    ]


def allocate_fields(form) -> list[dict]:
    return [
        _select(
            form,
            "officer",
            "Who is the enquiry officer?",
            "A social worker, team manager or safeguarding lead. They may open the adult's record while the "
            "enquiry is open",
            empty="Choose an officer",
        )
    ]


def meeting_fields(form) -> list[dict]:
    return [
        _radio(form, "kind", "What kind of meeting was it?"),
        _day(form, "held_on", "When was it held?"),
        _area(form, "attendees", "Who attended?", "One a line, with their role and organisation"),
        {
            "type": "checkboxes",
            "params": checkboxes(form, "agencies", "Which agencies took part? (optional)"),
        },
        _area(form, "decisions", "What was decided?"),
        _area(form, "actions", "Actions agreed (optional)", "What, who, and by when"),
    ]


def allegation_fields(form) -> list[dict]:
    fields = [
        _select(form, "type_of_risk", "Type of risk", empty="Choose a type of risk"),
        _select(form, "location_of_risk", "Location of risk", empty="Choose a location"),
        _radio(
            form,
            "source_of_risk",
            "Source of risk",
            "Service provider: anyone paid, contracted or commissioned to provide social care. Council and NHS "
            "staff who assess and manage care are other",
        ),
    ]
    if form.fields["local_source"].choices:
        fields.append(
            _select(
                form,
                "local_source",
                "The council's own source of risk (optional)",
                "Each is counted as the national source it names",
                empty="None",
            )
        )
    fields += [
        _input(
            form,
            "source_description",
            "Who or what is the source of risk? (optional)",
            "For example, “grandson” or the name of the provider. This is shown only on this enquiry",
        ),
        _area(form, "details", "Details (optional)"),
    ]
    return fields


def remove_fields(form) -> list[dict]:
    return [_area(form, "reason", "Why is this allegation line removed?")]


def plan_fields(form) -> list[dict]:
    fields = [
        _day(form, "agreed_on", "When was the plan agreed?"),
        _area(form, "summary", "What will keep the adult safe?", rows=6),
        _day(form, "review_due_on", "When is the first review?"),
        _h("Actions", "Each with who will do it. Leave the rows you do not need empty"),
    ]
    for i in range(ACTION_SLOTS):
        fields += [
            _area(form, f"actions-{i}-action", f"Action {i + 1}", rows=2),
            _input(form, f"actions-{i}-owner", f"Who will do action {i + 1}"),
            _day(form, f"actions-{i}-due_on", f"When is action {i + 1} due? (optional)"),
        ]
    return fields


def review_fields(form) -> list[dict]:
    return [
        _day(form, "reviewed_on", "Date of the review"),
        _area(form, "summary", "What did the review find?", rows=5),
        _day(
            form,
            "next_review_on",
            "Date of the next review",
            "Leave empty to end the plan. " + DATE_HINT,
        ),
    ]


def conclude_fields(form) -> list[dict]:
    return [
        _day(form, "concluded_on", "When did the enquiry conclude?"),
        _h("Risk"),
        _radio(form, "risk_assessment_outcome", "What was the outcome of the risk assessment?"),
        _radio(
            form,
            "risk_outcome",
            "Where a risk was identified, did it remain, reduce or was it removed?",
            "Only when a risk was identified",
        ),
        _h("Mental capacity"),
        _radio(
            form,
            "lacked_capacity",
            "Did the adult lack capacity to make decisions about the enquiry?",
        ),
        _select(
            form,
            "capacity_assessment",
            "Which mental capacity assessment found they lacked it?",
            "Only when they lacked capacity. The list shows the adult's assessments that found so",
            empty="Choose an assessment",
        ),
        _yn(
            form,
            "supported_by_advocate",
            "Were they supported by an advocate, family member or friend?",
            "Only when they lacked capacity",
        ),
        _h("Making Safeguarding Personal"),
        _radio(
            form,
            "msp_asked",
            "Was the adult, or their representative, asked what outcomes they wanted?",
        ),
        _area(
            form,
            "msp_desired_outcomes",
            "What outcomes did they want?",
            "In their words. Needed when outcomes were expressed",
        ),
        _radio(
            form,
            "msp_achieved",
            "Were those outcomes achieved?",
            "Only when outcomes were expressed",
        ),
        _h("Anything else"),
        _select(
            form,
            "autism",
            "Health condition recorded for the enquiry (optional)",
            "For the Safeguarding Adults Collection (SG1e)",
            empty="Neither recorded",
        ),
        _area(form, "conclusion", "Conclusion (optional)", "What the enquiry found and what happens next"),
    ]


def close_fields(form) -> list[dict]:
    return [
        _day(form, "closed_on", "When did the enquiry close?", "Leave empty for today. " + DATE_HINT),
        _area(form, "note", "Closing note (optional)"),
    ]
