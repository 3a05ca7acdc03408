"""The error pages people see. A browser outside the API gets a page of the web app's design; any
other client gets the API's problem+json (``careerhub.exceptions``), whatever the address."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader

from careerhub import exceptions

PAGES = {
    400: ("The request could not be understood", "Something in the address or the form was not as expected."),
    403: ("This is not yours to change", "You can read it, but only its owner can change it."),
    404: ("There is nothing here", "The address may be mistyped, or what it named is gone or not yours."),
}


def _page(request: HttpRequest, status: int) -> HttpResponse:
    title, message = PAGES[status]
    return render(request, "web/error.html", {"title": title, "message": message}, status=status)


def _web(page_status: int, problem):
    def handler(request: HttpRequest, exception=None) -> HttpResponse:
        if exceptions.prefers_page(request):
            return _page(request, page_status)
        return problem(request, exception)

    return handler


bad_request = _web(400, exceptions.bad_request)
permission_denied = _web(403, exceptions.permission_denied)
not_found = _web(404, exceptions.not_found)


def server_error(request: HttpRequest) -> HttpResponse:
    """No context processors and no database: whatever failed may fail again."""
    if exceptions.prefers_page(request):
        return HttpResponse(loader.get_template("web/500.html").render(), status=500)
    return exceptions.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if exceptions.prefers_page(request):
        return render(
            request,
            "web/error.html",
            {
                "title": "This form has expired",
                "message": "Go back, reload the page and send the form again. Cookies must be on to log in.",
            },
            status=403,
        )
    return exceptions.csrf_failure(request, reason)
