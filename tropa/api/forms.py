from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tropa.accounts.forms import TokenForm

from .scopes import Scope
from .services import DEFAULT_DAYS, MAX_DAYS


class NewTokenForm(TokenForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("What the token is for, e.g. “Telegram bot”."),
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=MAX_DAYS, initial=DEFAULT_DAYS
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    field_order = ["name", "days", "scopes", "token"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Form's own signature
        self.fields["token"].label = _("Six-digit code from your authenticator app")
        self.fields["token"].widget.attrs.pop("autofocus", None)
