"""Services presenters on unsaved objects (no database): costs in pounds, the summary list, the status tag."""

import datetime as dt
from decimal import Decimal

from openasc.providers.models import Provider, ProviderLocation
from openasc.services import presenters
from openasc.services.models import Service, ServiceCost

TODAY = dt.date(2026, 6, 1)


def hourly(units, pence=2250, **kwargs) -> ServiceCost:
    return ServiceCost(unit_cost_pence=pence, cost_frequency="Hourly", planned_units_per_week=units, **kwargs)


def test_weekly_is_the_cost_in_pounds_or_nothing_when_it_cannot_be_known():
    assert presenters.weekly(hourly(Decimal("14"))) == "£315.00"
    assert presenters.weekly(hourly(None)) == ""  # hourly without units
    assert presenters.weekly(ServiceCost(unit_cost_pence=50000, cost_frequency="One-off")) == ""
    assert presenters.weekly(None) == ""


def test_units_to_the_hundredth_as_stored():
    assert presenters.units(hourly(Decimal("12.00"))) == "12.00"
    assert presenters.units(hourly(Decimal("7.5"))) == "7.50"
    assert presenters.units(hourly(Decimal("100"))) == "100.00"  # not 1E+2
    assert presenters.units(hourly(10)) == "10.00"  # an unsaved cost given an int
    assert presenters.units(hourly(None)) == "–"


def test_the_sentence_on_the_change_cost_page():
    assert (
        presenters.cost_now_sentence(hourly(Decimal("12"), pence=2500))
        == "£25.00 hourly, 12.00 units a week (£300.00 a week)."
    )
    assert (
        presenters.cost_now_sentence(ServiceCost(unit_cost_pence=120000, cost_frequency="Weekly"))
        == "£1,200.00 weekly (£1,200.00 a week)."
    )
    assert presenters.cost_now_sentence(hourly(None)) == "£22.50 hourly."
    assert presenters.cost_now_sentence(None) == ""


def test_the_cost_on_a_chosen_date():
    assert presenters.cost_on_sentence(hourly(Decimal("10"))) == "£225.00 a week"
    assert presenters.cost_on_sentence(hourly(None)) == "no weekly cost"
    assert presenters.cost_on_sentence(None) == "not running"


def test_cost_rows_oldest_first_with_dashes_for_what_is_missing():
    rows = presenters.cost_rows(
        [
            hourly(Decimal("14"), effective_from=dt.date(2026, 1, 5)),
            hourly(None, pence=2600, effective_from=dt.date(2026, 4, 6), reason="Uplift"),
        ]
    )
    assert [[cell["text"] for cell in row] for row in rows] == [
        ["5 January 2026", "£22.50", "Hourly", "14.00", "£315.00", "–"],
        ["6 April 2026", "£26.00", "Hourly", "–", "–", "Uplift"],
    ]
    assert rows[0][3]["format"] == rows[0][4]["format"] == "numeric"


def test_service_rows_link_each_service_and_escape_its_words():
    rows = presenters.service_rows(
        [
            Service(pk=5, service_type="Long term support: <Community>", start_on=dt.date(2026, 1, 5)),
            Service(
                pk=6,
                service_type="Short term support: ST-Max",
                service_component="Reablement",
                start_on=dt.date(2026, 2, 1),
                end_on=dt.date(2026, 3, 15),
            ),
        ]
    )
    assert (
        rows[0][0]["html"]
        == '<a class="govuk-link" href="/services/5">Long term support: &lt;Community&gt;</a>'
    )
    assert [c["text"] for c in rows[0][1:]] == ["–", "5 January 2026", "Ongoing"]
    assert [c["text"] for c in rows[1][1:]] == ["Reablement", "1 February 2026", "15 March 2026"]


def test_provider_text_with_and_without_a_cqc_id():
    provider = Provider(name="Riverside Homecare Ltd")
    assert (
        presenters.provider_text(
            ProviderLocation(name="Riverside", provider=provider, cqc_location_id="1-234")
        )
        == "Riverside – Riverside Homecare Ltd (CQC 1-234)"
    )
    assert (
        presenters.provider_text(ProviderLocation(name="Riverside", provider=provider))
        == "Riverside – Riverside Homecare Ltd"
    )
    assert presenters.provider_text(None) == "Not recorded"


def test_summary_rows_say_what_is_not_recorded():
    service = Service(service_type="Long Term Support: Community", start_on=dt.date(2026, 1, 5))
    rows = {r["key"]["text"]: r["value"]["text"] for r in presenters.summary_rows(service, None)}
    assert rows == {
        "Service component": "Not recorded",
        "Provider location": "Not recorded",
        "Started": "5 January 2026",
        "Ends": "Ongoing",
        "Outcome at the end": "Not ended",
        "Delivery mechanism": "Not recorded",
        "Weekly cost now": presenters.NO_WEEKLY_COST,
    }
    service.end_on, service.end_outcome = dt.date(2026, 3, 1), "NFA: Support ended as planned"
    rows = {
        r["key"]["text"]: r["value"]["text"] for r in presenters.summary_rows(service, hourly(Decimal("2")))
    }
    assert rows["Ends"] == "1 March 2026" and rows["Outcome at the end"] == "NFA: Support ended as planned"
    assert rows["Weekly cost now"] == "£45.00"


def test_status_tag_on_each_side_of_the_dates():
    def tag(**kwargs):
        return presenters.status_tag(Service(**{"start_on": dt.date(2026, 1, 5), **kwargs}), TODAY)["text"]

    assert tag() == "Current"
    assert tag(start_on=TODAY) == "Current"  # starts today
    assert tag(start_on=TODAY + dt.timedelta(days=1)) == "Starting"
    assert tag(end_on=TODAY) == "Ending"  # its last day is today
    assert tag(end_on=TODAY - dt.timedelta(days=1)) == "Ended"  # its planned end has passed
    assert tag(end_on=TODAY + dt.timedelta(days=30), end_outcome="NFA: Deceased") == "Ended"  # ended early
    assert tag(end_on=TODAY - dt.timedelta(days=1), end_outcome="NFA: Support ended as planned") == "Ended"
