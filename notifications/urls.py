from django.urls import path

import careerhub.converters  # noqa: F401 - registers <id:...>, used below
from notifications.apis import calendar as calendar_apis
from notifications.apis import devices as device_apis

app_name = "notifications"

urlpatterns = [
    # The inbox, preferences and unsubscribe
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
