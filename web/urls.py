from django.urls import path

from web import views

app_name = "web"

# The addresses the emails link to are fixed: mails already sent carry them.
urlpatterns = [
    path("", views.home, name="home"),
    path("verify-email", views.email_verify, name="email-verify"),
    path("confirm-email", views.email_change_confirm, name="email-change-confirm"),
    path("reset-password", views.password_reset, name="password-reset"),
    path("unsubscribe/<str:token>/", views.email_unsubscribe, name="unsubscribe"),
]
