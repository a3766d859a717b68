"""Placeholder: filled in by the safeguarding pages."""

urlpatterns: list = []
