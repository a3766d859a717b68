from django.urls import path

from openasc.assessments import views

app_name = "assessments"

urlpatterns = [
    path("sign-off", views.sign_off_list, name="sign-off-list"),
    path("people/<int:person_id>", views.person_assessments, name="person"),
    path("people/<int:person_id>/new", views.start, name="start"),
    path("<int:assessment_id>", views.detail, name="detail"),
    path("<int:assessment_id>/complete", views.complete, name="complete"),
    path("<int:assessment_id>/sign-off", views.sign_off, name="sign-off"),
    path("<int:assessment_id>/cancel", views.cancel, name="cancel"),
    path("<int:assessment_id>/<slug:section>", views.section, name="section"),
]
