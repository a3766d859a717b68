"""JSON API for frontdoor (see openasc/config/api.py)."""

from ninja import Router

router = Router(tags=["frontdoor"])
