"""Reads of the people behind the statutory returns and the CLD export: the one place reporting queries Person."""

from __future__ import annotations

from openasc.core import access
from openasc.core.models import User
from openasc.people.models import Person

IDENTITY_FIELDS = ("id", "nhs_number", "la_person_id", "first_name", "last_name")


def people_behind_figure(*, user: User, cld_ids: set[str]) -> tuple[dict[str, Person], set[int], bool]:
    """The records behind CLD person ids (an NHS number, else "<LA code>_<LA person id>", else an LA id), by id; the
    pks of those `user` may open (one set query through access.people_visible_to); whether the user sees NHS
    numbers in returns. Callers show a name only for the visible pks and audit each person shown."""
    people = {p.nhs_number: p for p in Person.objects.filter(nhs_number__in=cld_ids).only(*IDENTITY_FIELDS)}
    rest = cld_ids - set(people)
    by_la = {i.split("_", 1)[1] if "_" in i else i: i for i in rest}
    for p in Person.objects.filter(la_person_id__in=set(by_la) | rest).only(*IDENTITY_FIELDS):
        people[by_la.get(p.la_person_id, p.la_person_id)] = p
    visible = set(
        access.people_visible_to(
            user, Person.objects.filter(pk__in=[p.pk for p in people.values()])
        ).values_list("pk", flat=True)
    )
    return people, visible, access.returns_show_nhs_numbers(user)


def people_with_la_ids(*, user: User, la_person_ids: set[str]) -> list[Person]:
    """The records with these LA person ids (id and LA id only), for auditing a detail file `user` was written:
    the file already holds them, so no visibility filter applies; the caller records one export event each."""
    return list(
        Person.objects.filter(la_person_id__in=la_person_ids).only("id", "la_person_id").order_by("pk")
    )


def person_pks_by_la_id(*, user: User) -> dict[str, int]:
    """LA person id -> pk for every record, so the CLD export's problems report can link each problem to the record
    to fix. The export covers the whole council by law; the caller audits it as one export against `user`."""
    return dict(Person.objects.values_list("la_person_id", "pk"))
