"""The web app's forms: what a page takes, checked as the API's serializers check it."""

from django import forms


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
