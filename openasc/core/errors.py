"""Errors the services raise, carrying field-level messages that pages and the API show as they are."""

from __future__ import annotations


class ValidationFailed(Exception):
    """Bad input: `errors` maps each field name to a message that says what is wrong and how to fix it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class AccessDenied(PermissionError):
    """The user has no basis to open this record; `access` explains why and whether break-glass is possible."""

    def __init__(self, access):
        super().__init__(access.explanation)
        self.access = access
