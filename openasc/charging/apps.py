from django.apps import AppConfig


class ChargingConfig(AppConfig):
    name = "openasc.charging"
    label = "charging"
    verbose_name = "Money: financial assessment and charging"
