"""The import's bulk inserts: ids reserved before the rows go in, values as given, defaults for the rest."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from openasc.providers.models import Provider
from openasc.reporting.importer.fastinsert import _reserve_postgresql, fast_insert_rows

pytestmark = pytest.mark.django_db(transaction=True)


def test_rows_go_in_with_the_ids_returned_inside_and_outside_a_transaction():
    before = Provider.objects.create(name="Made before")
    with transaction.atomic():
        ids = fast_insert_rows(Provider, [{"name": "Alder Care"}, {"name": "Birch Homes"}])
    more = fast_insert_rows(Provider, [{"name": "Cedar Lodge"}])  # outside a transaction: INSERT ... RETURNING
    after = Provider.objects.create(name="Made after")
    assert [Provider.objects.get(pk=pk).name for pk in [*ids, *more]] == ["Alder Care", "Birch Homes", "Cedar Lodge"]
    assert before.pk < ids[0] < ids[1] < more[0] < after.pk  # the table's own id series, never reused


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL sequences")
def test_postgresql_reserves_a_run_of_ids_the_sequence_will_not_give_again():
    table = connection.ops.quote_name(Provider._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        first = _reserve_postgresql(cursor, table, "id", 1000)
        second = _reserve_postgresql(cursor, table, "id", 3)
    assert len(first) == 1000 and list(first) == list(range(first[0], first[0] + 1000))
    assert second[0] > first[-1]
    assert Provider.objects.create(name="Next").pk > second[-1]
