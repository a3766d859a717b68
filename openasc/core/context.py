"""Per-request context (request id, acting user) that the audit service reads."""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("openasc_request_id", default="")


def current_request_id() -> str:
    return request_id_var.get()


@contextmanager
def request_id(value: str):
    token = request_id_var.set(value)
    try:
        yield value
    finally:
        request_id_var.reset(token)
