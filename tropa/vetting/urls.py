from django.urls import path

from . import views

app_name = "vetting"

urlpatterns = [
    path("checklist/", views.checklist, name="checklist"),
    path("checklist/<uuid:code>/", views.checklist_item, name="checklist_item"),
    path("cases/<uuid:code>/open/", views.open_vetting, name="open"),
    path("<uuid:code>/", views.detail, name="detail"),
    path("<uuid:code>/claims/", views.claim_add, name="claim_add"),
    path("<uuid:code>/propose/", views.propose, name="propose"),
    path("<uuid:code>/sign/", views.sign, name="sign"),
    path("<uuid:code>/withdraw/", views.withdraw, name="withdraw"),
    path("<uuid:code>/reopen/", views.reopen, name="reopen"),
    path("<uuid:code>/dossiers/", views.dossier_new, name="dossier_new"),
    path("checks/<uuid:code>/", views.check, name="check"),
    path("claims/<uuid:code>/", views.claim, name="claim"),
    path("dossiers/<uuid:code>/", views.dossier, name="dossier"),
    path("dossiers/<uuid:code>/decide/", views.dossier_decide, name="dossier_decide"),
    path("dossiers/<uuid:code>/download/", views.dossier_download, name="dossier_download"),
]
