from django.urls import path

import careerhub.converters  # noqa: F401 - registers <id:...>, used below
from accounts import account_apis, apis

urlpatterns = [
    path("auth/register/", apis.RegisterApi.as_view(), name="auth-register"),
    path("auth/token/", apis.TokenObtainApi.as_view(), name="auth-token"),
    path("auth/token/refresh/", apis.TokenRefreshApi.as_view(), name="auth-token-refresh"),
    path("auth/logout/", apis.LogoutApi.as_view(), name="auth-logout"),
    path("me/", apis.MeApi.as_view(), name="me"),
    path("auth/email/verify/", account_apis.EmailVerifyApi.as_view(), name="auth-email-verify"),
    path("auth/email/verify/resend/", account_apis.EmailVerifyResendApi.as_view(), name="auth-email-verify-resend"),
    path("me/email/", account_apis.EmailChangeApi.as_view(), name="me-email"),
    path("auth/email/change/confirm/", account_apis.EmailChangeConfirmApi.as_view(), name="auth-email-change-confirm"),
    path("auth/password/change/", account_apis.PasswordChangeApi.as_view(), name="auth-password-change"),
    path("auth/password/reset/", account_apis.PasswordResetApi.as_view(), name="auth-password-reset"),
    path(
        "auth/password/reset/confirm/",
        account_apis.PasswordResetConfirmApi.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("auth/logout/everywhere/", account_apis.LogoutEverywhereApi.as_view(), name="auth-logout-everywhere"),
    path("auth/sessions/", account_apis.LoginSessionListApi.as_view(), name="auth-session-list"),
    path("auth/sessions/<id:session_id>/", account_apis.LoginSessionDetailApi.as_view(), name="auth-session-detail"),
    path("me/delete/", account_apis.AccountDeleteApi.as_view(), name="me-delete"),
    path("me/exports/", account_apis.DataExportListApi.as_view(), name="data-export-list"),
    path("me/exports/<id:export_id>/", account_apis.DataExportDetailApi.as_view(), name="data-export-detail"),
    path(
        "me/exports/<id:export_id>/download/",
        account_apis.DataExportDownloadApi.as_view(),
        name="data-export-download",
    ),
]

urlpatterns += [
    path("mentorships/", apis.MentorshipListApi.as_view(), name="mentorship-list"),
    path("mentorships/redeem/", apis.MentorshipRedeemApi.as_view(), name="mentorship-redeem"),
    path("mentorships/<id:mentorship_id>/", apis.MentorshipDetailApi.as_view(), name="mentorship-detail"),
    path("mentorships/<id:mentorship_id>/accept/", apis.MentorshipAcceptApi.as_view(), name="mentorship-accept"),
    path("mentorships/<id:mentorship_id>/decline/", apis.MentorshipDeclineApi.as_view(), name="mentorship-decline"),
    path("mentorships/<id:mentorship_id>/end/", apis.MentorshipEndApi.as_view(), name="mentorship-end"),
    path("staff/mentorships/", apis.StaffMentorshipApi.as_view(), name="staff-mentorship-create"),
]
