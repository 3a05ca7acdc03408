"""The web app's forms: what a page takes, checked as the API's serializers check it."""

import uuid

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from accounts.validators import validate_time_zone
from roadmaps.models import MilestoneTemplate, http_url, milestone_date
from roadmaps.quiz import QUESTIONS


def add_validation_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form: on its field where the form has one."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class TokenForm(forms.Form):
    """The token of an emailed link, carried from the page to its one button."""

    token = forms.CharField(max_length=1000, widget=forms.HiddenInput)


class EmailForm(forms.Form):
    email = forms.EmailField(max_length=254, label="Your email address")


class NewPasswordForm(TokenForm):
    password = forms.CharField(
        max_length=128, label="New password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        max_length=128, label="The same again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        return data


class LogInForm(AuthenticationForm):
    """Django's form, through the lockout backend the API's log-in uses (``accounts.lockout``)."""

    username = forms.EmailField(
        max_length=254, label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    error_messages = {
        "invalid_login": "That email and password do not match an account.",
        "inactive": "This account is closed.",
    }


class SignUpForm(forms.Form):
    """What ``auth/register/`` takes; the time zone is filled from the browser when it can be."""

    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    display_name = forms.CharField(
        max_length=150,
        required=False,
        label="Your name (optional)",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password = forms.CharField(
        max_length=128,
        help_text="At least 8 characters, not all digits and not a common password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    time_zone = forms.CharField(
        max_length=64,
        initial="UTC",
        validators=[validate_time_zone],
        help_text="Your days, streaks and reminders follow it.",
        widget=forms.TextInput(attrs={"data-browser-time-zone": "", "autocomplete": "off"}),
    )


def quiz_form_class():
    """One radio group per question of the path-fit quiz; skipping a question is allowed."""
    fields = {
        question.slug: forms.ChoiceField(
            label=question.text,
            choices=[(option.slug, option.text) for option in question.options],
            widget=forms.RadioSelect,
            required=False,
        )
        for question in QUESTIONS
    }

    def clean(self):
        data = {slug: option for slug, option in super(forms.Form, self).clean().items() if option}
        if not data:
            raise forms.ValidationError("Answer at least one question.")
        return data

    return type("QuizForm", (forms.Form,), {**fields, "clean": clean})


QuizForm = quiz_form_class()


class PageForm(forms.Form):
    """A form of a page that holds several: its field ids start with ``id_prefix``, so that each
    label names its own field (the names sent stay the plain field names)."""

    id_prefix = "id"

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class ProgressForm(PageForm):
    """One entry of the progress log: time, a note, a state change and evidence in one go. The id is
    made when the page is drawn, so a form sent twice (a double tap, a resend) is stored once."""

    id_prefix = "log"

    id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    minutes = forms.IntegerField(
        min_value=0,
        max_value=24 * 60,
        initial=30,
        label="Minutes",
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 5}),
    )
    note = forms.CharField(
        max_length=10_000, required=False, label="What did you do? (optional)", widget=forms.Textarea(attrs={"rows": 2})
    )
    state = forms.ChoiceField(required=False, label="Move the milestone")
    evidence_url = forms.URLField(
        max_length=500,
        required=False,
        validators=[http_url],
        label="Link to the work (optional)",
        assume_scheme="https",
    )

    def __init__(self, *args, allowed_states: list[tuple[str, str]], current: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", f"Keep it {current.lower()}"), *allowed_states]


class EvidenceForm(PageForm):
    """What a certification or a project is completed with."""

    id_prefix = "evidence"

    evidence_url = forms.URLField(
        max_length=500, required=False, validators=[http_url], assume_scheme="https", label="Repository URL"
    )
    credential_id = forms.CharField(max_length=200, required=False, label="Credential ID")
    credential_date = forms.DateField(
        required=False,
        validators=milestone_date,
        label="Date on the credential",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, kind: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if kind == MilestoneTemplate.Kind.CERTIFICATION:
            self.fields["evidence_url"].label = "Link to the credential (or give its ID below)"


class TargetDateForm(PageForm):
    id_prefix = "target"

    target_date = forms.DateField(
        required=False, validators=milestone_date, label="Target date", widget=forms.DateInput(attrs={"type": "date"})
    )


class NoteForm(PageForm):
    id_prefix = "note"

    note = forms.CharField(
        max_length=10_000,
        required=False,
        label="Private note (only you see it)",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class SkipForm(PageForm):
    id_prefix = "skip"

    reason = forms.CharField(max_length=2000, label="Why skip it?", widget=forms.TextInput)


class SubmitForm(PageForm):
    id_prefix = "submit"

    message = forms.CharField(
        max_length=10_000,
        required=False,
        label="A word for your mentor (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DecisionForm(PageForm):
    id_prefix = "decision"

    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("changes", "Request changes")], widget=forms.HiddenInput
    )
    comment = forms.CharField(
        max_length=10_000,
        required=False,
        label="Comment (needed to request changes)",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class InviteForm(forms.Form):
    role = forms.ChoiceField(
        choices=[("learner", "as a learner, inviting a mentor"), ("mentor", "as a mentor, inviting a learner")],
        label="You invite",
        widget=forms.RadioSelect,
        initial="learner",
    )
    email = forms.EmailField(
        max_length=254,
        required=False,
        label="Their email (leave it empty for a code to share)",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class RedeemForm(forms.Form):
    code = forms.CharField(
        max_length=12, label="Invitation code", widget=forms.TextInput(attrs={"autocomplete": "off"})
    )


class CohortFilterForm(forms.Form):
    path = forms.ChoiceField(required=False, label="Path")
    status = forms.ChoiceField(
        required=False,
        label="Status",
        choices=[("", "Any status"), ("behind", "Behind"), ("at_risk", "At risk"), ("on_track", "On track")],
    )

    def __init__(self, *args, paths, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["path"].choices = [("", "Every path"), *[(path.slug, path.title) for path in paths]]


class ProfileForm(PageForm):
    id_prefix = "profile"

    display_name = forms.CharField(max_length=150, required=False, label="Your name")
    time_zone = forms.CharField(
        max_length=64,
        validators=[validate_time_zone],
        label="Time zone",
        help_text="An IANA name such as Europe/Berlin: your days, streaks and reminders follow it.",
    )
    weekly_hours_goal = forms.IntegerField(
        min_value=1, max_value=80, label="Weekly goal in hours", help_text="Your pace is judged against it."
    )


HOURS = [(hour, f"{hour:02d}:00") for hour in range(24)]
WEEKDAYS = [
    (n, name) for n, name in enumerate(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"))
]


class ReminderForm(PageForm):
    """The reminder preferences, and one box per kind and channel (``<kind>__<channel>``)."""

    id_prefix = "reminders"

    preferred_hour = forms.TypedChoiceField(choices=HOURS, coerce=int, label="Reminders at")
    digest_weekday = forms.TypedChoiceField(choices=WEEKDAYS, coerce=int, label="Weekly digest on")
    quiet_start = forms.TypedChoiceField(
        choices=[("", "No quiet hours"), *HOURS], coerce=int, empty_value=None, required=False, label="Quiet from"
    )
    quiet_end = forms.TypedChoiceField(
        choices=[("", "No quiet hours"), *HOURS], coerce=int, empty_value=None, required=False, label="Quiet until"
    )
    daily_cap = forms.IntegerField(min_value=1, max_value=50, label="At most this many a day")

    def __init__(self, *args, kinds, channels, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.grid = []
        for kind in kinds:
            row = []
            for channel in channels:
                name = f"{kind.value}__{channel.value}"
                self.fields[name] = forms.BooleanField(required=False, label=f"{kind.label} by {channel.label.lower()}")
                row.append(self[name])
            self.grid.append((kind.label, row))

    def channels(self) -> dict[str, dict[str, bool]]:
        picked: dict[str, dict[str, bool]] = {}
        for name, value in self.cleaned_data.items():
            if "__" in name:
                kind, channel = name.split("__")
                picked.setdefault(kind, {})[channel] = value
        return picked

    def preference_fields(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("preferred_hour", "digest_weekday", "quiet_start", "quiet_end", "daily_cap")
        }


class DeleteAccountForm(PageForm):
    id_prefix = "delete"

    password = forms.CharField(
        max_length=128,
        label="Your password, to confirm",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class OwnMilestoneForm(PageForm):
    """A milestone of the learner's own, added to the end of the plan."""

    id_prefix = "own"

    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=MilestoneTemplate.Kind.choices, initial=MilestoneTemplate.Kind.PRACTICE)
    estimated_hours = forms.IntegerField(min_value=1, max_value=1000, label="Estimated hours")
    description = forms.CharField(max_length=10_000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    target_date = forms.DateField(
        required=False,
        validators=milestone_date,
        label="Target date (optional)",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class OwnMilestoneEditForm(PageForm):
    """The texts of a milestone of the learner's own (catalog milestones keep the catalog's)."""

    id_prefix = "edit"

    title = forms.CharField(max_length=200)
    estimated_hours = forms.IntegerField(min_value=1, max_value=1000, label="Estimated hours")
    description = forms.CharField(max_length=10_000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class MoveForm(forms.Form):
    milestone = forms.IntegerField(min_value=1)
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])
