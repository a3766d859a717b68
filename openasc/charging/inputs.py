"""One financial assessment described as JSON (the shape `openasc charging calculate` takes, docs/charging.md) read
into a `calc.Assessment`, with every field that is wrong named at once. Amounts are pounds as strings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from openasc.charging.calc import Assessment, AssessmentError, Capital, Income, Stay, validate
from openasc.core.money import MoneyError, parse_pounds


def _date(value, field: str, errors: dict) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors[field] = "Enter a date like 2025-06-01"
        return None


def _money(value, field: str, errors: dict, what: str) -> int:
    if value in (None, ""):
        return 0
    try:
        return parse_pounds(value, what=what)
    except MoneyError as e:
        errors[field] = str(e)
        return 0


def _int(value, field: str, errors: dict, default: int | None = None) -> int:
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        errors[field] = "Enter a whole number"
        return 0
    return value


def parse(data) -> Assessment:
    if not isinstance(data, dict):
        raise AssessmentError({"": "The assessment must be a JSON object"})
    errors: dict[str, str] = {}
    for required in ("rates_year", "assessed_on", "setting", "age", "cost_of_care_weekly"):
        if data.get(required) in (None, ""):
            errors[required] = "This is needed"
    income = []
    for i, line in enumerate(data.get("income") or []):
        if not isinstance(line, dict):
            errors[f"income[{i}]"] = (
                'Each income line is an object like {"kind": "other", "weekly": "250.00"}'
            )
            continue
        income.append(
            Income(
                str(line.get("kind", "")),
                _money(line.get("weekly"), f"income[{i}].weekly", errors, "weekly income"),
            )
        )
    capital = []
    for i, line in enumerate(data.get("capital") or []):
        if not isinstance(line, dict):
            errors[f"capital[{i}]"] = (
                'Each capital line is an object like {"kind": "savings", "value": "1000.00"}'
            )
            continue
        try:
            share = Decimal(str(line.get("share", "1")))
            if not share.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            errors[f"capital[{i}].share"] = "The share must be a number from 0 to 1, like 0.5"
            share = Decimal(1)
        capital.append(
            Capital(
                str(line.get("kind", "")),
                _money(line.get("value"), f"capital[{i}].value", errors, "value"),
                share,
            )
        )
    previous = data.get("previous_stay")
    stay = None
    if isinstance(previous, dict):
        a, b = (
            _date(previous.get("admitted_on"), "previous_stay.admitted_on", errors),
            _date(previous.get("ended_on"), "previous_stay.ended_on", errors),
        )
        if a and b:
            stay = Stay(a, b)
    premiums = data.get("premiums") or []
    if not isinstance(premiums, list):
        errors["premiums"] = 'Give the premiums as a list, like ["disability"]'
        premiums = []
    assessment = Assessment(
        rates_year=str(data.get("rates_year", "")),
        assessed_on=_date(data.get("assessed_on"), "assessed_on", errors) or dt.date.min,
        setting=str(data.get("setting", "")),
        age=_int(data.get("age"), "age", errors) if data.get("age") is not None else 0,
        cost_of_care_weekly_pence=_money(
            data.get("cost_of_care_weekly"), "cost_of_care_weekly", errors, "weekly cost of care"
        ),
        admitted_on=_date(data.get("admitted_on"), "admitted_on", errors),
        member_of_couple=bool(data.get("member_of_couple", False)),
        children=_int(data.get("children"), "children", errors, default=0),
        premiums=frozenset(str(p) for p in premiums),
        income=tuple(income),
        housing_costs_weekly_pence=_money(
            data.get("housing_costs_weekly"), "housing_costs_weekly", errors, "weekly housing costs"
        ),
        dre_weekly_pence=_money(
            data.get("dre_weekly"), "dre_weekly", errors, "weekly disability-related expenditure"
        ),
        capital=tuple(capital),
        qualifying_relative_in_home=bool(data.get("qualifying_relative_in_home", False)),
        previous_stay=stay,
        light_touch=bool(data.get("light_touch", False)),
    )
    for key, message in validate(assessment).items():
        errors.setdefault(key, message)
    if errors:
        raise AssessmentError(errors)
    return assessment
