from django.urls import path

import careerhub.converters  # noqa: F401 - registers <id:...>, used below
from accounts import apis

urlpatterns = [
    path("auth/register/", apis.RegisterApi.as_view(), name="auth-register"),
    path("auth/token/", apis.TokenObtainApi.as_view(), name="auth-token"),
    path("auth/token/refresh/", apis.TokenRefreshApi.as_view(), name="auth-token-refresh"),
    path("auth/logout/", apis.LogoutApi.as_view(), name="auth-logout"),
    path("me/", apis.MeApi.as_view(), name="me"),
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
