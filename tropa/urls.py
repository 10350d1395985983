from django.urls import include, path

from . import views

urlpatterns = [
    path("", include("tropa.cases.urls")),
    path("accounts/", include("tropa.accounts.urls")),
    path("screening/", include("tropa.screening.urls")),
    path("evidence/", include("tropa.evidence.urls")),
    path("outreach/", include("tropa.outreach.urls")),
    path("pathways/", include("tropa.pathways.urls")),
    path("notify/", include("tropa.notify.urls")),
    path("vetting/", include("tropa.vetting.urls")),
    path("testimony/", include("tropa.testimony.urls")),
    path("", include("tropa.intake.urls")),
    path("sharing/", include("tropa.sharing.urls")),
    path("retention/", include("tropa.retention.urls")),
    path("api/", include("tropa.api.urls")),
    path("i18n/language/", views.switch_language, name="switch_language"),
    path("healthz", views.healthz, name="healthz"),
]

handler404 = "tropa.views.not_found"
handler403 = "tropa.views.forbidden"
handler500 = "tropa.views.server_error"
