from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from tropa.core.currency import Currency

from .models import Role
from .zones import zone_choices


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=_("Six-digit code"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        error_messages={"invalid": _("Enter the six digits your authenticator app shows.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        return str(self.cleaned_data["token"]).strip()


class UserCreateForm(forms.Form):
    username = forms.RegexField(
        label=_("User name"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        help_text=_("Letters, digits and . @ + - _ only. Not the person's real name."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def clean_username(self) -> str:
        from .models import User

        username = str(self.cleaned_data["username"])
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This user name is taken."))
        return username


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=zone_choices,
        help_text=_("Dates and times are shown in this zone."),
    )


class DisplayNameForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=120,
        required=False,
        help_text=_(
            "How letters are signed and colleagues see you, e.g. “Anna, Tropa Astana”. "
            "Use a name you are willing to put on a letter; your login is never shown."
        ),
    )


class _StrengthUnderThePassword:
    """Django puts a too-weak password's error under the confirmation field; it belongs
    under the password that was chosen."""

    cleaned_data: dict[str, Any]

    def validate_password_for_user(self, user: Any, password_field_name: str = "") -> None:
        if "new_password2" in self.cleaned_data:  # both typed the same
            # misc: mypy cannot see that the next class in the MRO is Django's password form.
            super().validate_password_for_user(user, "new_password1")  # type: ignore[misc]


class NewPasswordForm(_StrengthUnderThePassword, PasswordChangeForm):
    """The settings page's password change. It is one section of several, so it does not
    take the focus (Django's form autofocuses the old password, scrolling the page away)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].widget.attrs.pop("autofocus", None)


# type-arg: django-stubs makes SetPasswordForm generic in the user model; the user is ours.
class EnrolmentForm(_StrengthUnderThePassword, SetPasswordForm):  # type: ignore[type-arg]
    """The user's own password at enrolment, pre-filled with a generated passphrase."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("new_password1", "new_password2"):
            self.fields[name].widget = forms.PasswordInput(
                render_value=True, attrs={"autocomplete": "new-password"}
            )


class OrganizationSettingsForm(forms.Form):
    default_currency = forms.ChoiceField(
        label=_("Default currency"),
        choices=Currency.choices,
        help_text=_("Preselected whenever someone records an amount of money on a case."),
    )
