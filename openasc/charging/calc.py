"""The financial assessment (Care and Support (Charging and Assessment of Resources) Regulations 2014): what a person
is assessed to pay a week, with every step said in plain English. Pure: the rates for the year come in as a mapping
(`openasc.charging.rates` loads them from the reference data), so the pages, the API and `openasc charging calculate`
run exactly this code.

The rules, and where each comes from (docs/charging.md lists what is certain and what is a council setting):
- capital: each line's value times the person's share, less the disregards (the main home while the person lives in
  it, is a temporary resident, or a qualifying relative lives there; for a permanent resident, the first 12 weeks from
  the day they first moved in, and the rest of those 12 weeks on a return within 52 weeks, Sch 2 paras 1 and 2);
- above the upper limit the person pays the full cost (for care outside a care home the council may set a higher
  limit); between the limits, tariff income of £1 a week for every £250 or part of £250 above the lower limit (reg 25);
- income: each line counted in full or disregarded by its kind (`INCOME_KINDS`);
- care elsewhere: what is left above the Minimum Income Guarantee (reg 7: personal amount by age and couple status,
  an amount for each child, premiums), housing costs (Sch 1 para 2) and disability-related expenditure (para 4);
- care home: what is left above the Personal Expenses Allowance (reg 6) (a temporary resident keeps their housing
  costs too);
- never more than the cost of the care."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from openasc.core.money import pounds

TWELVE_WEEKS = 84  # days
FIFTY_TWO_WEEKS = 364
TARIFF_STEP_PENCE = 25000  # £1 a week for every £250 or part of £250 (reg 25)
TARIFF_PER_STEP_PENCE = 100

SETTINGS = {
    "non_residential": "Care and support outside a care home",
    "care_home_permanent": "A permanent resident of a care home",
    "care_home_temporary": "A temporary resident of a care home",
    "care_home_short_term": "A short-term resident of a care home (8 weeks or less)",
}
# kind -> (counted?, what the person is told)
INCOME_KINDS: dict[str, tuple[bool, str]] = {
    "other": (True, "counted in full"),
    "state_pension": (True, "counted in full"),
    "occupational_pension": (True, "counted in full"),
    "pension_credit": (True, "counted in full"),
    "attendance_allowance": (True, "counted in full (disability-related expenditure is allowed for)"),
    "dla_care": (True, "counted in full (disability-related expenditure is allowed for)"),
    "pip_daily_living": (True, "counted in full (disability-related expenditure is allowed for)"),
    "earnings": (False, "disregarded: earnings are not counted (reg 14)"),
    "dla_mobility": (False, "disregarded: the mobility component is not counted (Sch 1 para 8)"),
    "pip_mobility": (False, "disregarded: the mobility component is not counted (Sch 1 para 8)"),
    "housing_benefit": (False, "disregarded: help with housing costs is not counted (Sch 1 para 3)"),
    "council_tax_reduction": (False, "disregarded: help with council tax is not counted (Sch 1 para 3)"),
}
CAPITAL_KINDS = {
    "savings": "Savings and investments",
    "property_main_home": "The main or only home",
    "property_other": "Other property",
    "notional": "Notional capital (after a decision on deprivation of assets)",
    "other": "Other capital",
}


class AssessmentError(ValueError):
    """The assessment cannot be worked out as given; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass(frozen=True)
class Income:
    kind: str
    weekly_pence: int


@dataclass(frozen=True)
class Capital:
    kind: str
    value_pence: int
    share: Decimal = Decimal(1)


@dataclass(frozen=True)
class Stay:
    """An earlier permanent stay in a care home: its first and last day."""

    admitted_on: dt.date
    ended_on: dt.date


@dataclass(frozen=True)
class Assessment:
    rates_year: str
    assessed_on: dt.date
    setting: str
    age: int
    cost_of_care_weekly_pence: int
    admitted_on: dt.date | None = None
    member_of_couple: bool = False
    children: int = 0
    premiums: frozenset[str] = frozenset()
    income: tuple[Income, ...] = ()
    housing_costs_weekly_pence: int = 0
    dre_weekly_pence: int = 0
    capital: tuple[Capital, ...] = ()
    qualifying_relative_in_home: bool = False
    previous_stay: Stay | None = None
    light_touch: bool = False


@dataclass(frozen=True)
class Policy:
    """What the regulations leave to the council (docs/charging.md)."""

    pension_credit_age: int = 66
    non_residential_upper_limit_pence: int | None = None  # None: the national upper limit
    short_term_as_non_residential: bool = (
        True  # reg 8: a short-term resident may be assessed as non-residential
    )


@dataclass(frozen=True)
class Step:
    rule: str
    text: str
    pence: int


@dataclass
class Result:
    weekly_charge_pence: int
    rates_year: str
    steps: list[Step] = field(default_factory=list)
    rates_used: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "weekly_charge_pence": self.weekly_charge_pence,
            "rates_year": self.rates_year,
            "steps": [{"rule": s.rule, "text": s.text, "pence": s.pence} for s in self.steps],
            "rates_used": self.rates_used,
        }


