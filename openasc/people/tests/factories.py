"""Person factories: valid NHS numbers, CLD Release 2 values, search keys set as the services set them."""

import datetime as dt

import factory

from openasc.core.nhs_number import check_digit
from openasc.core.tests.factories import AuditExemptFactory
from openasc.people.models import Alert, CarerLink, Contact, Person
from openasc.people.services import set_search_keys


def valid_nhs_number(n: int) -> str:
    base = 400_000_000 + n * 7
    while True:
        nine = str(base)
        check = check_digit(nine)
        if check is not None:
            return nine + str(check)
        base += 1


class PersonFactory(AuditExemptFactory):
    class Meta:
        model = Person

    la_person_id = factory.Sequence(lambda n: f"T{n:07d}")
    nhs_number = factory.Sequence(valid_nhs_number)
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = factory.Sequence(lambda n: dt.date(1940, 1, 1) + dt.timedelta(days=n * 37 % 20000))
    gender = "Female"
    ethnicity = "White: English, Welsh, Scottish, Northern Irish or British"
    client_type = "Service user"
    postcode = "NS1 4AB"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        person = model_class(*args, **kwargs)
        set_search_keys(person)
        from openasc.core import audit

        with audit.exempt_from_safety_net():
            person.save()
        return person


class ContactFactory(AuditExemptFactory):
    class Meta:
        model = Contact

    person = factory.SubFactory(PersonFactory)
    kind = "next_of_kin"
    name = factory.Faker("name", locale="en_GB")


class CarerLinkFactory(AuditExemptFactory):
    class Meta:
        model = CarerLink

    carer = factory.SubFactory(PersonFactory, client_type="Unpaid carer")
    cared_for = factory.SubFactory(PersonFactory)


class AlertFactory(AuditExemptFactory):
    class Meta:
        model = Alert

    person = factory.SubFactory(PersonFactory)
    kind = "risk_to_staff"
    description = "Two workers must visit together."
    starts_on = factory.LazyFunction(dt.date.today)
