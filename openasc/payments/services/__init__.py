"""Writes for provider payments (each keyword-only, validated before anything is written, atomic and audited):
invoices and their approval (invoices.py), call monitoring uploads and adjustments (invoices.py), NHS contributions
(nhs.py), schedules (schedules.py) and the payment run (run.py). CSV reading is in csvin.py."""
