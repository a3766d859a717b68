"""Input parsing for the capacity pages (every rule is in services, so the API applies the same ones).

A field the form cannot read (a date that is no date, a choice not in the list) does not stop the form: its raw value
goes to the service, and a date's own message is kept aside (`deferred`) and shown with everything the service finds,
so the page reports every mistake at once. `fields_for` lays a form out as the GOV.UK macros take it.
"""

from __future__ import annotations

from django import forms

from openasc.capacity.models import ABILITIES, ConsentBasis, ImcaReason, InvolvementIn, Outcome
from openasc.ui import forms as ui
from openasc.ui.forms import GovukDateField

YES_NO = [("yes", "Yes"), ("no", "No")]
OPTION_SLOTS = 4


def _yes_no() -> forms.ChoiceField:
    return forms.ChoiceField(choices=YES_NO, required=False, widget=forms.RadioSelect)


def _text() -> forms.CharField:
    return forms.CharField(required=False, strip=False)


class _Form(forms.Form):
    def __init__(self, *args, links=(), providers=(), capacity=(), **kwargs):
        super().__init__(*args, **kwargs)
        if "link" in self.fields:
            self.fields["link"].choices = [("", "Not about one of these"), *links]
        if "provider" in self.fields:
            self.fields["provider"].choices = [(p, p) for p in providers]
        if "capacity_assessment" in self.fields:
            self.fields["capacity_assessment"].choices = list(capacity)
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
        data["_deferred"] = dict(self.deferred)
        return data


class CapacityForm(_Form):
    decision = _text()
    assessed_on = GovukDateField(label="date of the assessment", required=False)
    assessor = _text()
    location = _text()
    present = _text()
    impairment = _yes_no()
    impairment_detail = _text()
    understand = _yes_no()
    understand_evidence = _text()
    retain = _yes_no()
    retain_evidence = _text()
    use_weigh = _yes_no()
    use_weigh_evidence = _text()
    communicate = _yes_no()
    communicate_evidence = _text()
    nexus = _yes_no()
    nexus_evidence = _text()
    support_steps = _text()
    outcome = forms.ChoiceField(choices=Outcome.choices, required=False, widget=forms.RadioSelect)
    link = forms.ChoiceField(required=False)


class BestInterestsForm(_Form):
    consulted = _text()
    wishes = _text()
    least_restrictive = _text()
    decision = _text()
    decision_maker = _text()
    decided_on = GovukDateField(label="date of the decision", required=False)
    link = forms.ChoiceField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, OPTION_SLOTS + 1):
            for part in ("option", "benefits", "risks"):
                self.fields[f"option_{n}_{part}"] = _text()

    def clean(self):
        data = super().clean()
        data["options"] = [
            {part: data.get(f"option_{n}_{part}") or "" for part in ("option", "benefits", "risks")}
            for n in range(1, OPTION_SLOTS + 1)
        ]
        return data


class AdvocacyForm(_Form):
    involvement_in = forms.ChoiceField(
        choices=InvolvementIn.choices, required=False, widget=forms.RadioSelect
    )
    considered_on = GovukDateField(label="date it was considered", required=False)
    difficulty_understand = _yes_no()
    difficulty_retain = _yes_no()
    difficulty_use_weigh = _yes_no()
    difficulty_communicate = _yes_no()
    difficulty_evidence = _text()
    appropriate_individual = _yes_no()
    appropriate_individual_name = _text()
    referral_made = _yes_no()
    provider = forms.ChoiceField(required=False)
    referred_on = GovukDateField(label="date of the referral", required=False)
    no_referral_reason = _text()
    outcome = _text()
    outcome_on = GovukDateField(label="date of the outcome", required=False)
    link = forms.ChoiceField(required=False)


class ImcaForm(_Form):
    capacity_assessment = forms.ChoiceField(required=False)
    reason = forms.ChoiceField(choices=ImcaReason.choices, required=False, widget=forms.RadioSelect)
    reason_detail = _text()
    no_one_appropriate = _yes_no()
    provider = forms.ChoiceField(required=False)
    referred_on = GovukDateField(label="date of the referral", required=False)
    outcome = _text()
    link = forms.ChoiceField(required=False)


