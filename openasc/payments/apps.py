from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "openasc.payments"
    label = "payments"
    verbose_name = "Money: provider payments"
