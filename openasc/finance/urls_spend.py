"""/finance/spend/: the spend report (openasc.finance.spend)."""

from django.urls import path

from openasc.finance.spend import views

urlpatterns: list = [
    path("spend/", views.spend, name="spend"),
    path("spend/services/", views.spend_services, name="spend-services"),
]
