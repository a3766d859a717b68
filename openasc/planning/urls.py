from django.urls import path

from openasc.planning import views

app_name = "planning"

urlpatterns = [
    path("people/<int:person_id>", views.person_plans, name="person"),
    path("people/<int:person_id>/new", views.plan_create, name="create"),
    path("people/<int:person_id>/reviews/new", views.review_unplanned, name="review-unplanned"),
    path("sign-off", views.sign_off_queue, name="sign-off-queue"),
    path("reviews/overdue", views.overdue, name="reviews-overdue"),
    path("reviews/<int:review_id>", views.review, name="review"),
    path("<int:plan_id>", views.detail, name="detail"),
    path("<int:plan_id>/edit", views.edit, name="edit"),
    path("<int:plan_id>/new-version", views.new_version, name="new-version"),
    path("<int:plan_id>/agree", views.agree, name="agree"),
    path("<int:plan_id>/sign-off", views.sign_off, name="sign-off"),
]
