from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tropa.audit.actions import Action

from .auditlog import Filters


class AuditFilterForm(forms.Form):
    user = forms.ChoiceField(label=_("User"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everyone = [("", _("Everyone"))]
        self.fields["user"].choices = everyone + members  # type: ignore[attr-defined]  # ChoiceField
        actions = [("", _("Every action"))] + [(a.value, a.value) for a in Action]
        self.fields["action"].choices = actions  # type: ignore[attr-defined]  # ChoiceField

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            user=data["user"] or "",
            action=data["action"] or "",
            since=data["since"],
            until=data["until"],
            before=data["before"],
        )
