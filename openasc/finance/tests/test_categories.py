"""Which care category and cost centre a service falls in (finance.categories), on the seeded categories, and the
financial year of a day (core.periods)."""

import datetime as dt
from types import SimpleNamespace

import pytest

from openasc.core import periods as years
from openasc.finance.categories import categorise, centre_rules, cost_centre, rules
from openasc.finance.costing import CostedService
from openasc.finance.models import CareCategory

D = dt.date


def svc(
    stype,
    component="",
    mechanism="CASSR commissioned support",
    reason="Physical support: Personal care support",
):
    return CostedService(
        id=1,
        person_id=1,
        service_type=stype,
        service_component=component,
        delivery_mechanism=mechanism,
        start_on=D(2026, 4, 1),
        end_on=None,
        support_reason=reason,
    )


@pytest.fixture
def seeded(db):
    return rules(CareCategory.objects.all())


@pytest.mark.parametrize(
    "service, code",
    [
        (svc("Long term support: Residential care"), "residential"),
        (
            svc("Long term support: Residential care", reason="Support with memory and cognition"),
            "residential-dementia",
        ),
        (
            svc("Long Term Support: Residential Care", reason="Support with Memory & Cognition"),
            "residential-dementia",
        ),
        (svc("Long term support: Nursing care"), "nursing"),
        (
            svc("Long term support: Nursing care", reason="Support with memory and cognition"),
            "nursing-dementia",
        ),
        (svc("Short term support: Other short term", "Short term residential care"), "respite"),
        (svc("Long term support: Community", "Direct payment", "Direct payment"), "direct-payments"),
        (svc("Long term support: Community", "Day support"), "day-care"),
        (svc("Long term support: Community", "Home support or domiciliary care"), "home-care"),
        (svc("Long term support: Community", "Community supported living"), "community-other"),
        (svc("Short term support: ST-Max", "Reablement"), "reablement"),
        (svc("Short term support: Ongoing low level", "Equipment"), None),
    ],
)
def test_the_seeded_categories(seeded, service, code):
    found = categorise(service, seeded)
    assert (found.code if found else None) == code


def test_live_in_care_matches_nothing_until_the_council_sets_its_rule(seeded):
    live_in = next(r for r in seeded if r.code == "live-in-care")
    assert live_in.empty and not live_in.matches(
        svc("Long term support: Community", "Home support or domiciliary care")
    )
    assert CareCategory.objects.get(code="live-in-care").source.startswith("Local setting")


def centre(pk, code, category_id=None, reasons=(), team_id=None, active=True):
    return SimpleNamespace(
        pk=pk,
        code=code,
        care_category_id=category_id,
        support_reasons=list(reasons),
        team_id=team_id,
        active=active,
    )


def test_the_most_specific_cost_centre_wins_and_a_team_condition_needs_the_team(seeded):
    home = next(r for r in seeded if r.code == "home-care")
    ordered = centre_rules(
        [
            centre(1, "ASC-ALL"),
            centre(2, "HC", home.id),
            centre(3, "HC-LD", home.id, ["Learning disability support"]),
            centre(4, "HC-NORTH", home.id, team_id=7),
            centre(5, "HC-OLD", home.id, active=False, team_id=8),
        ]
    )
    care = svc("Long term support: Community", "Home support or domiciliary care")
    ld = svc(
        "Long term support: Community",
        "Home support or domiciliary care",
        reason="Learning disability support",
    )
    assert cost_centre(care, home, frozenset(), ordered).code == "HC"
    assert cost_centre(care, home, frozenset({7}), ordered).code == "HC-NORTH"
    assert cost_centre(care, home, frozenset({8}), ordered).code == "HC"  # inactive centres hold nothing
    assert cost_centre(ld, home, frozenset(), ordered).code == "HC-LD"
    assert cost_centre(care, None, frozenset(), ordered).code == "ASC-ALL"  # no category: only the catch-all
    assert cost_centre(care, None, frozenset(), centre_rules([centre(2, "HC", home.id)])) is None


@pytest.mark.parametrize(
    "day, label",
    [
        (D(2026, 3, 31), "2025-26"),
        (D(2026, 4, 1), "2026-27"),
        (D(2026, 12, 2), "2026-27"),
        (D(2027, 3, 31), "2026-27"),
    ],
)
def test_the_financial_year_of_a_day(day, label):
    assert years.year_of(day).label == label


def test_a_year_label_is_read_or_refused_with_how_to_write_it():
    assert years.parse("2026-27") == (("2026-27", D(2026, 4, 1), D(2027, 3, 31)))
    assert years.parse("1999-00").ends_on == D(2000, 3, 31)
    for bad in ("2026-28", "2026/27", "26-27", ""):
        with pytest.raises(ValueError, match="write it like 2026-27"):
            years.parse(bad)
