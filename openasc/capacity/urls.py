from django.urls import path

from openasc.capacity import views

app_name = "capacity"

urlpatterns = [
    path("people/<int:person_id>", views.person, name="person"),
    path("people/<int:person_id>/assessments/new", views.record_capacity, name="record-assessment"),
    path("people/<int:person_id>/advocacy/new", views.record_advocacy, name="record-advocacy"),
    path("people/<int:person_id>/imca/new", views.record_imca, name="record-imca"),
    path("people/<int:person_id>/consent/new", views.record_consent, name="record-consent"),
    path("assessments/<int:capacity_assessment_id>", views.assessment, name="assessment"),
    path(
        "assessments/<int:capacity_assessment_id>/best-interests/new",
        views.record_best_interests,
        name="record-best-interests",
    ),
    path("best-interests/<int:best_interests_id>", views.best_interests, name="best-interests"),
    path("advocacy/<int:advocacy_id>", views.advocacy, name="advocacy"),
    path("imca/<int:imca_id>", views.imca, name="imca"),
    path("consent/<int:consent_id>", views.consent, name="consent"),
]
