"""Whose record a URL is about: so that a refusal is audited against the person it was aimed at.

A page refused before any record is opened (a role that cannot plan asks for /plans/12/edit) tells the user nothing
about the person, but the attempt belongs in that person's "who has looked at this record". Each context registers,
for the ids its URLs carry, the model whose `person_id` says whose record it is (`register`, from its
AppConfig.ready); `person_of(kwargs)` reads only that id, never anything else about the person.
"""

from __future__ import annotations

# URL keyword -> "app_label.Model" ("": the id is the person's own); the contexts add theirs.
_models: dict[str, str] = {
    "person_id": "",
    "relationship_id": "core.CareRelationship",
    "grant_id": "core.BreakGlassAccess",
}


def register(keyword: str, model: str) -> None:
    _models[keyword] = model


def person_of(kwargs: dict) -> int | None:
    """The person whose record the URL's ids name, or None (no such id, or none registered)."""
    from django.apps import apps

    for keyword, model in _models.items():
        value = kwargs.get(keyword)
        if value is None:
            continue
        try:
            pk = int(value)
        except (TypeError, ValueError):
            continue
        if not model:
            return pk
        found = apps.get_model(model)._base_manager.filter(pk=pk).values_list("person_id", flat=True).first()
        if found is not None:
            return found
    return None
