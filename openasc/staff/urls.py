from django.urls import path

from openasc.staff import views

app_name = "staff"

urlpatterns = [
    path("", views.staff_list, name="list"),
    path("password", views.own_password, name="own-password"),
    path("add", views.staff_create, name="create"),
    path("<int:user_id>/", views.staff_detail, name="detail"),
    path("<int:user_id>/change", views.staff_change, name="change"),
    path("<int:user_id>/password", views.staff_password, name="password"),
    path("<int:user_id>/deactivate", views.staff_deactivate, name="deactivate"),
    path("<int:user_id>/reactivate", views.staff_reactivate, name="reactivate"),
    path("<int:user_id>/unlock", views.staff_unlock, name="unlock"),
    path("teams/", views.team_list, name="teams"),
    path("teams/add", views.team_form, name="team-create"),
    path("teams/<int:team_id>/change", views.team_form, name="team-change"),
    path("teams/<int:team_id>/remove", views.team_remove, name="team-remove"),
    path("system-accounts/", views.system_accounts, name="system-accounts"),
    path("system-accounts/add", views.system_account_create, name="system-account-create"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/issue", views.token_issue, name="token-issue"),
    path("tokens/<int:token_id>/revoke", views.token_revoke, name="token-revoke"),
]