class _Rates:
    def __init__(self, year: str, rates: Mapping[str, int]):
        self.year, self.rates, self.used = year, rates, []

    def __call__(self, key: str) -> int:
        if key not in self.rates:
            raise AssessmentError(
                {
                    "rates_year": f"The rate {key} for {self.year} is not set: a finance officer sets it with the year's "
                    "charging rates before assessments for that year can be worked out"
                }
            )
        if key not in self.used:
            self.used.append(key)
        return self.rates[key]


def _home_disregarded(a: Assessment, setting: str) -> str | None:
    """Why the main home is not counted on the day of the assessment, or None when it is counted."""
    if a.qualifying_relative_in_home:
        return "a qualifying relative lives there"
    if setting == "non_residential":
        return "the person lives there"
    if setting in ("care_home_temporary", "care_home_short_term"):
        return "the person is a temporary resident"
    if a.admitted_on is None:
        raise AssessmentError(
            {"admitted_on": "Enter the day the person first moved into the care home permanently"}
        )
    days = TWELVE_WEEKS
    if a.previous_stay is not None:
        gap = (a.admitted_on - a.previous_stay.ended_on).days
        if 0 < gap <= FIFTY_TWO_WEEKS:
            used = min(TWELVE_WEEKS, (a.previous_stay.ended_on - a.previous_stay.admitted_on).days + 1)
            days = TWELVE_WEEKS - used
    last = a.admitted_on + dt.timedelta(days=days - 1)
    if days > 0 and a.admitted_on <= a.assessed_on <= last:
        return f"the 12-week property disregard runs to {last:%-d %B %Y}"
    return None


def validate(a: Assessment) -> dict[str, str]:
    """What is wrong with the assessment as given, by field (empty when nothing is)."""
    errors = {}
    if a.setting not in SETTINGS:
        errors["setting"] = "Choose one of: " + ", ".join(SETTINGS)
    if a.age < 18:
        errors["age"] = "The person must be 18 or over"
    if a.children < 0:
        errors["children"] = "Enter 0 or more children"
    for i, line in enumerate(a.income):
        if line.kind not in INCOME_KINDS:
            errors[f"income[{i}].kind"] = "Choose one of: " + ", ".join(INCOME_KINDS)
    for i, line in enumerate(a.capital):
        if line.kind not in CAPITAL_KINDS:
            errors[f"capital[{i}].kind"] = "Choose one of: " + ", ".join(CAPITAL_KINDS)
        if not (Decimal(0) <= line.share <= Decimal(1)):
            errors[f"capital[{i}].share"] = "The share must be from 0 to 1, like 0.5 for half"
    unknown = sorted(set(a.premiums) - {"disability", "enhanced_disability", "carer"})
    if unknown:
        errors["premiums"] = f"Unknown premium {unknown[0]!r}: use disability, enhanced_disability or carer"
    return errors


