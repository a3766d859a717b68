"""The spend and uplift loader (`spend.selectors.costed_in_window`) gives the same money as the lead's loader over the
days it is asked for, while loading only the cost versions in force then."""

from __future__ import annotations

import datetime as dt

import pytest

from openasc.finance import costing
from openasc.finance.selectors.costed import costed_services
from openasc.finance.spend.selectors import costed_in_window
from openasc.finance.tests.factories import service_with_costs
from openasc.people.tests.factories import PersonFactory

D = dt.date
HOME = "Long term support: Community"


@pytest.fixture
def services(db):
    p = PersonFactory()
    return [
        service_with_costs(
            p,
            service_type=HOME,
            start_on=D(2023, 5, 1),
            costs=[
                (D(2023, 5, 1), 1800, "Hourly", 10),
                (D(2024, 4, 1), 1900, "Hourly", 10),
                (D(2025, 4, 1), 2000, "Hourly", 12),
                (D(2026, 4, 1), 2100, "Hourly", 12),
                (D(2026, 9, 14), 2100, "Hourly", 14),
                (D(2027, 4, 1), 2200, "Hourly", 14),
            ],
        ),
        service_with_costs(
            p,
            service_type=HOME,
            start_on=D(2026, 6, 1),
            end_on=D(2026, 12, 31),
            costs=[(D(2026, 6, 1), 50000, "One-off", None)],
        ),
        service_with_costs(
            p, service_type=HOME, start_on=D(2026, 4, 1), costs=[(D(2026, 4, 1), 90000, "Weekly", None)]
        ),
        service_with_costs(
            p,
            service_type=HOME,
            start_on=D(2020, 1, 1),
            end_on=D(2026, 3, 31),
            costs=[(D(2020, 1, 1), 90000, "Weekly", None)],
        ),
        service_with_costs(
            p, service_type=HOME, start_on=D(2027, 4, 2), costs=[(D(2027, 4, 2), 90000, "Weekly", None)]
        ),
    ]


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (D(2026, 4, 1), D(2027, 3, 31)),
        (D(2026, 4, 1), D(2026, 11, 23)),
        (D(2026, 9, 14), D(2027, 3, 31)),
        (D(2026, 9, 13), D(2026, 9, 13)),
    ],
)
def test_the_same_money_as_the_full_loader(services, first, last):
    full = {s.id: s for s in costed_services(first=first, last=last)}
    narrow = {s.id: s for s in costed_in_window(first, last)}
    assert set(full) == set(narrow)
    for sid, s in narrow.items():
        assert costing.cost_between(s, first, last) == costing.cost_between(full[sid], first, last)
        assert s.version_on(first) == full[sid].version_on(first)
    assert sum(len(s.versions) for s in narrow.values()) < sum(len(s.versions) for s in full.values())
