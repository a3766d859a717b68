"""Both routes give the same figures: measures read from a CLD file equal measures from the database the file
was imported into (file -> `openasc cld import` -> record -> projection -> engine)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from openasc.people.models import Person
from openasc.reporting import importer
from openasc.reporting.engine.synth import write_synthetic_cld
from openasc.reporting.management.commands.measures import Command as Measures

PERIOD = "2024-04-01:2025-03-31"
ARGS = ["--period", PERIOD, "--population", "18-64=40000", "--population", "65+=20000"]


def measures(capsys, *extra: str) -> dict:
    assert Measures().execute_argv([*extra, *ARGS]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("seed", [7, 2026])
def test_measures_from_a_file_equal_measures_from_the_database_it_was_imported_into(
    staff, tmp_path, capsys, seed
):
    path = tmp_path / "cld.csv"
    rows = write_synthetic_cld(path, people=400, seed=seed, period_end=dt.date(2025, 3, 31))
    assert rows > 1000
    from_file = measures(capsys, "--cld", str(path))

    out, err = io.StringIO(), io.StringIO()
    assert importer.main([str(path), "--as-user", "system", "--no-progress"], out, err) == 0, out.getvalue()
    assert Person.objects.count() > 300
    from_db = measures(capsys)

    assert from_db == from_file
    # the figures are not trivially equal: the synthetic council has people in every measure
    assert all(from_file["measures"][m]["Total"]["denominator"] > 0 for m in ("2A", "3D 1a"))
