from django.urls import path

from . import views
from .views import public

app_name = "intake"

urlpatterns = [
    # The person's pages: short neutral paths, nothing else of Tropa behind them.
    path("f/return/", public.come_back, name="come_back"),
    path("f/go/", public.answer, name="answer"),
    path("f/start/", public.start, name="start"),
    path("f/p/<str:slug>/", public.public_link, name="public_link"),
    path("f/<str:token>/", public.invitation, name="invitation"),
    # The coordinators' pages.
    path("intake/", views.queue_page, name="queue"),
    path("intake/invitations/", views.invitations_page, name="invitations"),
    path("intake/settings/", views.settings_page, name="settings"),
    path("intake/definitions/", views.definitions_page, name="definitions"),
    path("intake/invitations/<uuid:code>/revoke/", views.revoke, name="revoke"),
    path("intake/<uuid:code>/", views.submission_page, name="submission"),
    path("intake/<uuid:code>/review/", views.review, name="review"),
    path("intake/<uuid:code>/documents/", views.documents, name="documents"),
    path("intake/<uuid:code>/message/", views.message, name="message"),
    path("intake/<uuid:code>/accept/", views.accept, name="accept"),
    path("intake/<uuid:code>/merge/", views.merge, name="merge"),
    path("intake/<uuid:code>/reject/", views.reject, name="reject"),
]
