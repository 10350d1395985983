from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tropa.cases.forms import DateInput

from .countries import choices as country_choices
from .models import (
    Category,
    CountryRisk,
    DeadlineKind,
    PathwayState,
    Precision,
    Requirement,
    Topic,
)


def _countries() -> list[tuple[str, str]]:
    return country_choices()


class TripForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), choices=_countries)
    entry = forms.DateField(label=_("Entry"), widget=DateInput())
    exit = forms.DateField(
        label=_("Exit"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty while he is still there."),
    )
    border_point = forms.CharField(
        label=_("Border point"),
        required=False,
        max_length=120,
        help_text=_("Optional; stored encrypted."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("entry") and data.get("exit") and data["exit"] < data["entry"]:
            self.add_error("exit", _("The exit cannot be before the entry."))
        return data


class TripDatesForm(forms.Form):
    entry = forms.DateField(label=_("Entry"), widget=DateInput())
    exit = forms.DateField(label=_("Exit"), required=False, widget=DateInput())


class DeadlineForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Deadline"),
        choices=[c for c in DeadlineKind.choices if c[0] != DeadlineKind.STAY],
    )
    due_on = forms.DateField(label=_("Date"), widget=DateInput())
    country = forms.ChoiceField(
        label=_("Country"), required=False, choices=lambda: [("", "—"), *_countries()]
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=500, help_text=_("Optional; stored encrypted.")
    )


class BriefingGivenForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), choices=_countries)
    given_on = forms.DateField(label=_("Given on"), widget=DateInput())


class RequirementForm(forms.Form):
    requirement = forms.ChoiceField(choices=Requirement.choices)
    evidence = forms.CharField(required=False, max_length=40)
    met = forms.BooleanField(required=False)


class PathwayForm(forms.Form):
    name_en = forms.CharField(label=_("name (English)"), max_length=160)
    name_ru = forms.CharField(label=_("name (Russian)"), max_length=160, required=False)
    summary_en = forms.CharField(
        label=_("summary (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    summary_ru = forms.CharField(
        label=_("summary (Russian)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    for_whom = forms.MultipleChoiceField(
        label=_("for whom"), choices=Category.choices, widget=forms.CheckboxSelectMultiple
    )
    requirements = forms.MultipleChoiceField(
        label=_("requirements"),
        choices=Requirement.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    in_country_only = forms.BooleanField(
        label=_("only for those already in the country"), required=False
    )
    state = forms.ChoiceField(label=_("state"), choices=PathwayState.choices)
    state_since = forms.DateField(label=_("state since"), required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("state") in (PathwayState.SUSPENDED, PathwayState.CLOSED) and not data.get(
            "state_since"
        ):
            self.add_error("state_since", _("Say since when the pathway is suspended or closed."))
        return data


class CountryForm(forms.Form):
    transit = forms.BooleanField(label=_("transit country"), required=False)
    destination = forms.BooleanField(label=_("destination"), required=False)
    stay_rule = forms.CharField(
        label=_("stay rule"),
        required=False,
        max_length=30,
        help_text=_("rolling:90/180, per-entry:365 or calendar-year:180; empty if none applies"),
    )
    risk = forms.ChoiceField(label=_("risk"), choices=CountryRisk.choices)


class FactForm(forms.Form):
    topic = forms.ChoiceField(label=_("topic"), choices=Topic.choices)
    text_en = forms.CharField(
        label=_("text (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    text_ru = forms.CharField(
        label=_("text (Russian)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    source = forms.CharField(
        label=_("source"),
        max_length=300,
        help_text=_("Who says so: a publication, an authority, a court."),
    )
    source_url = forms.URLField(
        label=_("source address"), required=False, max_length=500, assume_scheme="https"
    )
    source_date = forms.DateField(label=_("source date"), widget=DateInput())
    source_precision = forms.ChoiceField(
        label=_("precision of the source date"), choices=Precision.choices, initial="day"
    )
    checked_on = forms.DateField(label=_("last checked"), widget=DateInput())
    event_on = forms.DateField(label=_("date of the incident"), required=False, widget=DateInput())
    event_precision = forms.ChoiceField(
        label=_("precision of the incident date"), choices=Precision.choices, initial="day"
    )
    uncertain = forms.BooleanField(label=_("not verified"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("text_en", "").strip() or data.get("text_ru", "").strip()):
            self.add_error("text_en", _("A fact needs its text, in English or in Russian."))
        if data.get("topic") == Topic.INCIDENT and not data.get("event_on"):
            self.add_error("event_on", _("An incident needs its date."))
        return data
