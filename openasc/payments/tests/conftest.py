import datetime as dt
from types import SimpleNamespace

import pytest

from openasc.payments.tests import factories as f
from openasc.people.tests.factories import PersonFactory

PERIOD_START, PERIOD_END = dt.date(2026, 4, 6), dt.date(2026, 5, 3)


@pytest.fixture
def officers(db):
    """Three finance officers: one enters invoices, two approve."""
    return SimpleNamespace(
        clerk=f.finance_officer("fo-clerk"),
        first=f.finance_officer("fo-first"),
        second=f.finance_officer("fo-second"),
    )


@pytest.fixture
def world(db):
    """A home care agency with two people's home care, and a care home with two residents (one nursing)."""
    agency = f.location("Agency branch")
    home = f.location("The Laurels", kind="Care home service with nursing")
    ann, bob, cat, dan = (PersonFactory() for _ in range(4))
    return SimpleNamespace(
        agency=agency,
        home=home,
        ann=ann,
        bob=bob,
        cat=cat,
        dan=dan,
        ann_care=f.home_care(ann, agency),
        bob_care=f.home_care(bob, agency, costs=[(dt.date(2026, 1, 5), 2000, "Hourly", 7)]),
        cat_home=f.care_home(cat, home),
        dan_home=f.care_home(dan, home, kind=f.NURSING, costs=[(dt.date(2026, 1, 5), 98000, "Weekly", None)]),
    )
