"""JSON API for assessments (see openasc/config/api.py)."""

from ninja import Router

router = Router(tags=["assessments"])
