from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import MAX_MINUTES, MIN_MINUTES


class PreferenceForm(forms.Form):
    address = forms.EmailField(
        label=_("E-mail address for notifications"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    remove_address = forms.BooleanField(label=_("Remove the saved address"), required=False)
    new_alerts = forms.BooleanField(label=_("A new alert in the organization"), required=False)
    daily_digest = forms.BooleanField(
        label=_("Every morning: my tasks and next actions due tomorrow"), required=False
    )


class PolicyForm(forms.Form):
    escalation_minutes = forms.IntegerField(
        label=_("Escalate an alert nobody acted on after (minutes)"),
        min_value=MIN_MINUTES,
        max_value=MAX_MINUTES,
    )
