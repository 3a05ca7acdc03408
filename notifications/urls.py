from django.urls import path

import careerhub.converters  # noqa: F401 - registers <id:...>, used below
from notifications.apis import calendar as calendar_apis
from notifications.apis import devices as device_apis
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
    path("devices/", device_apis.DeviceListApi.as_view(), name="device-list"),
    path("devices/<id:device_id>/", device_apis.DeviceDetailApi.as_view(), name="device-detail"),
    path("calendar/<str:token>.ics", calendar_apis.CalendarFeedApi.as_view(), name="calendar-feed"),
    path("notifications/calendar/", calendar_apis.CalendarLinkApi.as_view(), name="calendar-link"),
    path(
        "notifications/calendar/regenerate/",
        calendar_apis.CalendarRegenerateApi.as_view(),
        name="calendar-regenerate",
    ),
]
