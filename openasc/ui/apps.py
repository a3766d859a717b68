from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "openasc.ui"
    label = "ui"
    verbose_name = "User interface: GOV.UK Design System pages and form fields"