def assess(a: Assessment, rates: Mapping[str, int], policy: Policy = Policy()) -> Result:
    """The weekly assessed charge, with each step."""
    errors = validate(a)
    if errors:
        raise AssessmentError(errors)
    rate = _Rates(a.rates_year, rates)
    steps: list[Step] = []
    cost = a.cost_of_care_weekly_pence
    setting = a.setting
    if setting == "care_home_short_term" and policy.short_term_as_non_residential:
        setting = "non_residential"
        steps.append(
            Step("short_term", "A short-term resident is assessed as if receiving care at home (reg 8).", 0)
        )
    residential = setting != "non_residential"

    def done(charge: int, rule: str, text: str) -> Result:
        steps.append(Step(rule, text, charge))
        return Result(charge, a.rates_year, steps, rate.used)

    if a.light_touch:
        return done(
            cost,
            "light_touch",
            f"Light-touch assessment: the person pays the full cost of {pounds(cost)} a week.",
        )

    # Capital
    capital = 0
    for line in a.capital:
        value = int((Decimal(line.value_pence) * line.share).to_integral_value())
        if line.kind == "property_main_home":
            why = _home_disregarded(a, setting)
            if why:
                steps.append(
                    Step(
                        "capital_disregarded",
                        f"{CAPITAL_KINDS[line.kind]} ({pounds(value)}) is not counted: {why}.",
                        0,
                    )
                )
                continue
        share = "" if line.share == 1 else f" (their share, {line.share} of {pounds(line.value_pence)})"
        steps.append(
            Step("capital_counted", f"{CAPITAL_KINDS[line.kind]}: {pounds(value)}{share} is counted.", value)
        )
        capital += value
    upper = rate("capital_upper")
    if not residential and policy.non_residential_upper_limit_pence:
        upper = max(upper, policy.non_residential_upper_limit_pence)
    lower = rate("capital_lower")
    if capital > upper:
        return done(
            cost,
            "above_upper_limit",
            f"Capital of {pounds(capital)} is above the upper limit of {pounds(upper)}: the person pays the full cost "
            f"of {pounds(cost)} a week.",
        )
    tariff = 0
    if capital > lower:
        steps_of_250 = -(-(capital - lower) // TARIFF_STEP_PENCE)
        tariff = steps_of_250 * TARIFF_PER_STEP_PENCE
        steps.append(
            Step(
                "tariff_income",
                f"Tariff income: capital of {pounds(capital)} is {pounds(capital - lower)} above the lower limit of "
                f"{pounds(lower)}, so £1 a week for each £250 or part of £250: {pounds(tariff)} a week.",
                tariff,
            )
        )
    else:
        steps.append(
            Step(
                "tariff_income",
                f"Capital of {pounds(capital)} is not above the lower limit of {pounds(lower)}: no tariff income.",
                0,
            )
        )

    # Income
    income = 0
    for line in a.income:
        counted, how = INCOME_KINDS[line.kind]
        label = line.kind.replace("_", " ").capitalize()
        steps.append(
            Step(
                "income_counted" if counted else "income_disregarded",
                f"{label} of {pounds(line.weekly_pence)} a week: {how}.",
                line.weekly_pence if counted else 0,
            )
        )
        income += line.weekly_pence if counted else 0
    total = income + tariff
    steps.append(
        Step("total_income", f"Income taken into account, with tariff income: {pounds(total)} a week.", total)
    )

    if residential:
        allowance = rate("pea")
        left = total - allowance
        steps.append(
            Step(
                "pea",
                f"The Personal Expenses Allowance for {a.rates_year} of {pounds(allowance)} a week is kept.",
                -allowance,
            )
        )
        if setting == "care_home_temporary" and a.housing_costs_weekly_pence:
            left -= a.housing_costs_weekly_pence
            steps.append(
                Step(
                    "housing_costs",
                    f"Housing costs for the home kept while away: {pounds(a.housing_costs_weekly_pence)} a week.",
                    -a.housing_costs_weekly_pence,
                )
            )
    else:
        mig = _mig(a, rate, policy, steps)
        left = total - mig
        if a.housing_costs_weekly_pence:
            left -= a.housing_costs_weekly_pence
            steps.append(
                Step(
                    "housing_costs",
                    f"Housing costs: {pounds(a.housing_costs_weekly_pence)} a week.",
                    -a.housing_costs_weekly_pence,
                )
            )
        if a.dre_weekly_pence:
            left -= a.dre_weekly_pence
            steps.append(
                Step(
                    "dre",
                    f"Disability-related expenditure: {pounds(a.dre_weekly_pence)} a week.",
                    -a.dre_weekly_pence,
                )
            )
    charge = max(0, left)
    if left < 0:
        steps.append(Step("nothing_left", "Nothing is left above what the person keeps: no charge.", 0))
    if charge > cost:
        return done(
            cost,
            "cost_of_care_cap",
            f"The charge is never more than the cost of the care: {pounds(cost)} a week.",
        )
    return done(charge, "weekly_charge", f"The person is assessed to pay {pounds(charge)} a week.")


def _mig(a: Assessment, rate, policy: Policy, steps: list[Step]) -> int:
    pension_age = a.age >= policy.pension_credit_age
    if a.member_of_couple:
        key, what = (
            ("mig_couple_pc_age_each", "a member of a couple, Pension Credit age")
            if pension_age
            else ("mig_couple_18plus_each", "a member of a couple")
        )
    elif a.children and not pension_age:
        key, what = "mig_lone_parent_18plus", "a lone parent"
    elif pension_age:
        key, what = "mig_single_pc_age", "single, Pension Credit age"
    elif a.age < 25:
        key, what = "mig_single_18_24", "single, aged 18 to 24"
    else:
        key, what = "mig_single_25_to_pc_age", "single, aged 25 to Pension Credit age"
    parts = [(f"the personal amount ({what})", rate(key))]
    if a.children:
        parts.append(
            (f"{a.children} {'child' if a.children == 1 else 'children'}", rate("mig_per_child") * a.children)
        )
    suffix = "couple_each" if a.member_of_couple else "single"
    if "disability" in a.premiums:
        parts.append(("the disability premium", rate(f"mig_disability_premium_{suffix}")))
    if "enhanced_disability" in a.premiums:
        parts.append(("the enhanced disability premium", rate(f"mig_enhanced_disability_premium_{suffix}")))
    if "carer" in a.premiums:
        parts.append(("the carer premium", rate("mig_carer_premium")))
    mig = sum(p for _, p in parts)
    listed = ", ".join(f"{name} {pounds(p)}" for name, p in parts)
    steps.append(
        Step(
            "mig",
            f"The Minimum Income Guarantee for {a.rates_year} is kept: {listed}; {pounds(mig)} a week.",
            -mig,
        )
    )
    return mig
