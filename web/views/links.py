"""The pages of the web app. Thin, as the API's views: a form checks the input, a service does
the work, a template shows the outcome. Each emailed link opens a page that asks for one click
before it changes anything, so a mail scanner that fetches links changes nothing."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_http_methods

from accounts.services import (
    email_change_check,
    email_verification_check,
    password_reset_check,
    password_reset_confirm,
    password_reset_request,
    user_email_change_confirm,
    user_email_verify,
)
from careerhub.exceptions import ApplicationError
from notifications.services.reminders import unsubscribe, unsubscribe_token_read
from roadmaps.selectors.catalog import career_path_list
from web.forms import EmailForm, NewPasswordForm, TokenForm, add_validation_errors


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"paths": career_path_list()})


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name none (the admin's): the web app's icon."""
    return HttpResponsePermanentRedirect(static("web/favicon.svg"))


def _link_invalid(request: HttpRequest, *, again: str) -> HttpResponse:
    return render(request, "web/link_invalid.html", {"again": again}, status=400)


def _token_page(request: HttpRequest, *, action, check, page: dict[str, str], again: str) -> HttpResponse:
    """A link's page: GET checks the token and shows the one button (or says at once that the link no
    longer works), POST does ``action(token=...)`` and says it is done."""
    if request.method == "POST":
        form = TokenForm(request.POST)
        if not form.is_valid():
            return _link_invalid(request, again=again)
        try:
            action(token=form.cleaned_data["token"])
        except ApplicationError:
            return _link_invalid(request, again=again)
        return render(request, "web/done.html", {"title": page["done_title"], "message": page["done"]})
    if not (token := request.GET.get("token")):
        return _link_invalid(request, again=again)
    try:
        check(token=token)
    except ApplicationError:
        return _link_invalid(request, again=again)
    return render(request, "web/confirm.html", {"form": TokenForm(initial={"token": token}), **page})


@require_http_methods(["GET", "POST"])
def email_verify(request: HttpRequest) -> HttpResponse:
    return _token_page(
        request,
        action=user_email_verify,
        check=email_verification_check,
        page={
            "title": "Confirm your email address",
            "lead": "One click, and CareerHub can send you reminders and account mail at this address.",
            "button": "Confirm my address",
            "done_title": "Your address is confirmed",
            "done": "Reminders and account mail will reach you there.",
        },
        again="Log in to the app and ask for a new confirmation link.",
    )


@require_http_methods(["GET", "POST"])
def email_change_confirm(request: HttpRequest) -> HttpResponse:
    return _token_page(
        request,
        action=user_email_change_confirm,
        check=email_change_check,
        page={
            "title": "Use this address for CareerHub",
            "lead": "Your account moves to this address; your old one is told.",
            "button": "Use this address",
            "done_title": "Your new address is in use",
            "done": "Log in with it from now on.",
        },
        again="Change your address again in the app, and open the newest link.",
    )


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """Without a token: ask for a link. With the link's token: choose the new password."""
    token = request.POST.get("token") if request.method == "POST" else request.GET.get("token")
    if not token:
        form = EmailForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            password_reset_request(email=form.cleaned_data["email"])
            return render(request, "web/reset_sent.html", {"email": form.cleaned_data["email"]})
        return render(request, "web/reset_request.html", {"form": form}, status=400 if form.errors else 200)
    if request.method == "GET":
        try:
            password_reset_check(token=token)
        except ApplicationError:
            return _link_invalid(request, again="Ask for a new link below; each works once, for an hour.")
    form = NewPasswordForm(request.POST if request.method == "POST" else None, initial={"token": token})
    if request.method == "POST" and form.is_valid():
        try:
            password_reset_confirm(token=form.cleaned_data["token"], password=form.cleaned_data["password"])
        except ApplicationError:
            return _link_invalid(request, again="Ask for a new link below; each works once, for an hour.")
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            return render(
                request,
                "web/done.html",
                {"title": "Your password is changed", "message": "Every device was logged out: log in again."},
            )
    return render(request, "web/reset_choose.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def email_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a reminder email's text. The mail client's one-click unsubscribe (RFC 8058) posts
    to the API's address of the List-Unsubscribe header instead, and needs no page."""
    try:
        _, kind = unsubscribe_token_read(token=token)
    except ApplicationError:
        return render(request, "web/not_found.html", status=404)
    label = kind.label.lower()
    if request.method == "POST":
        unsubscribe(token=token)
        return render(
            request,
            "web/done.html",
            {
                "title": "Unsubscribed",
                "message": f"You will get no more {label} emails. Turn them back on under notification settings.",
            },
        )
    return render(request, "web/unsubscribe.html", {"label": label})
