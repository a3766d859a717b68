"""Reporting pages under /reporting/ (app_name "reporting"): the CLD import for performance analysts."""

from django.urls import path

from openasc.reporting import views

app_name = "reporting"

urlpatterns = [
    path("cld/import", views.cld_import, name="cld-import"),
    path("cld/import/<int:run_id>", views.cld_import_result, name="cld-import-result"),
    path("cld/import/<int:run_id>/errors.csv", views.cld_import_errors, name="cld-import-errors"),
]
