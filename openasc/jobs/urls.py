"""Job progress pages under /jobs/ (app_name "jobs")."""

from django.urls import path

from openasc.jobs import views

app_name = "jobs"

urlpatterns = [
    path("<int:job_id>", views.job_page, name="job"),
    path("<int:job_id>/progress", views.job_progress, name="progress"),
]
