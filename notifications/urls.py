app_name = "notifications"

urlpatterns = [
    # The inbox, preferences and unsubscribe
    # Devices and the calendar feed
]
