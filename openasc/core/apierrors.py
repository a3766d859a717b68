"""Every invalid field of an API request reported at once.

django-ninja checks a request body against its schema before the endpoint runs, so a body with a badly typed field
(a date that is no date) and a field the service would refuse (an NHS number that fails its check digit) used to get
two answers, one after the other. An endpoint registers the same domain check its page uses (`register`); when the
schema refuses the body, the check also runs over the fields the schema accepted, and the answer lists both.

Schema messages are put in plain English too (`plain_message`): "Enter a date as YYYY-MM-DD", not pydantic's
"Input should be a valid date or datetime, invalid character in year".
"""

from __future__ import annotations

import json
from collections.abc import Callable

Check = Callable[[dict], dict[str, str]]
_checks: dict[tuple[str, str], tuple[Check, type]] = {}


def register(method: str, route: str, check: Check, schema: type) -> None:
    """`check(data) -> {field: message}` for requests of `method` to the URL `route` (as Django resolves it, e.g.
    "api/people" or "api/people/<person_id>"), whose body is `schema` (a ninja Schema): each field the schema
    accepted reaches the check as the schema would have given it (a date as a date)."""
    _checks[(method.upper(), route)] = (check, schema)


def _typed(schema: type, body: dict, refused: set[str]) -> dict:
    """The body's fields that the schema accepted, each converted as the schema converts it."""
    from pydantic import TypeAdapter, ValidationError

    fields = getattr(schema, "model_fields", {})
    data = {}
    for name, value in body.items():
        if name in refused or name not in fields:
            continue
        try:
            data[name] = TypeAdapter(fields[name].annotation).validate_python(value)
        except ValidationError:
            continue
    return data


def domain_errors(request, refused_fields: set[str]) -> dict[str, str]:
    """The registered check's errors for this request's body, leaving out the fields the schema already refused."""
    match = getattr(request, "resolver_match", None)
    registered = _checks.get((request.method, match.route if match else ""))
    if registered is None:
        return {}
    check, schema = registered
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    if not isinstance(body, dict):
        return {}
    return {k: v for k, v in check(_typed(schema, body, refused_fields)).items() if k not in refused_fields}


_PLAIN = {
    "missing": "This field is required",
    "date_from_datetime_parsing": "Enter a date as YYYY-MM-DD, for example 1941-02-14",
    "date_parsing": "Enter a date as YYYY-MM-DD, for example 1941-02-14",
    "date_type": "Enter a date as YYYY-MM-DD, for example 1941-02-14",
    "datetime_parsing": "Enter a date and time as YYYY-MM-DDTHH:MM, for example 2026-12-03T14:30",
    "datetime_from_date_parsing": "Enter a date and time as YYYY-MM-DDTHH:MM, for example 2026-12-03T14:30",
    "int_parsing": "Enter a whole number",
    "int_type": "Enter a whole number",
    "bool_parsing": "Enter true or false",
    "bool_type": "Enter true or false",
    "string_type": "Enter text",
    "list_type": "Enter a list",
    "extra_forbidden": "This field cannot be set here",
}


def plain_message(error: dict) -> str:
    return _PLAIN.get(error.get("type", ""), error.get("msg", "Invalid value"))
