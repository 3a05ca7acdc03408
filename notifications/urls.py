from django.urls import path

import careerhub.converters  # noqa: F401 - registers <id:...>, used below
from notifications.apis import inbox

urlpatterns = [
    # The inbox, preferences and unsubscribe
    path("notifications/", inbox.NotificationListApi.as_view(), name="notification-list"),
    path("notifications/unread-count/", inbox.UnreadCountApi.as_view(), name="notification-unread-count"),
    path("notifications/read-all/", inbox.NotificationReadAllApi.as_view(), name="notification-read-all"),
    path("notifications/<id:notification_id>/read/", inbox.NotificationReadApi.as_view(), name="notification-read"),
    path("notifications/preferences/", inbox.PreferencesApi.as_view(), name="notification-preferences"),
    path("notifications/unsubscribe/<str:token>/", inbox.UnsubscribeApi.as_view(), name="notification-unsubscribe"),
    path("staff/reviews/waiting/", inbox.WaitingReviewListApi.as_view(), name="staff-reviews-waiting"),
    # Devices and the calendar feed
]
