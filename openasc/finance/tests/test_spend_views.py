"""The spend report pages: figures for finance and performance, each opening its services with every person on the
page audited; the tables as CSV and XLSX (no names); everyone else refused and audited."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse

from openasc.core.models import AuditEvent
from openasc.finance.spend import calc, selectors
from openasc.finance.tests.factories import service_with_costs
from openasc.people.tests.factories import PersonFactory
from openasc.providers.tests.factories import ProviderLocationFactory

D = dt.date
HOME = "Long term support: Community"
DOM = "Home support or domiciliary care"


@pytest.fixture
def world(db):
    loc = ProviderLocationFactory(provider__name="Sunrise Care Ltd")
    people = [
        PersonFactory(date_of_birth=D(1940, 1, 1), primary_support_reason="Physical support")
        for _ in range(27)
    ]
    for p in people:
        service_with_costs(
            p,
            service_type=HOME,
            component=DOM,
            start_on=D(2026, 4, 1),
            provider_location=loc,
            costs=[(D(2026, 4, 1), 2000, "Hourly", 10)],
        )
    nursing = PersonFactory(date_of_birth=D(1960, 1, 1), first_name="Nadia", last_name="Nursing")
    service_with_costs(
        nursing,
        service_type="Long term support: Nursing care",
        start_on=D(2026, 4, 1),
        costs=[(D(2026, 4, 1), 90000, "Weekly", None)],
    )
    return people, nursing


def url(**q):
    from urllib.parse import urlencode

    return reverse("finance:spend") + "?" + urlencode({"year": "2026-27", "to": "year", **q})


def behind(**q):
    from urllib.parse import urlencode

    return reverse("finance:spend-services") + "?" + urlencode({"year": "2026-27", "to": "year", **q})


def test_the_report_shows_each_dimension_with_its_figures(client, staff, world):
    client.force_login(staff.finance_officer)
    response = client.get(url())
    assert response.status_code == 200
    body = response.content.decode()
    # home care: 27 people x £200 a week x 365 days = 27 x 1042857 pence
    assert "£281,571.39" in body
    assert "Nursing" in body and "Home care" in body and "85+" in body and "65-74" in body
    assert "Sunrise" not in body and "Nadia" not in body  # the figures name nobody
    assert AuditEvent.objects.filter(
        actor=staff.finance_officer, action="view", details__what="spend report"
    ).exists()


def test_a_figure_opens_its_services_25_a_page_each_person_audited(client, staff, world):
    people, _nursing = world
    client.force_login(staff.performance_analyst)
    response = client.get(behind(dim=calc.SETTING, row="Home care"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "27" in body and "Sunrise Care Ltd" in body and "Nadia" not in body
    shown = AuditEvent.objects.filter(actor=staff.performance_analyst, action="view", basis="spend report")
    assert shown.exclude(person_id=None).count() == 25
    assert set(shown.values_list("person_id", flat=True)) <= {p.pk for p in people}
    second = client.get(behind(dim=calc.SETTING, row="Home care", page=2))
    assert second.status_code == 200
    assert shown.exclude(person_id=None).count() == 27


def test_the_services_csv_names_each_person_and_audits_each_as_an_export(client, staff, world):
    _people, nursing = world
    client.force_login(staff.finance_officer)
    response = client.get(behind(dim="", row=calc.TOTAL, format="csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert nursing.la_person_id in text and "Nadia Nursing" in text
    assert len(text.strip().splitlines()) == 1 + 28
    exported = AuditEvent.objects.filter(actor=staff.finance_officer, action="export", basis="spend report")
    assert exported.exclude(person_id=None).count() == 28


def test_the_tables_download_as_csv_and_xlsx_without_names(client, staff, world):
    _people, nursing = world
    client.force_login(staff.finance_officer)
    text = client.get(url(format="csv")).content.decode()
    assert text.startswith("Table,Group,Gross spend (£)") and "Home care" in text
    assert nursing.la_person_id not in text and "Nadia" not in text
    response = client.get(url(format="xlsx"))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:3] == ["Table", "Group", "Gross spend (£)"]
    assert (
        AuditEvent.objects.filter(
            actor=staff.finance_officer, action="export", details__what="spend report"
        ).count()
        == 2
    )


def test_an_unknown_figure_is_not_found(client, staff, world):
    client.force_login(staff.finance_officer)
    assert client.get(behind(dim=calc.SETTING, row="Moon base")).status_code == 404
    assert client.get(behind(dim="nonsense", row="Home care")).status_code == 404


def test_the_cache_is_not_shown_after_a_new_service(client, staff, world):
    client.force_login(staff.finance_officer)
    year = selectors.year_get("2026-27", D(2026, 12, 1))
    before = selectors.spend_for(staff.finance_officer, year, "year", today=D(2026, 12, 1))
    service_with_costs(
        PersonFactory(),
        service_type=HOME,
        start_on=D(2026, 4, 1),
        costs=[(D(2026, 4, 1), 10000, "Weekly", None)],
    )
    after = selectors.spend_for(staff.finance_officer, year, "year", today=D(2026, 12, 1))
    assert after.total.services == before.total.services + 1


def test_to_date_and_the_whole_year(staff, world):
    year = selectors.year_get("2026-27", D(2026, 4, 7))
    to_date = selectors.spend_for(staff.finance_officer, year, "to-date", today=D(2026, 4, 7))
    whole = selectors.spend_for(staff.finance_officer, year, "year", today=D(2026, 4, 7))
    assert (to_date.first, to_date.last) == (D(2026, 4, 1), D(2026, 4, 7))
    assert to_date.total.spend_pence == 27 * 20000 + 90000
    assert whole.last == D(2027, 3, 31) and whole.total.spend_pence > to_date.total.spend_pence


@pytest.mark.parametrize("role", ["team_manager", "social_worker", "broker", "safeguarding_lead"])
def test_other_roles_are_refused_and_audited(client, staff, world, role):
    user = getattr(staff, role)
    client.force_login(user)
    assert client.get(url()).status_code == 403
    assert client.get(behind(dim="", row=calc.TOTAL)).status_code == 403
    assert client.get(behind(dim="", row=calc.TOTAL, format="csv")).status_code == 403
    assert AuditEvent.objects.filter(actor=user, action="access_refused").count() == 3
    assert not AuditEvent.objects.filter(actor=user, basis="spend report").exists()


def test_an_analyst_sees_the_person_id_but_a_name_only_for_a_record_they_may_open(client, staff, world):
    from openasc.core.tests.factories import CareRelationshipFactory

    _people, nursing = world
    row = {"dim": calc.SETTING, "row": "Nursing"}
    client.force_login(staff.performance_analyst)
    body = client.get(behind(**row)).content.decode()
    assert nursing.la_person_id in body and "Nadia" not in body and "Not shown" in body
    CareRelationshipFactory(person=nursing, user=staff.performance_analyst)  # now they may open it
    assert "Nadia Nursing" in client.get(behind(**row)).content.decode()
    client.force_login(
        staff.finance_officer
    )  # finance pays for the care: the minimum identity to pay is a name
    assert "Nadia Nursing" in client.get(behind(**row)).content.decode()
