"""Expected payments per provider per period, from the one cost calculation."""

import datetime as dt

from openasc.finance import costing
from openasc.finance.selectors.costed import costed_services
from openasc.payments.periods import Period
from openasc.payments.selectors.expected import expected_for
from openasc.payments.selectors.schedules import load_rules
from openasc.payments.tests import factories as f
from openasc.people.tests.factories import PersonFactory

PERIOD = Period(dt.date(2026, 4, 6), dt.date(2026, 5, 3))


def _expected(code, provider_id):
    rules = load_rules()
    schedule = next(s for s in rules.schedules if s.code == code)
    return expected_for(rules, schedule, PERIOD).get(provider_id)


def test_each_schedule_pays_its_own_services(world):
    homes = _expected("care-homes", world.home.provider_id)
    assert {ln.service_id for ln in homes.lines} == {world.cat_home.pk, world.dan_home.pk}
    assert homes.total_pence == 4 * 85000 + 4 * 98000  # 28 days: four weeks at each rate
    care = _expected("home-care", world.agency.provider_id)
    assert {ln.service_id for ln in care.lines} == {world.ann_care.pk, world.bob_care.pk}
    assert care.total_pence == 4 * 22000 + 4 * 14000
    assert _expected("care-homes", world.agency.provider_id) is None  # home care is not paid from the plan


def test_a_cost_change_mid_period_gives_two_lines_one_at_each_rate(db):
    home = f.location(kind="Care home service without nursing")
    svc = f.care_home(
        PersonFactory(),
        home,
        costs=[(dt.date(2026, 1, 5), 85000, "Weekly", None), (dt.date(2026, 4, 20), 90000, "Weekly", None)],
    )
    lines = _expected("care-homes", home.provider_id).lines
    assert [(ln.first, ln.last, ln.days, ln.weekly_pence, ln.pence) for ln in lines] == [
        (dt.date(2026, 4, 6), dt.date(2026, 4, 19), 14, 85000, 170000),
        (dt.date(2026, 4, 20), dt.date(2026, 5, 3), 14, 90000, 180000),
    ]
    (costed,) = costed_services(ids=[svc.pk])
    assert sum(ln.pence for ln in lines) == costing.cost_between(costed, PERIOD.first, PERIOD.last)


def test_a_service_that_ends_mid_period_is_paid_to_its_last_day(db):
    home = f.location(kind="Care home service without nursing")
    f.care_home(PersonFactory(), home, end_on=dt.date(2026, 4, 15))
    (line,) = _expected("care-homes", home.provider_id).lines
    assert (line.first, line.last, line.days) == (dt.date(2026, 4, 6), dt.date(2026, 4, 15), 10)
    assert line.pence == 121429  # £850 a week for 10 days is £1,214.2857..., half up to the penny


def test_a_service_that_ended_the_day_before_the_period_is_not_paid(db):
    home = f.location(kind="Care home service without nursing")
    f.care_home(PersonFactory(), home, end_on=dt.date(2026, 4, 5))
    assert _expected("care-homes", home.provider_id) is None