class ConsentForm(_Form):
    what = _text()
    agencies = _text()
    basis = forms.ChoiceField(choices=ConsentBasis.choices, required=False, widget=forms.RadioSelect)
    capacity_assessment = forms.ChoiceField(required=False)
    reason = _text()
    recorded_on = GovukDateField(label="date recorded", required=False)
    review_on = GovukDateField(label="review date", required=False)
    link = forms.ChoiceField(required=False)


# --- layout ------------------------------------------------------------------------------------------------------


def _h(text: str, hint: str = "") -> dict:
    return {"type": "heading", "text": text, "hint": hint}


def _radios(form, name, legend, hint=None) -> dict:
    return {"type": "radios", "params": ui.radios(form, name, legend, hint=hint, legend_size="s")}


def _yn(form, name, legend, hint=None) -> dict:
    return {
        "type": "radios",
        "params": ui.radios(form, name, legend, hint=hint, legend_size="s", inline=True),
    }


def _area(form, name, label, hint=None, rows=3) -> dict:
    return {"type": "textarea", "params": ui.textarea(form, name, label, hint=hint, rows=rows)}


def _input(form, name, label, hint=None) -> dict:
    return {"type": "input", "params": ui.input(form, name, label, hint=hint)}


def _date(form, name, legend, hint="For example, 20 11 2026") -> dict:
    return {"type": "date", "params": ui.date_input(form, name, legend, hint=hint)}


def _select(form, name, label, hint=None, empty="Select an option") -> dict:
    """A select, shown even when its list is empty (so an error about it has a field to link to)."""
    return {"type": "select", "params": ui.select(form, name, label, hint=hint, empty=empty)}


def _link(form) -> dict:
    if len(form.fields["link"].choices) <= 1:
        return {"type": "none"}
    return {
        "type": "select",
        "params": ui.select(
            form,
            "link",
            "Is this about one of the person's assessments or plans? (optional)",
            empty="Not about one of these",
        ),
    }


def capacity_fields(form) -> list[dict]:
    fields = [
        _input(
            form,
            "decision",
            "What is the decision?",
            "One specific decision, for example “where to live on "
            "discharge from hospital”. Capacity is about this decision, at this time",
        ),
        _date(form, "assessed_on", "Date of the assessment"),
        _input(form, "assessor", "Who assessed", "Name and role"),
        _input(form, "location", "Where the assessment took place"),
        _area(
            form,
            "present",
            "Who else was present (optional)",
            "One name a line, with their relationship or role",
        ),
        _area(
            form,
            "support_steps",
            "What practicable steps were taken to help the person make the decision?",
            "For example, information in easy read, a quieter time of day, an interpreter, a familiar person there",
        ),
        _h("Stage 1: diagnostic"),
        _yn(
            form,
            "impairment",
            "Is there an impairment of, or a disturbance in the functioning of, the mind or brain?",
        ),
        _area(
            form,
            "impairment_detail",
            "What is the impairment or disturbance, and the evidence for it?",
            "For example, a diagnosis of dementia, a delirium, a learning disability, a brain injury",
        ),
        _h(
            "Stage 2: functional",
            "Whether the person can do each of these, with the evidence for your answer",
        ),
    ]
    for name, question in ABILITIES:
        fields.append(_yn(form, name, f"Can the person {question}?"))
        fields.append(_area(form, f"{name}_evidence", "Evidence"))
    fields += [
        _h("Causative nexus"),
        _yn(
            form,
            "nexus",
            "Is the person's inability to make the decision because of the impairment or disturbance?",
            "Answer when there is an impairment and the person cannot do one or more of the four",
        ),
        _area(form, "nexus_evidence", "Evidence for the causative nexus (optional when not applicable)"),
        _h("Outcome"),
        _radios(form, "outcome", "What is the outcome of the assessment?"),
        _link(form),
    ]
    return fields


