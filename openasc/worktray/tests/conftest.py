import pytest


@pytest.fixture(autouse=True)
def forget_figures():
    """The home page keeps its waiting figures for a minute (per process): each test counts its own."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
