"""Sign up, log in and log out with a session. The log-in goes through the lockout backend and the
``login`` rate limit the API's ``auth/token/`` uses, so a browser gets no more guesses than an app."""

from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts.lockout import client_ip, lock_remaining
from accounts.services import user_register
from web.forms import LogInForm, SignUpForm, add_validation_errors
from web.throttle import throttle_wait


def too_many(request: HttpRequest, wait: int, *, what: str) -> HttpResponse:
    minutes = max(1, round(wait / 60))
    response = render(
        request,
        "web/error.html",
        {
            "title": "Too many tries",
            "message": f"{what} Try again in about {minutes} minute{'s' if minutes != 1 else ''}.",
        },
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


def _next_page(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "web:roadmaps"


@require_http_methods(["GET", "POST"])
def log_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_next_page(request))
    form = LogInForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if wait := throttle_wait(request, "login"):
            return too_many(request, wait, what="Too many log-ins from this address.")
        if wait := lock_remaining(email=request.POST.get("username"), ip=client_ip(request)):
            return too_many(request, wait, what="Too many failed log-ins for this account or from this address.")
        if form.is_valid():
            login(request, form.get_user())
            return redirect(_next_page(request))
    return render(
        request,
        "web/login.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
        status=400 if form.errors else 200,
    )


@require_POST
def log_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:home")


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    """The same page follows for an address that already has an account: the mail tells its owner."""
    form = SignUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if wait := throttle_wait(request, "login"):
            return too_many(request, wait, what="Too many sign-ups from this address.")
        if form.is_valid():
            try:
                user_register(**form.cleaned_data)
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                return render(request, "web/signed_up.html", {"email": form.cleaned_data["email"]})
    return render(request, "web/signup.html", {"form": form}, status=400 if form.errors else 200)
