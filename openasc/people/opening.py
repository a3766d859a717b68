"""Views that work on one person's record open it the same way: through the access rules, audited with a purpose.

`opens_person(purpose)` wraps a view whose URL carries `person_id`: the view receives the record and the access
decision that opened it; a record that does not exist gets the not-found page, and a refusal gets break-glass or an
explanation (`ui.responses.denied`)."""

from __future__ import annotations

import functools

from openasc.core.errors import AccessDenied
from openasc.people import selectors
from openasc.people.models import Person
from openasc.ui.responses import denied, not_found


def open_person(request, person_id: int, purpose: str):
    """(person, access decision), or the response to send instead; the opened record is kept on the request
    (`request.opened_record`) for the services that change it."""
    try:
        opened = selectors.person_open(user=request.user, person_id=person_id, purpose=purpose)
    except Person.DoesNotExist:
        return not_found(request, "person")
    except AccessDenied as exc:
        return denied(request, exc, person_id)
    request.opened_record = opened
    return opened.person, opened.decision


def opens_person(purpose: str):
    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, person_id: int, *args, **kwargs):
            opened = open_person(request, person_id, purpose)
            if not isinstance(opened, tuple):
                return opened
            person, decision = opened
            return view(request, person, decision, *args, **kwargs)

        return wrapper

    return decorate
