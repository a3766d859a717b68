from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "openasc.planning"
    label = "planning"
    verbose_name = "Care and support plans, personal budgets, reviews"
