"""Reads for money. Each module here may query the sensitive models (core/tests/test_architecture.py)."""
