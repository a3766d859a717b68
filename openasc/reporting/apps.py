from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "openasc.reporting"
    label = "reporting"
    verbose_name = "Reporting: CLD, SALT and ASCOF"
