from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "openasc.services"
    label = "services"
    verbose_name = "Services delivered and their costs"
