"""The bulk loader of services with their cost versions (finance.selectors.costed)."""

import datetime as dt

import pytest

from openasc.finance.selectors.costed import costed_services
from openasc.services.tests.factories import ServiceCostFactory, ServiceFactory

D = dt.date
pytestmark = pytest.mark.django_db


def test_it_loads_the_services_running_in_a_window_with_every_cost_version(django_assert_max_num_queries):
    running = ServiceFactory(start_on=D(2026, 1, 5))
    ServiceCostFactory(service=running)
    ServiceCostFactory(service=running, effective_from=D(2026, 4, 6), unit_cost_pence=2300)
    ended = ServiceFactory(start_on=D(2025, 1, 6), end_on=D(2026, 3, 31))
    ServiceCostFactory(service=ended)
    later = ServiceFactory(start_on=D(2027, 4, 5))
    ServiceCostFactory(service=later)
    with django_assert_max_num_queries(2):
        found = costed_services(first=D(2026, 4, 1), last=D(2027, 3, 31))
    assert [s.id for s in found] == [running.pk]
    (s,) = found
    assert [v.unit_cost_pence for v in s.versions] == [2200, 2300]
    assert s.weekly_on(D(2026, 4, 5)) == 22000 and s.weekly_on(D(2026, 4, 6)) == 23000
    assert s.support_reason == running.person.primary_support_reason
    # by id, and open-ended windows
    assert [s.id for s in costed_services(ids=[ended.pk, later.pk])] == sorted([ended.pk, later.pk])
    assert {s.id for s in costed_services(first=D(2026, 3, 31))} == {running.pk, ended.pk, later.pk}
    assert {s.id for s in costed_services(last=D(2026, 3, 31))} == {running.pk, ended.pk}
