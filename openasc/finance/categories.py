"""Which care category and cost centre a service falls in: the council's rules (finance.models.CareCategory and
CostCentre), applied to plain data. CLD strings are compared without regard to case, so Release 1 ('Long Term Support:
Nursing Care') and Release 2 ('Long term support: Nursing care') spellings match the same rule."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from openasc.finance.costing import CostedService


def _fold(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip().casefold() for v in values or () if v and v.strip())


@dataclass(frozen=True)
class CategoryRule:
    id: int
    code: str
    name: str
    unit: str
    priority: int
    service_types: frozenset[str]
    service_components: frozenset[str]
    delivery_mechanisms: frozenset[str]
    support_reasons: frozenset[str]

    @classmethod
    def of(cls, category) -> CategoryRule:
        return cls(
            category.pk,
            category.code,
            category.name,
            category.unit,
            category.priority,
            _fold(category.service_types),
            _fold(category.service_components),
            _fold(category.delivery_mechanisms),
            _fold(category.support_reasons),
        )

    @property
    def empty(self) -> bool:
        return not (
            self.service_types or self.service_components or self.delivery_mechanisms or self.support_reasons
        )

    def matches(self, service: CostedService) -> bool:
        """Every list that is set holds the service's value; a rule with no lists matches nothing (never everything)."""
        if self.empty:
            return False
        return (
            (not self.service_types or service.service_type.casefold() in self.service_types)
            and (
                not self.service_components or service.service_component.casefold() in self.service_components
            )
            and (
                not self.delivery_mechanisms
                or service.delivery_mechanism.casefold() in self.delivery_mechanisms
            )
            and (not self.support_reasons or service.support_reason.casefold() in self.support_reasons)
        )


def rules(categories: Iterable) -> list[CategoryRule]:
    """Active categories as rules, in the order they are tried (priority, then code)."""
    return sorted((CategoryRule.of(c) for c in categories if c.active), key=lambda r: (r.priority, r.code))


def categorise(service: CostedService, ordered: Sequence[CategoryRule]) -> CategoryRule | None:
    for rule in ordered:
        if rule.matches(service):
            return rule
    return None


@dataclass(frozen=True)
class CentreRule:
    id: int
    code: str
    category_id: int | None
    support_reasons: frozenset[str]
    team_id: int | None

    @classmethod
    def of(cls, centre) -> CentreRule:
        return cls(
            centre.pk, centre.code, centre.care_category_id, _fold(centre.support_reasons), centre.team_id
        )

    @property
    def conditions(self) -> int:
        return (self.category_id is not None) + bool(self.support_reasons) + (self.team_id is not None)


def centre_rules(centres: Iterable) -> list[CentreRule]:
    """Active cost centres, most conditions first (then by code), so the first match is the most specific."""
    return sorted((CentreRule.of(c) for c in centres if c.active), key=lambda r: (-r.conditions, r.code))


def cost_centre(
    service: CostedService,
    category: CategoryRule | None,
    team_ids: frozenset[int],
    ordered: Sequence[CentreRule],
) -> CentreRule | None:
    """The most specific active cost centre whose every condition holds: the service's care category, its person's
    primary support reason, and a team that works with the person (`team_ids`). A centre with no conditions holds
    anything not held by a more specific one."""
    reason = service.support_reason.casefold()
    for centre in ordered:
        if centre.category_id is not None and (category is None or category.id != centre.category_id):
            continue
        if centre.support_reasons and reason not in centre.support_reasons:
            continue
        if centre.team_id is not None and centre.team_id not in team_ids:
            continue
        return centre
    return None
