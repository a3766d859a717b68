from django.urls import path

from openasc.core import health, views

app_name = "core"

urlpatterns = [
    path("sign-in", views.sign_in, name="sign-in"),
    path("sign-out", views.sign_out, name="sign-out"),
    path("session/extend", views.session_extend, name="session-extend"),
    path("session/drafts", views.drafts, name="drafts"),
    path("people/<int:person_id>/break-glass", views.break_glass, name="break-glass"),
    path("people/<int:person_id>/break-glass/end", views.break_glass_end, name="break-glass-end"),
    path("break-glass/reviews", views.break_glass_reviews, name="break-glass-reviews"),
    path("break-glass/reviews/<int:grant_id>", views.break_glass_review, name="break-glass-review"),
    path("people/<int:person_id>/restriction", views.restriction, name="restriction"),
    path("healthz", health.healthz, name="healthz"),
]
