from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from careerhub import health

# A browser outside the API gets the web app's pages; every other client gets problem+json.
handler400 = "web.views.errors.bad_request"
handler403 = "web.views.errors.permission_denied"
handler404 = "web.views.errors.not_found"
handler500 = "web.views.errors.server_error"

# Swagger UI and Redoc style their elements inline; their scripts stay under the strict policy.
docs_styles = csp_update({"style-src": ["'unsafe-inline'"]})

api_v1 = [
    path("", include("accounts.urls")),
    path("", include("roadmaps.urls")),
    path("", include("notifications.urls")),
    path("", include("bench.urls")),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", docs_styles(SpectacularSwaggerSplitView.as_view(url_name="v1:schema")), name="docs"),
    path("redoc/", docs_styles(SpectacularRedocView.as_view(url_name="v1:schema")), name="redoc"),
]

urlpatterns = [
    path("api/v1/", include((api_v1, "v1"))),
    path("health/live", health.live, name="health-live"),
    path("health/ready", health.ready, name="health-ready"),
    path("admin/", admin.site.urls),
    path("", include("web.urls")),
]
