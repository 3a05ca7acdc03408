from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from careerhub import health

handler400 = "careerhub.exceptions.bad_request"
handler403 = "careerhub.exceptions.permission_denied"
handler404 = "careerhub.exceptions.not_found"
handler500 = "careerhub.exceptions.server_error"

api_v1 = [
    path("", include("accounts.urls")),
    path("", include("roadmaps.urls")),
    path("", include("notifications.urls")),
    path("", include("bench.urls")),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="v1:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="v1:schema"), name="redoc"),
]

urlpatterns = [
    path("api/v1/", include((api_v1, "v1"))),
    path("health/live", health.live, name="health-live"),
    path("health/ready", health.ready, name="health-ready"),
    path("admin/", admin.site.urls),
    path("", include("web.urls")),
]
