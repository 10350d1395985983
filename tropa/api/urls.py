"""``/api/``: the token pages (namespace ``api``) and the API itself (``/api/v1/``, namespace
``api_v1``, which django-ninja needs at the top)."""

from django.urls import include, path

from . import views
from .api import api

pages = [
    path("tokens/", views.tokens_view, name="tokens"),
    path("tokens/organization/", views.organization_tokens_view, name="organization_tokens"),
    path("tokens/<uuid:code>/revoke/", views.revoke_view, name="revoke"),
]

urlpatterns = [
    path("", include((pages, "api"))),
    path("v1/", api.urls),
]
