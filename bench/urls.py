from django.urls import path

from bench import apis

urlpatterns = [
    path("ping/", apis.PingApi.as_view(), name="ping"),
]
