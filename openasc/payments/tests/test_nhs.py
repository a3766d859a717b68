"""NHS contributions: joint funding (weekly or a percentage) and funded nursing care, pro rata by the day."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings

from openasc.core.errors import AccessDenied, ValidationFailed
from openasc.payments.models import ContributionKind
from openasc.payments.selectors.nhs import nhs_contributions_between
from openasc.payments.services.nhs import DEFAULT_FNC_WEEKLY_PENCE, nhs_contribution_add

START, END = dt.date(2026, 4, 6), dt.date(2026, 5, 3)


def test_funded_nursing_care_takes_the_national_rate_unless_given(world, officers):
    c = nhs_contribution_add(
        user=officers.first,
        service_id=world.dan_home.pk,
        kind=ContributionKind.FNC,
        from_on=dt.date(2026, 4, 20),
    )
    assert c.weekly_pence == DEFAULT_FNC_WEEKLY_PENCE
    # from 20 April: 14 of the period's 28 days
    assert nhs_contributions_between(START, END) == {world.dan_home.pk: 2 * DEFAULT_FNC_WEEKLY_PENCE}


@override_settings(OPENASC_FNC_WEEKLY_PENCE=25000)
def test_the_fnc_rate_is_a_setting(world, officers):
    c = nhs_contribution_add(user=officers.first, service_id=world.dan_home.pk, kind="fnc", from_on=START)
    assert c.weekly_pence == 25000


def test_joint_funding_by_percentage_and_by_amount(world, officers):
    nhs_contribution_add(
        user=officers.first,
        service_id=world.cat_home.pk,
        kind="joint",
        percent=Decimal("50"),
        from_on=START,
        to_on=dt.date(2026, 4, 19),
        icb_reference="ICB-123",
    )
    nhs_contribution_add(
        user=officers.first, service_id=world.ann_care.pk, kind="joint", weekly_pence=7000, from_on=START
    )
    found = nhs_contributions_between(START, END)
    assert found == {world.cat_home.pk: 85000, world.ann_care.pk: 28000}  # half of two weeks at £850; 4 x £70
    assert nhs_contributions_between(dt.date(2026, 4, 20), END) == {world.ann_care.pk: 14000}


def test_joint_funding_needs_one_of_amount_or_percentage(world, officers):
    with pytest.raises(ValidationFailed) as caught:
        nhs_contribution_add(user=officers.first, service_id=world.cat_home.pk, kind="joint", from_on=START)
    assert "either" in caught.value.errors["weekly"]
    with pytest.raises(ValidationFailed) as caught:
        nhs_contribution_add(
            user=officers.first,
            service_id=world.cat_home.pk,
            kind="joint",
            percent=Decimal("100.01"),
            from_on=START,
        )
    assert "at most 100" in caught.value.errors["percent"]
    with pytest.raises(ValidationFailed) as caught:
        nhs_contribution_add(
            user=officers.first, service_id=world.cat_home.pk, kind="fnc", from_on=dt.date(2026, 1, 4)
        )
    assert "cannot start before" in caught.value.errors["from_on"]


def test_only_finance_records_contributions(world, staff):
    with pytest.raises(AccessDenied):
        nhs_contribution_add(user=staff.broker, service_id=world.cat_home.pk, kind="fnc", from_on=START)
