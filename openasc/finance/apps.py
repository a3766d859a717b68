from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "openasc.finance"
    label = "finance"
    verbose_name = "Money: budgets, commitments and uplifts"
