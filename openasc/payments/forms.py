"""Forms for the payments pages: they parse what a finance officer types; the services validate and decide."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms

from openasc.core.money import MoneyError, parse_pounds
from openasc.payments.models import ContributionKind, InvoiceKind
from openasc.ui.forms import GovukDateField

MAX_UPLOAD = 5 * 1024 * 1024


def _choice(message: str, **kw) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=[], error_messages={"required": message, "invalid_choice": message}, **kw
    )


def _text_of(upload) -> str | None:
    if upload is None:
        return None
    if upload.size > MAX_UPLOAD:
        raise forms.ValidationError("The file must be smaller than 5 MB")
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise forms.ValidationError("The file must be a CSV file saved as UTF-8") from None


class InvoiceForm(forms.Form):
    provider = _choice("Select the provider the invoice is from")
    schedule = _choice("Select the payment schedule")
    period_start = GovukDateField(label="first day of the period")
    number = forms.CharField(max_length=60, required=False)
    kind = forms.ChoiceField(
        choices=InvoiceKind.choices,
        initial=InvoiceKind.INVOICE,
        error_messages={
            "required": "Select invoice or credit note",
            "invalid_choice": "Select invoice or credit note",
        },
    )
    file = forms.FileField(required=False)
    lines = forms.CharField(required=False, widget=forms.Textarea)

    def __init__(self, *args, providers=(), schedules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", ""), *[(str(k), v) for k, v in providers]]
        self.fields["schedule"].choices = [("", ""), *[(str(k), v) for k, v in schedules]]

    def clean(self):
        data = super().clean()
        try:
            text = _text_of(data.get("file"))
        except forms.ValidationError as exc:
            self.add_error("file", exc)
            return data
        lines = (data.get("lines") or "").strip()
        if text is None and not lines:
            self.add_error("lines", "Upload the invoice's CSV file or type its lines")
        elif text is not None and lines:
            self.add_error("lines", "Upload a file or type the lines, not both")
        elif text is None and not lines.lower().startswith("la_person_id"):
            lines = "la_person_id,service_id,from,to,units,unit_cost,amount\n" + lines
        data["text"] = text if text is not None else lines
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(required=False, widget=forms.Textarea)


class EcmForm(forms.Form):
    provider = _choice("Select the provider the call monitoring is from")
    file = forms.FileField(error_messages={"required": "Choose the call monitoring CSV file"})

    def __init__(self, *args, providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", ""), *[(str(k), v) for k, v in providers]]

    def clean_file(self):
        return _text_of(self.cleaned_data.get("file"))


class AdjustmentForm(forms.Form):
    provider = _choice("Select the provider")
    schedule = _choice("Select the payment schedule")
    period_start = GovukDateField(label="first day of the period")
    amount = forms.CharField(max_length=20, required=False)
    reason = forms.CharField(required=False, widget=forms.Textarea)
    la_person_id = forms.CharField(max_length=20, required=False)

    def __init__(self, *args, providers=(), schedules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", ""), *[(str(k), v) for k, v in providers]]
        self.fields["schedule"].choices = [("", ""), *[(str(k), v) for k, v in schedules]]

    def clean_amount(self):
        raw = (self.cleaned_data.get("amount") or "").strip()
        if not raw:
            return None
        negative = raw.startswith("-")
        try:
            pence = parse_pounds(raw.removeprefix("-"), what="amount")
        except MoneyError as exc:
            raise forms.ValidationError(str(exc)) from None
        return -pence if negative else pence


class RunForm(forms.Form):
    period_end = GovukDateField(label="last day of the periods to pay")
    dry_run = forms.BooleanField(required=False)


class ContributionForm(forms.Form):
    service = forms.CharField(max_length=12, required=False)
    kind = forms.ChoiceField(
        choices=ContributionKind.choices,
        error_messages={
            "required": "Select the kind of NHS contribution",
            "invalid_choice": "Select the kind",
        },
    )
    weekly = forms.CharField(max_length=20, required=False)
    percent = forms.CharField(max_length=10, required=False)
    from_on = GovukDateField(label="date the contribution starts")
    to_on = GovukDateField(label="date the contribution ends", required=False)
    icb_reference = forms.CharField(max_length=60, required=False)

    def clean_service(self):
        raw = (self.cleaned_data.get("service") or "").strip()
        if not raw:
            return None
        if not raw.isascii() or not raw.isdigit():
            raise forms.ValidationError("Enter the service's id, a whole number like 1234")
        return int(raw)

    def clean_weekly(self):
        raw = (self.cleaned_data.get("weekly") or "").strip()
        if not raw:
            return None
        try:
            return parse_pounds(raw, what="amount a week")
        except MoneyError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_percent(self):
        raw = (self.cleaned_data.get("percent") or "").strip().removesuffix("%")
        if not raw:
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise forms.ValidationError("Enter the percentage as a number, like 50") from None
        if not value.is_finite() or value != value.quantize(Decimal("0.01")):
            raise forms.ValidationError(
                "Enter the percentage as a number with at most 2 decimal places, like 37.5"
            )
        return value


class ScheduleForm(forms.Form):
    code = forms.SlugField(
        max_length=40,
        required=False,
        error_messages={"invalid": "Use letters, numbers and hyphens, like home-care"},
    )
    name = forms.CharField(max_length=120, required=False)
    care_categories = forms.MultipleChoiceField(
        choices=[], required=False, error_messages={"invalid_choice": "Select care categories from the list"}
    )
    frequency = forms.ChoiceField(choices=[], error_messages={"required": "Select how often it pays"})
    timing = forms.ChoiceField(choices=[], error_messages={"required": "Select in arrears or in advance"})
    basis = forms.ChoiceField(choices=[], error_messages={"required": "Select what it pays against"})
    anchor = GovukDateField(label="first day of one period")
    priority = forms.IntegerField(
        min_value=0,
        max_value=1000,
        required=False,
        error_messages={"invalid": "Enter a whole number, like 10"},
    )
    active = forms.BooleanField(required=False)

    def __init__(self, *args, categories=(), **kwargs):
        from openasc.payments.models import Basis, Frequency, Timing

        super().__init__(*args, **kwargs)
        self.fields["care_categories"].choices = list(categories)
        self.fields["frequency"].choices = Frequency.choices
        self.fields["timing"].choices = Timing.choices
        self.fields["basis"].choices = Basis.choices

    def checkbox_items(self) -> list[dict]:
        chosen = set(self["care_categories"].value() or [])
        return [
            {"value": v, "text": t, "checked": v in chosen} for v, t in self.fields["care_categories"].choices
        ]