def best_interests_fields(form) -> list[dict]:
    fields = [
        _area(
            form,
            "consulted",
            "Who was consulted?",
            "One a line: the name, a comma, then their relationship or role. For example “Mary Smith, daughter and "
            "attorney (health and welfare)” or “Jo Bright, IMCA”",
            rows=4,
        ),
        _area(
            form,
            "wishes",
            "The person's past and present wishes, feelings, beliefs and values",
            "What they have said, written or shown, now and before, and what matters to them",
            rows=5,
        ),
        _h("Options considered", "At least two, each with its benefits and risks"),
    ]
    for n in range(1, OPTION_SLOTS + 1):
        optional = "" if n <= 2 else " (optional)"
        fields += [
            _input(form, f"option_{n}_option", f"Option {n}{optional}"),
            _area(form, f"option_{n}_benefits", f"Benefits of option {n}", rows=2),
            _area(form, f"option_{n}_risks", f"Risks of option {n}", rows=2),
        ]
    fields += [
        _area(
            form,
            "least_restrictive",
            "The least restrictive option considered",
            "Which option restricts the person's rights and freedom of action least, and why it was or was not chosen",
        ),
        _area(form, "decision", "The decision made in the person's best interests"),
        _input(form, "decision_maker", "Who is the decision maker?", "Name and role"),
        _date(form, "decided_on", "Date of the decision"),
        _link(form),
    ]
    return fields


def advocacy_fields(form) -> list[dict]:
    return [
        _radios(form, "involvement_in", "What is the person to be involved in?"),
        _date(form, "considered_on", "Date it was considered"),
        _h("Would the person have substantial difficulty in:"),
        _yn(form, "difficulty_understand", "understanding relevant information?"),
        _yn(form, "difficulty_retain", "retaining that information?"),
        _yn(form, "difficulty_use_weigh", "using or weighing that information as part of being involved?"),
        _yn(form, "difficulty_communicate", "communicating their views, wishes or feelings?"),
        _area(form, "difficulty_evidence", "Evidence of the difficulty (when any answer is yes)"),
        _h("An appropriate individual"),
        _yn(
            form,
            "appropriate_individual",
            "Is there an appropriate individual to support and represent them?",
            "Someone not paid to care for them, whom the person agrees to, able to support their involvement",
        ),
        _input(
            form,
            "appropriate_individual_name",
            "Who is the appropriate individual? (when yes)",
            "Name and relationship",
        ),
        _h(
            "Referral",
            "The council must arrange an independent advocate when the person would have substantial "
            "difficulty and there is no appropriate individual",
        ),
        _yn(form, "referral_made", "Was a referral made to an advocacy provider?"),
        _select(form, "provider", "Advocacy provider", empty="Choose a provider"),
        _date(form, "referred_on", "Date of the referral"),
        _area(form, "no_referral_reason", "Why no referral was made (when there is a duty and no referral)"),
        _area(
            form,
            "outcome",
            "Outcome (optional)",
            "For example, an advocate allocated, or the person declined",
        ),
        _date(form, "outcome_on", "Date of the outcome (optional)"),
        _link(form),
    ]


def imca_fields(form) -> list[dict]:
    return [
        _select(
            form,
            "capacity_assessment",
            "Which mental capacity assessment found the person lacks capacity for this decision?",
            empty="Choose an assessment",
        ),
        _radios(form, "reason", "Why is an IMCA needed?"),
        _area(
            form,
            "reason_detail",
            "The treatment or move proposed",
            "Or what the review or the safeguarding concern is about",
        ),
        _yn(
            form,
            "no_one_appropriate",
            "Is there no one appropriate to consult, other than paid carers?",
            "Family or friends who could be consulted about the person's best interests",
        ),
        _select(form, "provider", "IMCA provider", empty="Choose a provider"),
        _date(form, "referred_on", "Date of the referral"),
        _area(form, "outcome", "Outcome (optional)"),
        _link(form),
    ]


def consent_fields(form) -> list[dict]:
    return [
        _area(form, "what", "What information is shared?"),
        _area(form, "agencies", "Who is it shared with?", "The agencies, one a line"),
        _radios(form, "basis", "On what basis?"),
        _select(
            form,
            "capacity_assessment",
            "Which mental capacity assessment found the person lacks capacity to "
            "consent? (when shared in their best interests)",
            empty="Choose an assessment",
        ),
        _area(
            form,
            "reason",
            "Reason",
            "Required when sharing without consent: the overriding public interest or "
            "the vital interests, and why it could not wait",
        ),
        _date(form, "recorded_on", "Date recorded"),
        _date(form, "review_on", "Review date (optional)"),
        _link(form),
    ]
