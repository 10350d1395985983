"""The accounts views: sign-in and enrolment (``signin``), settings and administration
(``users``)."""

from .signin import enrol_start_view, enrol_view, login_view, logout_view, setup_view, verify_view
from .users import (
    approval_decide_view,
    approvals_view,
    display_name_view,
    organization_view,
    password_view,
    role_request_withdraw_view,
    time_zone_view,
    user_active_view,
    user_create_view,
    user_reset_2fa_view,
    user_role_view,
    users_view,
)

__all__ = [
    "approval_decide_view",
    "approvals_view",
    "display_name_view",
    "enrol_start_view",
    "enrol_view",
    "login_view",
    "logout_view",
    "organization_view",
    "password_view",
    "role_request_withdraw_view",
    "setup_view",
    "time_zone_view",
    "user_active_view",
    "user_create_view",
    "user_reset_2fa_view",
    "user_role_view",
    "users_view",
    "verify_view",
]
