"""The forecast from the database at the edges of the year: as at a day in April the trend compares with 31 March of
the year before (services that ended then are loaded for it, but cost nothing in the year), and a team's cost
centre follows the allocated worker's team as well as an allocated team."""

from __future__ import annotations

import datetime as dt

from openasc.core.models import RelationshipKind
from openasc.core.tests.factories import CareRelationshipFactory
from openasc.finance import commitments
from openasc.finance.models import CareCategory
from openasc.finance.selectors import budgets as sel
from openasc.finance.tests.factories import CostCentreFactory, service_with_costs, year
from openasc.people.tests.factories import PersonFactory

D = dt.date
RES = "Long term support: Residential care"


def test_as_at_in_april_compares_with_the_end_of_march(staff, teams):
    residential = CareCategory.objects.get(code="residential")
    centre = CostCentreFactory(code="RES", care_category=residential)
    ended = PersonFactory()
    service_with_costs(
        ended,
        service_type=RES,
        start_on=D(2025, 6, 1),
        end_on=D(2026, 3, 31),
        costs=[(D(2025, 6, 1), 70000, "Weekly", None)],
    )
    running = PersonFactory()
    service_with_costs(
        running, service_type=RES, start_on=D(2025, 6, 1), costs=[(D(2025, 6, 1), 70000, "Weekly", None)]
    )
    result = sel.compute(year(), D(2026, 4, 10))
    assert result.previous == D(2026, 3, 31)
    f = commitments.add_up(result.cells_of(centres=[centre.pk]), unit="week", months=12)
    assert f.prev_people == 2 and f.people == 1 and f.people_trend == -1
    assert f.services == 1  # the ended one costs nothing in the year and is not counted in it
    assert f.spent == 70000 * 10 // 7  # 1 to 10 April: 100000
    assert f.committed == 3550000  # 11 April to 31 March: 355 days at £700
    assert f.forecast == 3650000


def test_the_allocated_workers_team_counts_as_working_with_the_person(staff, teams):
    residential = CareCategory.objects.get(code="residential")
    north = CostCentreFactory(code="RES-N", care_category=residential, team=teams.north)
    CostCentreFactory(code="RES-ANY", care_category=residential)
    ivy = PersonFactory()
    CareRelationshipFactory(person=ivy, kind=RelationshipKind.ALLOCATED_WORKER, user=staff.social_worker)
    service_with_costs(
        ivy, service_type=RES, start_on=D(2026, 1, 1), costs=[(D(2026, 1, 1), 70000, "Weekly", None)]
    )
    other = PersonFactory()  # a worker with no team in the north
    CareRelationshipFactory(person=other, kind=RelationshipKind.ALLOCATED_WORKER, user=staff.nhs_partner)
    service_with_costs(
        other, service_type=RES, start_on=D(2026, 1, 1), costs=[(D(2026, 1, 1), 70000, "Weekly", None)]
    )
    result = sel.compute(year(), D(2026, 9, 30))
    assert result.ids_of(centres=[north.pk]) == sorted(s.pk for s in ivy.services.all())
