from django.urls import path

from . import views, views_held

app_name = "retention"

urlpatterns = [
    path("case/<uuid:code>/reveal-request", views.reveal_request, name="reveal_request"),
    path("case/<uuid:code>/break-glass", views.break_glass, name="break_glass"),
    path("case/<uuid:code>/erase-request", views.erase_request, name="erase_request"),
    path("requests/", views.requests, name="requests"),
    path("requests/<uuid:code>/decide", views.decide, name="decide"),
    path("requests/<uuid:code>/reviewed", views.reviewed, name="reviewed"),
    path("rules/", views.rules, name="rules"),
    path("audit/", views.audit_log, name="audit_log"),
    path("held/", views_held.held_mine, name="held_mine"),
    path("held/new", views_held.held_new, name="held_new"),
    path("held/<uuid:code>/run", views_held.held_run, name="held_run"),
    path("held/<uuid:code>/decide", views_held.held_decide, name="held_decide"),
    path("held/<uuid:code>/reviewed", views_held.held_reviewed, name="held_reviewed"),
]
