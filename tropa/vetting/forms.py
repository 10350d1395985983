"""Forms of the vetting pages. Every rule is the services'; these only parse input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .dossier.build import IDENTITY_LABELS
from .models import (
    DOSSIER_IDENTITY_FIELDS,
    Basis,
    CheckStatus,
    Credibility,
    DossierLanguage,
    Outcome,
    Recipient,
    Reliability,
)


class CheckForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CheckStatus.choices)
    finding = forms.CharField(
        label=_("Finding"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Required when the check does not apply: say why."),
    )
    evidence = forms.MultipleChoiceField(
        label=_("Evidence items it rests on"), required=False, widget=forms.CheckboxSelectMultiple
    )
    hits = forms.MultipleChoiceField(
        label=_("Screening reviews it rests on"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.MultipleChoiceField(
        label=_("Interview notes it rests on"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, links: dict[str, list[tuple[str, str]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in links.items():
            self.fields[name].choices = choices  # type: ignore[attr-defined]  # a ChoiceField


class ClaimForm(forms.Form):
    text = forms.CharField(
        label=_("Claim"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "One checkable statement, e.g. “served in military unit 12345 from 03.2021 to 09.2022”."
        ),
    )


class GradeForm(forms.Form):
    basis = forms.ChoiceField(label=_("Basis"), choices=Basis.choices)
    reliability = forms.ChoiceField(label=_("Source reliability"), choices=Reliability.choices)
    credibility = forms.ChoiceField(label=_("Credibility"), choices=Credibility.choices)
    basis_text = forms.CharField(
        label=_("What the grade rests on"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ProposeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Outcome.choices)
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 4}))
    override = forms.CharField(
        label=_("Override reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only for a recommend while a check is failed or unfinished or a hit is open."),
    )


class SignForm(forms.Form):
    override = forms.CharField(
        label=_("Override reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class DossierForm(forms.Form):
    recipient_kind = forms.ChoiceField(label=_("Recipient"), choices=Recipient.choices)
    recipient_name = forms.CharField(
        label=_("Recipient's name"),
        max_length=200,
        help_text=_("E.g. “Embassy of France in Astana”."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=DossierLanguage.choices)
    identity_fields = forms.MultipleChoiceField(
        label=_("Identity fields to include for this recipient"),
        required=False,
        choices=[(f, IDENTITY_LABELS[f]) for f in DOSSIER_IDENTITY_FIELDS],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: the dossier names him by his pseudonym only."),
    )


class ChecklistItemForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
