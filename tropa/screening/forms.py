from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class HitDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=pgettext_lazy("screening", "Decision"),
        choices=[
            ("confirm", _("Confirm: he is the listed person")),
            ("dismiss", _("Dismiss: a different person")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=pgettext_lazy("screening", "Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you compared and why you decided so. Stored encrypted."),
    )


class DuplicateDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=pgettext_lazy("screening", "Decision"),
        choices=[
            ("same", _("Same person (records the link, merges nothing)")),
            ("different", _("Different people")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=pgettext_lazy("screening", "Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you compared and why you decided so. Stored encrypted."),
    )
