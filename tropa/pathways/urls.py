from django.urls import path

from . import views

app_name = "pathways"

urlpatterns = [
    path("", views.index, name="index"),
    path("starter/", views.load_starter, name="load_starter"),
    path("pathway/<uuid:code>/", views.pathway_detail, name="pathway"),
    path("country/<uuid:code>/", views.country_detail, name="country"),
    path("country/<uuid:code>/briefing/", views.briefing, name="briefing"),
    path(
        "pathway/<uuid:code>/facts/", views.fact_add, {"kind": "pathway"}, name="pathway_fact_add"
    ),
    path(
        "country/<uuid:code>/facts/", views.fact_add, {"kind": "country"}, name="country_fact_add"
    ),
    path("fact/<uuid:code>/", views.fact_edit, name="fact"),
    path("case/<uuid:code>/trips/", views.trip_add, name="trip_add"),
    path("trip/<uuid:code>/", views.trip_edit, name="trip"),
    path("case/<uuid:code>/deadlines/", views.deadline_add, name="deadline_add"),
    path("deadline/<uuid:code>/", views.deadline_done, name="deadline_done"),
    path("case/<uuid:code>/pursue/<uuid:pathway>/", views.pursue, name="pursue"),
    path("pursued/<uuid:code>/drop/", views.drop, name="drop"),
    path("case/<uuid:code>/requirements/", views.requirement, name="requirement"),
    path("case/<uuid:code>/briefings/", views.briefing_given, name="briefing_given"),
]
