"""The inbox and the settings: profile and time zone, reminder preferences, the calendar feed,
devices and sessions, the data export and account deletion, each through the API's services."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.exports import (
    data_export_download_check,
    data_export_download_token,
    data_export_downloaded,
    data_export_request,
)
from accounts.models import DataExport
from accounts.selectors import data_export_get, data_export_list, login_session_get, login_session_list
from accounts.services import login_session_revoke, user_delete, user_update
from careerhub.exceptions import ApplicationError
from notifications.calendar import feed_urls
from notifications.links import page_path
from notifications.models import Channel, Kind
from notifications.rules import DEFAULT_CHANNELS
from notifications.selectors import inbox as inbox_of
from notifications.selectors import notification_get, preferences_data
from notifications.services.devices import calendar_token_regenerate, device_get, device_list, device_remove
from notifications.services.reminders import (
    notification_mark_read,
    notifications_mark_all_read,
    preference_get_or_create,
    preferences_update,
)
from web.forms import DeleteAccountForm, ProfileForm, ReminderForm, add_validation_errors

INBOX_PAGE = 25
KINDS = [Kind(kind) for kind in DEFAULT_CHANNELS]
CHANNELS = list(Channel)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(inbox_of(user=request.user).order_by("-created_at", "-id"), INBOX_PAGE).get_page(
        request.GET.get("page")
    )
    items = [{"notification": n, "link": page_path(n.data)} for n in page]
    return render(request, "web/inbox.html", {"page": page, "items": items})


@login_required
@require_POST
def inbox_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification_mark_read(notification=notification_get(user=request.user, notification_id=notification_id))
    return redirect("web:inbox")


@login_required
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=request.user)
    messages.success(request, f"Marked {count} as read.")
    return redirect("web:inbox")


def _reminder_initial(user) -> dict:
    data = preferences_data(user=user)
    quiet = data["quiet_hours"] or {}
    initial = {key: data[key] for key in ("preferred_hour", "digest_weekday", "daily_cap")}
    initial |= {"quiet_start": quiet.get("start"), "quiet_end": quiet.get("end")}
    for kind, channels in data["channels"].items():
        for channel, on in channels.items():
            initial[f"{kind}__{channel}"] = on
    return initial


def settings_page(request: HttpRequest, *, status: int = 200, **forms) -> HttpResponse:
    user = request.user
    exports = [
        {
            "export": export,
            "token": data_export_download_token(export=export) if export.state == DataExport.State.READY else None,
        }
        for export in data_export_list(user=user)[:5]
    ]
    context = {
        "profile_form": ProfileForm(
            initial={
                "display_name": user.display_name,
                "time_zone": user.time_zone,
                "weekly_hours_goal": user.weekly_hours_goal,
            }
        ),
        "reminder_form": ReminderForm(initial=_reminder_initial(user), kinds=KINDS, channels=CHANNELS),
        "delete_form": DeleteAccountForm(),
        "feed": feed_urls(preference_get_or_create(user=user)),
        "devices": device_list(user=user),
        "sessions": login_session_list(user=user),
        "exports": exports,
        "channels": CHANNELS,
        **forms,
    }
    return render(request, "web/settings.html", context, status=status)


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    return settings_page(request)


@login_required
@require_POST
def profile_save(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST)
    if not form.is_valid():
        return settings_page(request, profile_form=form, status=400)
    try:
        user_update(user=request.user, **form.cleaned_data)
    except ValidationError as error:
        add_validation_errors(form, error)
        return settings_page(request, profile_form=form, status=400)
    messages.success(request, "Profile saved.")
    return redirect("web:settings")


@login_required
@require_POST
def reminders_save(request: HttpRequest) -> HttpResponse:
    form = ReminderForm(request.POST, kinds=KINDS, channels=CHANNELS)
    if not form.is_valid():
        return settings_page(request, reminder_form=form, status=400)
    try:
        preferences_update(user=request.user, channels=form.channels(), **form.preference_fields())
    except ApplicationError as error:
        form.add_error(None, error.message)
        return settings_page(request, reminder_form=form, status=error.status_code)
    messages.success(request, "Reminder settings saved.")
    return redirect("web:settings")


@login_required
@require_POST
def calendar_regenerate(request: HttpRequest) -> HttpResponse:
    calendar_token_regenerate(user=request.user)
    messages.success(request, "A new calendar address: the old one stopped working. Subscribe again with the new one.")
    return redirect("web:settings")


@login_required
@require_POST
def device_forget(request: HttpRequest, device_id: int) -> HttpResponse:
    device_remove(device=device_get(user=request.user, device_id=device_id))
    messages.success(request, "The device gets no more push notifications.")
    return redirect("web:settings")


@login_required
@require_POST
def session_revoke(request: HttpRequest, session_id: int) -> HttpResponse:
    login_session_revoke(user=request.user, session=login_session_get(user=request.user, session_id=session_id))
    messages.success(request, "That session is logged out.")
    return redirect("web:settings")


@login_required
@require_POST
def export_request(request: HttpRequest) -> HttpResponse:
    data_export_request(user=request.user)
    messages.success(request, "Your export is being built; it appears below when ready (reload the page).")
    return redirect("web:settings")


@login_required
def export_download(request: HttpRequest, export_id: int) -> HttpResponse:
    export = data_export_get(user=request.user, export_id=export_id)
    if not data_export_download_check(export=export, token=request.GET.get("token", "")):
        raise Http404
    data_export_downloaded(export=export, user=request.user)
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=f"careerhub-export-{export.pk}.json",
        content_type="application/json",
    )


@login_required
@require_POST
def account_delete(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST)
    if not form.is_valid():
        return settings_page(request, delete_form=form, status=400)
    try:
        user_delete(user=request.user, password=form.cleaned_data["password"])
    except ValidationError as error:
        add_validation_errors(form, error)
        return settings_page(request, delete_form=form, status=400)
    logout(request)
    messages.success(request, "Your account and all your data are deleted.")
    return redirect("web:home")
