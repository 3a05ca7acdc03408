from django.urls import path

from careerhub.urls import handler500  # noqa: F401 - the project's handler serves the 500


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom)]
