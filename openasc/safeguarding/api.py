"""The safeguarding API (placeholder until its endpoints land)."""

from ninja import Router

router = Router(tags=["safeguarding"])
