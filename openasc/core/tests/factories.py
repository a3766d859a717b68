"""Factories for staff, teams and relationships. Set-up data is exempt from the audit safety net."""

import factory
from django.utils import timezone

from openasc.core import audit
from openasc.core.models import CareRelationship, RelationshipKind, Role, Team, User


class AuditExemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with audit.exempt_from_safety_net():
            return super()._create(model_class, *args, **kwargs)


class TeamFactory(AuditExemptFactory):
    class Meta:
        model = Team
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Team {n}")
    code = factory.Sequence(lambda n: f"team-{n}")


class UserFactory(AuditExemptFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    role = Role.SOCIAL_WORKER
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.teams.set(extracted)
        if create:
            self.save()


class CareRelationshipFactory(AuditExemptFactory):
    class Meta:
        model = CareRelationship

    person = factory.SubFactory("openasc.people.tests.factories.PersonFactory")
    kind = RelationshipKind.ALLOCATED_WORKER
    user = factory.SubFactory(UserFactory)
    team = None
    starts_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=1))
    created_by = factory.SubFactory(UserFactory, username="factory-system", role=Role.SYSTEM)


def opened(user, person, purpose: str = "test"):
    """The person's record opened by `user` through the access rules (access.open_record, audited), as the write
    services take it. A user with no working relationship is first given a time-limited grant (set-up data), so that
    a test of a service's own rules (role, state, input) is not refused at the door."""
    from openasc.core import access

    if not access.explain(user, person).allowed:
        CareRelationshipFactory(
            person=person,
            user=user,
            kind=RelationshipKind.GRANT,
            ends_at=timezone.now() + timezone.timedelta(days=1),
        )
    return access.open_record(user, person, purpose)
