from django.urls import path

from openasc.workspace import views

app_name = "workspace"

urlpatterns = [
    path("caseload", views.my_caseload, name="caseload"),
    path("teams", views.manager, name="manager"),
    path("teams/<int:team_id>/caseload", views.team_caseload, name="team-caseload"),
]
