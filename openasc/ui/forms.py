"""Django forms rendered through the GOV.UK Frontend macros: one helper per component type."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError


class DateInputWidget(forms.MultiWidget):
    """Reads the `<name>-day`, `<name>-month`, `<name>-year` boxes that the GOV.UK macro renders."""

    PARTS = ("day", "month", "year")

    def __init__(self):
        super().__init__(widgets=[forms.TextInput(), forms.TextInput(), forms.TextInput()])

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [str(value.day), str(value.month), str(value.year)]
        return value or [None, None, None]

    def value_from_datadict(self, data, files, name):
        return [data.get(f"{name}-{part}", "") for part in self.PARTS]

    def value_omitted_from_data(self, data, files, name):
        return all(f"{name}-{part}" not in data for part in self.PARTS)


class GovukDateField(forms.MultiValueField):
    """The Design System's date input: day, month and year boxes, with errors that say which part is wrong."""

    def __init__(self, *, label: str = "date", past_only: bool = False, **kwargs):
        self.label_text = label
        self.past_only = past_only
        fields = (
            forms.CharField(required=False),
            forms.CharField(required=False),
            forms.CharField(required=False),
        )
        super().__init__(fields=fields, require_all_fields=False, widget=DateInputWidget(), **kwargs)

    def compress(self, data_list):
        return data_list

    def clean(self, value):
        day, month, year = ((value or []) + ["", "", ""])[:3]
        day, month, year = (str(x or "").strip() for x in (day, month, year))
        if not (day or month or year):
            if self.required:
                raise ValidationError(f"Enter the {self.label_text}")
            return None
        missing = [n for n, v in (("day", day), ("month", month), ("year", year)) if not v]
        if missing:
            raise ValidationError(f"The {self.label_text} must include a {' and '.join(missing)}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise ValidationError(f"The {self.label_text} must be a real date, like 27 3 1950")
        try:
            value = dt.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"The {self.label_text} must be a real date") from None
        if self.past_only and value > dt.date.today():
            raise ValidationError(f"The {self.label_text} must be today or in the past")
        return value


def _error(form, name):
    if form is None or not form.is_bound or getattr(form, "restored_draft", False):
        return None
    errors = form.errors.get(name)
    return {"text": errors[0]} if errors else None


def _value(form, name):
    if form is None:
        return ""
    if form.is_bound:
        return form.data.get(name, "")
    value = form.initial.get(name, form.fields[name].initial if name in form.fields else "")
    return "" if value is None else value


def error_summary(form, extra: dict | None = None) -> list[dict]:
    """Error summary list: every message links to its field (dates link to the day box)."""
    items = []
    if form is not None and form.is_bound and not getattr(form, "restored_draft", False):
        order = {name: i for i, name in enumerate(["__all__", *form.fields])}
        for name, errs in sorted(form.errors.items(), key=lambda item: order.get(item[0], len(order))):
            if name == "__all__":
                items.extend({"text": e} for e in errs)
                continue
            field = form.fields.get(name)
            anchor = f"{name}-day" if isinstance(field, GovukDateField) else _field_id(form, name)
            items.extend({"text": e, "href": f"#{anchor}"} for e in errs)
    for name, message in (extra or {}).items():
        items.append({"text": message, "href": f"#{name}"})
    return items


def _field_id(form, name):
    field = form.fields.get(name)
    if isinstance(field, forms.ChoiceField) and isinstance(field.widget, forms.RadioSelect):
        return name
    return name


def input(
    form,
    name,
    label,
    *,
    hint=None,
    classes="",
    type="text",
    autocomplete=None,
    spellcheck=None,
    input_mode=None,
    is_page_heading=False,
):
    params = {
        "id": name,
        "name": name,
        "type": type,
        "value": _value(form, name),
        "label": {
            "text": label,
            "classes": "govuk-label--l" if is_page_heading else "",
            "isPageHeading": is_page_heading,
        },
        "errorMessage": _error(form, name),
        "classes": classes,
    }
    if hint:
        params["hint"] = {"text": hint}
    if autocomplete:
        params["autocomplete"] = autocomplete
    if spellcheck is not None:
        params["spellcheck"] = spellcheck
    if input_mode:
        params["inputmode"] = input_mode
    return params


def textarea(form, name, label, *, hint=None, rows=5):
    params = {
        "id": name,
        "name": name,
        "value": _value(form, name),
        "rows": rows,
        "label": {"text": label},
        "errorMessage": _error(form, name),
    }
    if hint:
        params["hint"] = {"text": hint}
    return params


def select(form, name, label, *, hint=None, empty="Select an option"):
    current = _value(form, name)
    items = [{"value": "", "text": empty}] + [
        {"value": v, "text": t, "selected": str(v) == str(current)}
        for v, t in form.fields[name].choices
        if v != ""
    ]
    params = {
        "id": name,
        "name": name,
        "label": {"text": label},
        "items": items,
        "errorMessage": _error(form, name),
    }
    if hint:
        params["hint"] = {"text": hint}
    return params


def radios(form, name, legend, *, hint=None, legend_size="m", inline=False, conditional=None):
    current = _value(form, name)
    items = []
    for v, t in form.fields[name].choices:
        if v == "":
            continue
        item = {"value": v, "text": t, "checked": str(v) == str(current)}
        if conditional and v in conditional:
            item["conditional"] = {"html": conditional[v]}
        items.append(item)
    params = {
        "idPrefix": name,
        "name": name,
        "items": items,
        "errorMessage": _error(form, name),
        "fieldset": {"legend": {"text": legend, "classes": f"govuk-fieldset__legend--{legend_size}"}},
        "classes": "govuk-radios--inline" if inline else "",
    }
    if hint:
        params["hint"] = {"text": hint}
    return params


def date_input(form, name, legend, *, hint=None):
    if form is not None and form.is_bound:
        parts = [form.data.get(f"{name}-{part}", "") for part in DateInputWidget.PARTS]
    else:
        value = _value(form, name)
        parts = (
            [str(value.day), str(value.month), str(value.year)]
            if isinstance(value, dt.date)
            else ["", "", ""]
        )
    error = _error(form, name)
    err_cls = " govuk-input--error" if error else ""
    params = {
        "id": name,
        "namePrefix": name,
        "errorMessage": error,
        "fieldset": {"legend": {"text": legend, "classes": "govuk-fieldset__legend--s"}},
        "items": [
            {
                "id": f"{name}-day",
                "name": "day",
                "label": "Day",
                "classes": "govuk-input--width-2" + err_cls,
                "value": parts[0],
                "inputmode": "numeric",
            },
            {
                "id": f"{name}-month",
                "name": "month",
                "label": "Month",
                "classes": "govuk-input--width-2" + err_cls,
                "value": parts[1],
                "inputmode": "numeric",
            },
            {
                "id": f"{name}-year",
                "name": "year",
                "label": "Year",
                "classes": "govuk-input--width-4" + err_cls,
                "value": parts[2],
                "inputmode": "numeric",
            },
        ],
    }
    if hint:
        params["hint"] = {"text": hint}
    return params


def add_service_errors(form, errors: dict[str, str]) -> None:
    """Put a service's field-level errors onto the form so they show next to the right fields."""
    for name, message in errors.items():
        form.add_error(name if name in form.fields else None, message)
