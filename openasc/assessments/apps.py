from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "openasc.assessments"
    label = "assessments"
    verbose_name = "Care Act assessments and eligibility"
