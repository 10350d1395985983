from django.urls import path

from . import views

app_name = "outreach"

urlpatterns = [
    path("", views.index, name="index"),
    path("directory/", views.directory, name="directory"),
    path("directory/starter/", views.load_starter, name="load_starter"),
    path("directory/new/", views.institution_new, name="institution_new"),
    path("directory/<uuid:code>/", views.institution_detail, name="institution"),
    path("directory/<uuid:code>/edit/", views.institution_edit, name="institution_edit"),
    path("directory/<uuid:code>/contacts/", views.contact_add, name="contact_add"),
    path("contacts/<uuid:code>/remove/", views.contact_remove, name="contact_remove"),
    path("requests/", views.request_list, name="requests"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/export.csv", views.request_export, {"fmt": "csv"}, name="export_csv"),
    path("requests/export.xlsx", views.request_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("requests/<uuid:code>/", views.request_detail, name="request"),
    path("requests/<uuid:code>/reveal/", views.request_reveal, name="request_reveal"),
    path("requests/<uuid:code>/answer/", views.request_answer, name="request_answer"),
    path("requests/<uuid:code>/files/", views.attachment_add, name="attachment_add"),
    path("requests/<uuid:code>/letter.pdf", views.request_pdf, name="request_pdf"),
    path("requests/<uuid:code>/letter.txt", views.request_text, name="request_text"),
    path("requests/<uuid:code>/followed-up/", views.followed_up, name="followed_up"),
    path("requests/<uuid:code>/reminder/", views.followup_reminder, name="followup_reminder"),
    path("files/<uuid:code>/", views.attachment_download, name="attachment"),
    path("letters/", views.compose, name="compose"),
    path("letters/preview.pdf", views.letter_preview_pdf, name="letter_preview_pdf"),
    path("templates/", views.template_list, name="templates"),
    path("templates/new/", views.template_new, name="template_new"),
    path("templates/<uuid:code>/", views.template_edit, name="template_edit"),
    path("follow-up-periods/", views.followup_settings, name="followup_settings"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/export.csv", views.statistics_export, {"fmt": "csv"}, name="stats_csv"),
    path("statistics/export.xlsx", views.statistics_export, {"fmt": "xlsx"}, name="stats_xlsx"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/<uuid:code>/", views.import_preview, name="import_preview"),
]
