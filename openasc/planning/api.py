"""JSON API for planning (see openasc/config/api.py)."""

from ninja import Router

router = Router(tags=["planning"])
