"""What a merge moves from the duplicate record to the kept one, gathered from every context.

The person app knows its own links (contacts, carers, alerts) and the care journey's history; a newer context (case
notes, mental capacity, documents) registers the function that moves its rows (`register`, from its AppConfig.ready),
so a merge never leaves a note or a capacity assessment on the record that was merged away. Each mover runs inside
the merge's transaction and audited block and returns how many rows it moved, which the merge's audit events carry.
"""

from __future__ import annotations

from collections.abc import Callable

Mover = Callable[..., int]  # mover(*, keep, duplicate) -> rows moved
_movers: dict[str, Mover] = {}


def register(name: str, mover: Mover) -> Mover:
    _movers[name] = mover
    return mover


def move_all(*, keep, duplicate) -> dict[str, int]:
    """Run every registered mover: {name: rows moved}."""
    return {name: mover(keep=keep, duplicate=duplicate) for name, mover in sorted(_movers.items())}
