from django.urls import path

from aims.accounts import oidc, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.two_factor_verify, name="two-factor-verify"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("sso/login/", oidc.login, name="oidc-login"),
    path("sso/callback/", oidc.callback, name="oidc-callback"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke_token, name="token-revoke"),
    path("two-factor/", views.two_factor_settings, name="two-factor"),
    path("two-factor/enrol/", views.two_factor_enrol, name="two-factor-enrol"),
    path("two-factor/disable/", views.two_factor_disable, name="two-factor-disable"),
    path("two-factor/recovery-codes/", views.two_factor_recovery, name="two-factor-recovery"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/<int:pk>/end/", views.session_end, name="session-end"),
    path("sessions/end-others/", views.sessions_end_others, name="sessions-end-others"),
    path("privacy/", views.privacy, name="privacy"),
    path("privacy/<int:pk>/export.json", views.privacy_export, name="privacy-export"),
    path("privacy/<int:pk>/erase/", views.privacy_erase, name="privacy-erase"),
]
