from django.urls import path

from . import views

app_name = "evidence"

urlpatterns = [
    path("cases/<uuid:code>/upload/", views.upload, name="upload"),
    path("cases/<uuid:code>/export/", views.export_new, name="export_new"),
    path("uploads/<uuid:code>/", views.upload_chunk, name="upload_chunk"),
    path("uploads/<uuid:code>/finish/", views.upload_finish, name="upload_finish"),
    path("uploads/<uuid:code>/discard/", views.upload_discard, name="upload_discard"),
    path("items/<uuid:code>/", views.item_detail, name="item"),
    path("items/<uuid:code>/download/", views.download, name="download"),
    path("items/<uuid:code>/download/stripped/", views.download_stripped, name="download_stripped"),
    path("items/<uuid:code>/verify/", views.verify, name="verify"),
    path("items/<uuid:code>/retry/", views.retry_processing, name="retry_processing"),
    path("items/<uuid:code>/delete-request/", views.delete_request, name="delete_request"),
    path("exports/<uuid:code>/", views.export_detail, name="export"),
    path("exports/<uuid:code>/decide/", views.export_decide, name="export_decide"),
    path("exports/<uuid:code>/retry/", views.export_retry, name="export_retry"),
    path("exports/<uuid:code>/download/", views.export_download, name="export_download"),
]
