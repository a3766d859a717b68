from django.urls import path

from openasc.worktray import views

app_name = "worktray"

urlpatterns = [
    path("", views.worktray, name="list"),
    path("tasks/<int:task_id>", views.task, name="task"),
    path("notifications", views.notifications, name="notifications"),
    path("notifications/settings", views.preference, name="preference"),
    path("budget/<int:authorisation_id>", views.budget, name="budget"),
]
urlpatterns.append(path("targets", views.targets, name="targets"))
