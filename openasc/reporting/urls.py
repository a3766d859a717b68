"""Reporting pages under /reporting/ (app_name "reporting"): the CLD import for performance analysts."""

from django.urls import path

from openasc.reporting import views

app_name = "reporting"

urlpatterns = [
    path("cld/import", views.cld_import, name="cld-import"),
    path("cld/import/<int:run_id>", views.cld_import_result, name="cld-import-result"),
    path("cld/import/<int:run_id>/errors.csv", views.cld_import_errors, name="cld-import-errors"),
    path("cld/export", views.cld_export, name="cld-export"),
    path("cld/export/<int:job_id>", views.cld_export_result, name="cld-export-result"),
    path("cld/export/<int:job_id>/<str:which>.csv", views.cld_export_download, name="cld-export-download"),
]
