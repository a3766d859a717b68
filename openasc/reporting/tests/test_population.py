"""The population reference behind ASCOF 2B and 2C: shipped defaults, a year's figures set by an analyst."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from openasc.core.errors import ValidationFailed
from openasc.core.models import AuditEvent
from openasc.reporting import population
from openasc.reporting.models import PopulationEstimate


def test_the_shipped_defaults_are_loaded_and_chosen_by_the_year_a_period_starts(db):
    defaults = {(r["year"], r["age_band"]): r["population"] for r in population.file_rows()}
    assert PopulationEstimate.objects.count() == len(defaults)
    years = sorted({y for y, _ in defaults})
    assert population.for_period(dt.date(years[0], 4, 1)) == {
        "18-64": defaults[(years[0], "18-64")],
        "65+": defaults[(years[0], "65+")],
    }
    assert population.for_period(dt.date(years[-1] + 5, 4, 1))["65+"] == defaults[(years[-1], "65+")]
    assert population.for_period(dt.date(years[0] - 3, 4, 1))["65+"] == defaults[(years[0], "65+")]


def test_an_analyst_sets_a_year_and_the_change_is_audited(staff):
    saved = population.population_set(
        actor=staff.performance_analyst,
        year=2025,
        source="ONS mid-2025, MYE2",
        figures={"18-64": "501,200", "65+": 180400},
    )
    assert [e.population for e in saved] == [501200, 180400]
    assert population.for_period(dt.date(2025, 4, 1)) == {"18-64": 501200, "65+": 180400}
    event = AuditEvent.objects.filter(object_type="reporting.populationestimate", action="update").first()
    assert event.actor == staff.performance_analyst
    assert event.details["previous"] is not None and event.details["population"] == 501200


def test_bad_figures_are_refused_field_by_field_and_nothing_is_saved(staff):
    before = list(PopulationEstimate.objects.values_list("year", "age_band", "population"))
    with pytest.raises(ValidationFailed) as exc:
        population.population_set(
            actor=staff.performance_analyst, year=1999, source="", figures={"18-64": "lots", "65+": ""}
        )
    assert exc.value.errors == {
        "year": f"Enter a year from 2000 to {dt.date.today().year + 1}",
        "population_18_64": "Enter a whole number of people, like 482000",
        "population_65_plus": "Enter the population aged 65 and over",
        "source": "Say where the figures come from, for example 'ONS mid-2024 population estimates'",
    }
    assert list(PopulationEstimate.objects.values_list("year", "age_band", "population")) == before
    with pytest.raises(PermissionError):
        population.population_set(
            actor=staff.team_manager, year=2025, source="x", figures={"18-64": "1", "65+": "1"}
        )


def test_the_page_shows_the_figures_and_only_analysts_can_change_them(client, staff):
    url = reverse("returns:population")
    client.force_login(staff.team_manager)
    page = client.get(url).content.decode()
    assert "Population by year" in page and "Save figures" not in page
    assert client.post(url, {"year": "2025"}).status_code == 403
    client.force_login(staff.social_worker)
    assert client.get(url).status_code == 403

    client.force_login(staff.performance_analyst)
    response = client.post(
        url, {"year": "2025", "population_18_64": "", "population_65_plus": "180000", "source": "ONS"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert re.findall(r'<a href="#([^"]+)">', html)[:1] == ["population_18_64"]
    assert "Error:" in html
    response = client.post(
        url,
        {
            "year": "2025",
            "population_18_64": "499000",
            "population_65_plus": "180000",
            "source": "ONS mid-2025",
        },
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "499,000" in page and "ONS mid-2025" in page


def test_the_database_route_of_openasc_measures_uses_the_councils_population(staff, capsys):
    from openasc.reporting.management.commands.measures import Command

    population.population_set(
        actor=staff.performance_analyst, year=2024, source="test", figures={"18-64": "100000", "65+": "50000"}
    )
    assert Command().execute_argv(["--period", "2024-04-01:2025-03-31"]) == 0
    figures = json.loads(capsys.readouterr().out)["measures"]
    assert figures["2B"]["18 to 64"]["denominator"] == 100000
    assert figures["2C"]["65 and above"]["denominator"] == 50000
