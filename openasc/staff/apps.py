from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "openasc.staff"
    label = "staff"
    verbose_name = "Staff administration: accounts, teams, system accounts, API tokens"
