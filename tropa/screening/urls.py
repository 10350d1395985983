from django.urls import path

from . import views

app_name = "screening"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("lists/", views.lists, name="lists"),
    path("lists/upload/", views.list_upload, name="list_upload"),
    path("lists/imports/<uuid:code>/", views.import_detail, name="import"),
    path("lists/versions/<uuid:code>/", views.version_detail, name="version"),
    path("lists/<uuid:code>/", views.list_detail, name="list_detail"),
    path("lists/<uuid:code>/delete/", views.list_delete, name="list_delete"),
    path("cases/<uuid:code>/screen/", views.screen_case, name="screen_case"),
    path("hits/<uuid:code>/", views.hit_detail, name="hit"),
    path("hits/<uuid:code>/reveal/", views.hit_reveal, name="hit_reveal"),
    path("hits/<uuid:code>/decide/", views.hit_decide, name="hit_decide"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("duplicates/run/", views.duplicates_run, name="duplicates_run"),
    path("duplicates/<uuid:code>/", views.duplicate_detail, name="duplicate"),
    path("duplicates/<uuid:code>/reveal/", views.duplicate_reveal, name="duplicate_reveal"),
    path("duplicates/<uuid:code>/decide/", views.duplicate_decide, name="duplicate_decide"),
]
