from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("verify/", views.verify_view, name="verify"),
    path("setup/", views.setup_view, name="setup"),
    path("logout/", views.logout_view, name="logout"),
    path("settings/", views.password_view, name="settings"),
    path("settings/time-zone/", views.time_zone_view, name="time_zone"),
    path("organization/", views.organization_view, name="organization"),
    path("settings/display-name/", views.display_name_view, name="display_name"),
    path("users/", views.users_view, name="users"),
    path("users/new/", views.user_create_view, name="user_new"),
    path("users/<uuid:code>/role/", views.user_role_view, name="user_role"),
    path("users/<uuid:code>/active/", views.user_active_view, name="user_active"),
    path("users/<uuid:code>/reset-2fa/", views.user_reset_2fa_view, name="user_reset_2fa"),
    path(
        "role-requests/<uuid:code>/withdraw/",
        views.role_request_withdraw_view,
        name="role_request_withdraw",
    ),
    path("enrol/", views.enrol_view, name="enrol"),
    path("enrol/<str:token>/", views.enrol_start_view, name="enrol_start"),
    path("approvals/", views.approvals_view, name="approvals"),
    path(
        "approvals/<uuid:code>/approve/",
        views.approval_decide_view,
        {"decision": "approve"},
        name="approval_approve",
    ),
    path(
        "approvals/<uuid:code>/refuse/",
        views.approval_decide_view,
        {"decision": "refuse"},
        name="approval_refuse",
    ),
]
