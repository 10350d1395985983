from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cases/", views.case_list, name="list"),
    path("cases/new/", views.case_new, name="new"),
    path("cases/find/", views.identity_find, name="identity_find"),
    path("cases/<uuid:code>/", views.case_detail, name="detail"),
    path("cases/<uuid:code>/edit/", views.case_edit, name="edit"),
    path("cases/<uuid:code>/stage/", views.case_stage, name="stage"),
    path("cases/<uuid:code>/identity/reveal/", views.identity_reveal, name="identity_reveal"),
    path("cases/<uuid:code>/identity/edit/", views.identity_edit, name="identity_edit"),
    path("cases/<uuid:code>/service/", views.service_edit, name="service_edit"),
    path("cases/<uuid:code>/deployments/", views.deployment_add, name="deployment_add"),
    path(
        "cases/<uuid:code>/deployments/<uuid:item>/remove/",
        views.deployment_remove,
        name="deployment_remove",
    ),
    path("cases/<uuid:code>/notes/", views.case_add, {"what": "note"}, name="note_add"),
    path("cases/<uuid:code>/tasks/", views.case_add, {"what": "task"}, name="task_add"),
    path("cases/<uuid:code>/needs/", views.case_add, {"what": "need"}, name="need_add"),
    path("cases/<uuid:code>/support/", views.case_add, {"what": "support"}, name="support_add"),
    path("cases/<uuid:code>/family/", views.case_add, {"what": "family"}, name="family_add"),
    path("cases/<uuid:code>/alerts/", views.case_add, {"what": "alert"}, name="alert_raise"),
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("tasks/<uuid:code>/toggle/", views.task_toggle, name="task_toggle"),
    path("needs/<uuid:code>/toggle/", views.need_toggle, name="need_toggle"),
    path("family/<uuid:code>/remove/", views.family_remove, name="family_remove"),
    path("alerts/<uuid:code>/item/", views.alert_item, name="alert_item"),
    path("alerts/<uuid:code>/resolve/", views.alert_resolve, name="alert_resolve"),
]
