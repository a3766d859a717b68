"""Input parsing for the case-note pages (the rules are in services, so the API applies the same ones).

The date and time are parsed here (GOV.UK date boxes and a time box); a mistake in them is kept aside
(`when_errors`) rather than stopping the form, so that the page calls the service and shows every mistake at once,
the date's and time's with the service's.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone

from openasc.casenotes.models import NoteKind
from openasc.core import validation
from openasc.ui.forms import GovukDateField

_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$", re.IGNORECASE)
TIME_HINT = "Enter the time it happened in 24-hour time, like 09:30 or 14:05"


def parse_time(text: str) -> dt.time:
    """'14:30', '9.05', '2:30pm', '2pm' -> a time; raises ValueError with the field's message."""
    m = _TIME.match(validation.ascii_digits(text or "").strip())
    if not m:
        raise ValueError(TIME_HINT)
    hour, minute, half = int(m.group(1)), int(m.group(2) or 0), (m.group(3) or "").lower()
    if m.group(2) is None and not half:
        raise ValueError(TIME_HINT)
    if half:
        if not 1 <= hour <= 12:
            raise ValueError("The time must be a real time: the hour before am or pm is from 1 to 12")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ValueError("The time must be a real time, from 00:00 to 23:59")
    return dt.time(hour, minute)


class NoteForm(forms.Form):
    kind = forms.ChoiceField(choices=NoteKind.choices, required=False)
    occurred_at = GovukDateField(label="date it happened", required=False)
    occurred_time = forms.CharField(required=False)
    subject = forms.CharField(required=False)
    body = forms.CharField(required=False)
    present = forms.CharField(required=False)
    contact_ids = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    link = forms.ChoiceField(required=False)
    sensitive = forms.BooleanField(required=False)

    def __init__(self, *args, links=(), contacts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["link"].choices = [("", "Not about one of these"), *links]
        self.fields["contact_ids"].choices = list(contacts)
        self.fields["kind"].error_messages["invalid_choice"] = "Select what kind of note it is from the list"
        self.fields["link"].error_messages["invalid_choice"] = "Choose what the note is about from the list"
        self.fields["contact_ids"].error_messages["invalid_choice"] = (
            "Choose the contacts who were present from the list"
        )
        self.when_errors: dict[str, str] = {}

    def clean(self):
        data = super().clean()
        for name in ("occurred_at", "occurred_time"):
            if name in self._errors:
                self.when_errors[name] = self._errors.pop(name)[0]
                data.pop(name, None)
        day = data.get("occurred_at")
        text = (data.get("occurred_time") or "").strip()
        when = None
        time = None
        if text and "occurred_time" not in self.when_errors:
            try:
                time = parse_time(text)
            except ValueError as exc:
                self.when_errors["occurred_time"] = str(exc)
        if day is None and "occurred_at" not in self.when_errors:
            self.when_errors["occurred_at"] = "Enter the date it happened"
        if not text and "occurred_time" not in self.when_errors:
            self.when_errors["occurred_time"] = "Enter the time it happened, like 14:30"
        if day is not None and time is not None:
            when = timezone.make_aware(dt.datetime.combine(day, time))
        data["when"] = when
        data["_when_errors"] = dict(self.when_errors)
        return data


class EditForm(NoteForm):
    reason = forms.CharField(required=False)


class AddendumForm(forms.Form):
    body = forms.CharField(required=False)


class SearchForm(forms.Form):
    q = forms.CharField(required=False)  # (the page searches its first 200 characters)


def initial_for_now() -> dict:
    now = timezone.localtime()
    return {"occurred_at": now.date(), "occurred_time": f"{now:%H:%M}"}


def initial_from(note) -> dict:
    local = timezone.localtime(note.occurred_at)
    return {
        "kind": note.kind,
        "occurred_at": local.date(),
        "occurred_time": f"{local:%H:%M}",
        "subject": note.subject,
        "body": note.body,
        "present": note.present,
        "contact_ids": [str(c.pk) for c in note.contacts.all()],
        "link": f"{note.link_field}:{getattr(note, f'{note.link_field}_id')}" if note.link_field else "",
        "sensitive": note.sensitive,
    }


def checkboxes(form, name: str, legend: str, *, hint: str | None = None) -> dict:
    """Parameters for govukCheckboxes from a MultipleChoiceField (the ui helpers have none)."""
    if form.is_bound:
        current = set(
            form.data.getlist(name) if hasattr(form.data, "getlist") else _as_list(form.data.get(name))
        )
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


def _as_list(value) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def sensitive_checkbox(form) -> dict:
    if form.is_bound:
        raw = form.data.get("sensitive")
        checked = bool(raw) and str(raw).lower() not in ("false", "0", "")
    else:
        checked = bool(form.initial.get("sensitive"))
    return {
        "idPrefix": "sensitive",
        "name": "sensitive",
        "items": [
            {
                "value": "yes",
                "text": "This note is sensitive",
                "checked": checked,
                "hint": {
                    "text": "Only you, your team and the staff the council names (team managers and safeguarding leads) "
                    "will be able to read it. Others who can open the record will see only that there is a "
                    "sensitive note, its date and its kind."
                },
            }
        ],
        "fieldset": {"legend": {"text": "Is this note sensitive?", "classes": "govuk-fieldset__legend--s"}},
    }
