"""The person's timeline: every app contributes its events; the page shows them in order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class TimelineEntry:
    when: dt.datetime
    title: str
    who: str = ""
    detail: str = ""
    href: str = ""
    kind: str = ""


Provider = Callable[[object], Iterable[TimelineEntry]]
ViewerProvider = Callable[[object, object], Iterable[TimelineEntry]]
_providers: list[Provider] = []
_viewer_providers: list[ViewerProvider] = []


def register(provider: Provider) -> Provider:
    """Apps register a function person -> entries (decorator); the care journey adds its own."""
    _providers.append(provider)
    return provider


def register_for_viewer(provider: ViewerProvider) -> ViewerProvider:
    """Apps whose entries depend on who is looking register a function (person, user) -> entries: it is called only
    when the caller names the viewer (`entries_for(person, viewer=user)`), so a timeline built without one never
    holds them (safeguarding: only those who see a concern's detail see it on the timeline)."""
    _viewer_providers.append(provider)
    return provider


def href_for(name: str) -> Callable[[object], str]:
    """pk -> the URL of a named page that takes one integer id, with reverse() called once for a whole timeline
    rather than once for each of its hundreds of entries."""
    from django.urls import reverse

    marker = "987654321"
    head, _, tail = reverse(name, args=[int(marker)]).partition(marker)
    return lambda pk: f"{head}{pk}{tail}"


# The fields of a user that display_name reads: what a timeline loads of the person who did each thing.
USER_FIELDS = ("first_name", "last_name", "username")


def entries_for(person, limit: int = 500, viewer=None) -> list[TimelineEntry]:
    """Newest first. The caller has already checked and audited access to the person; with `viewer`, the entries
    that depend on who is looking are added for that user."""
    entries: list[TimelineEntry] = []
    for provider in _providers:
        entries.extend(provider(person))
    if viewer is not None:
        for viewer_provider in _viewer_providers:
            entries.extend(viewer_provider(person, viewer))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
