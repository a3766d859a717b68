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
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Apps register a function person -> entries (decorator); the care journey adds its own."""
    _providers.append(provider)
    return provider


def entries_for(person, limit: int = 500) -> list[TimelineEntry]:
    """Newest first. The caller has already checked and audited access to the person."""
    entries: list[TimelineEntry] = []
    for provider in _providers:
        entries.extend(provider(person))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
