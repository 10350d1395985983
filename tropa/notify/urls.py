from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("", views.settings_view, name="settings"),
    path("test/", views.test_view, name="test"),
    path("policy/", views.policy_view, name="policy"),
]
