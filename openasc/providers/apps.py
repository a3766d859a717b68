from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "openasc.providers"
    label = "providers"
    verbose_name = "Providers and CQC locations"
