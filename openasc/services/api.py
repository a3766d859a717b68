"""JSON API for services (see openasc/config/api.py)."""

from ninja import Router

router = Router(tags=["services"])
