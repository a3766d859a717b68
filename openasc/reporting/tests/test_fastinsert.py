"""The import's bulk inserts: ids reserved before the rows go in, values as given, defaults for the rest."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from openasc.people.models import Person
from openasc.providers.models import Provider, ProviderLocation
from openasc.reporting.importer.fastinsert import _reserve_postgresql, fast_insert_rows, moving_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_rows_go_in_with_the_ids_returned_inside_and_outside_a_transaction():
    before = Provider.objects.create(name="Made before")
    with transaction.atomic():
        ids = fast_insert_rows(Provider, [{"name": "Alder Care"}, {"name": "Birch Homes"}])
    more = fast_insert_rows(
        Provider, [{"name": "Cedar Lodge"}]
    )  # outside a transaction: INSERT ... RETURNING
    after = Provider.objects.create(name="Made after")
    assert [Provider.objects.get(pk=pk).name for pk in [*ids, *more]] == [
        "Alder Care",
        "Birch Homes",
        "Cedar Lodge",
    ]
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


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite AUTOINCREMENT")
def test_sqlite_numbers_the_rows_after_the_highest_id_it_ever_gave():
    Provider.objects.create(name="Kept")
    gone = Provider.objects.create(name="Deleted")
    gone_pk = gone.pk
    gone.delete()  # the table's highest id is now lower than the highest it gave
    with transaction.atomic():
        ids = fast_insert_rows(
            Provider, [{"name": "Elm House"}, {"name": "Fir Court"}, {"name": "Gorse View"}]
        )
    assert list(ids) == [gone_pk + 1, gone_pk + 2, gone_pk + 3]
    assert [Provider.objects.get(pk=pk).name for pk in ids] == ["Elm House", "Fir Court", "Gorse View"]


def constraints(model) -> dict:
    """A table's indexes and keys as the database describes them."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {name: (c["columns"], c["unique"], c["index"], c["foreign_key"]) for name, c in found.items()}


def test_moving_in_loads_an_empty_table_without_its_indexes_and_builds_them_at_the_end():
    before = constraints(ProviderLocation)
    assert any(c[2] for c in before.values())  # it has indexes to take off
    Provider.objects.create(name="Has rows")  # not empty: left alone
    provider_before = constraints(Provider)
    with transaction.atomic():
        with moving_in([ProviderLocation, Provider]) as tables:
            assert tables == [ProviderLocation._meta.db_table]
            during = constraints(ProviderLocation)
            assert not any(c[2] and not c[1] for c in during.values())  # only the primary key's index is left
            provider = Provider.objects.get()
            fast_insert_rows(
                ProviderLocation,
                [
                    {"provider_id": provider.pk, "name": f"Site {i}", "cqc_location_id": f"1-{i}"}
                    for i in range(50)
                ],
            )
            assert constraints(Provider) == provider_before
        assert constraints(ProviderLocation) == before
    assert ProviderLocation.objects.filter(cqc_location_id="1-7").count() == 1


def test_moving_in_that_fails_leaves_the_table_as_it_was():
    before = constraints(Person)
    with pytest.raises(RuntimeError, match="the import failed"), transaction.atomic(), moving_in([Person]):
        fast_insert_rows(Person, [{"first_name": "Ada", "last_name": "Lovelace", "la_person_id": "P1"}])
        raise RuntimeError("the import failed")
    assert constraints(Person) == before
    assert not Person.objects.exists()


def test_moving_in_still_refuses_a_row_whose_parent_is_missing():
    before = constraints(ProviderLocation)
    with pytest.raises(IntegrityError), transaction.atomic(), moving_in([ProviderLocation]):
        fast_insert_rows(ProviderLocation, [{"provider_id": 999_999, "name": "Nowhere"}])
    assert constraints(ProviderLocation) == before
    assert not ProviderLocation.objects.exists()


def test_moving_in_needs_a_transaction():
    with pytest.raises(RuntimeError, match="needs a transaction"), moving_in([Person]):
        pass


def test_moving_in_still_refuses_a_duplicate_at_the_end():
    """On PostgreSQL the unique constraints come off too (a person's LA id): put back, they refuse duplicates."""
    before = constraints(Person)
    with pytest.raises(IntegrityError), transaction.atomic(), moving_in([Person]):
        fast_insert_rows(
            Person,
            [
                {"first_name": "Ada", "last_name": "Lovelace", "la_person_id": "P1"},
                {"first_name": "Bea", "last_name": "Lovelace", "la_person_id": "P1"},
            ],
        )
    assert constraints(Person) == before
    assert not Person.objects.exists()
