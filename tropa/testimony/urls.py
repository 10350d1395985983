from django.urls import path

from . import views, views_events

app_name = "testimony"

urlpatterns = [
    path("case/<uuid:code>/new/", views.new, name="new"),
    path("<uuid:code>/", views.detail, name="detail"),
    path("<uuid:code>/edit/", views.edit, name="edit"),
    path("<uuid:code>/diff/", views.diff, name="diff"),
    path("<uuid:code>/consent/", views.consent, name="consent"),
    path("<uuid:code>/flag/", views.flag, name="flag"),
    path("<uuid:code>/event/", views.event_new, name="event_new"),
    path("<uuid:code>/export/", views_events.export_new, name="export_new"),
    path("event/<uuid:code>/", views_events.event, name="event"),
    path("event/<uuid:code>/act/", views_events.act_new, name="act_new"),
    path("act/<uuid:code>/claimed/", views_events.claimed, name="claimed"),
    path("act/<uuid:code>/potential/", views_events.potential, name="potential"),
    path("pair/<uuid:code>/", views_events.corroboration_decide, name="corroboration_decide"),
    path("export/<uuid:code>/", views_events.export, name="export"),
    path("export/<uuid:code>/decide/", views_events.export_decide, name="export_decide"),
    path("export/<uuid:code>/download/", views_events.export_download, name="export_download"),
    path("units/", views_events.units, name="units"),
    path("search/", views_events.search, name="search"),
]
