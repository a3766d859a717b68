from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "openasc.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
