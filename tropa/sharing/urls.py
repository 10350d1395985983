from django.urls import path

from . import views

app_name = "sharing"

urlpatterns = [
    path("referrals/", views.referral_list, name="referrals"),
    path("cases/<uuid:code>/refer/", views.refer, name="refer"),
    path("referrals/<uuid:code>/", views.referral_detail, name="referral"),
    path("referrals/<uuid:code>/accept/", views.accept, name="accept"),
    path("referrals/<uuid:code>/decline/", views.decline, name="decline"),
    path("referrals/<uuid:code>/withdraw/", views.withdraw, name="withdraw"),
    path("cases/<uuid:code>/advocates/", views.grant_new, name="grant_new"),
    path("grants/<uuid:code>/renew/", views.grant_renew, name="grant_renew"),
    path("grants/<uuid:code>/revoke/", views.grant_revoke, name="grant_revoke"),
    path("advocate/", views.advocate_home, name="advocate_home"),
    path("advocate/<uuid:code>/", views.advocate_case, name="advocate_case"),
]
