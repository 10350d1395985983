from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tropa.accounts.models import Organization, Role, User
from tropa.cases.forms import DateInput, IdentityForm
from tropa.cases.models import Case
from tropa.cases.services.identity import IDENTITY_FIELDS

from .models import ConsentHow, Mode


class ReferForm(forms.Form):
    receiver = forms.ModelChoiceField(
        label=_("Organization to refer to"), queryset=Organization.objects.none()
    )
    mode = forms.ChoiceField(label=_("Kind"), choices=Mode.choices, widget=forms.RadioSelect)
    consent_on = forms.DateField(label=_("Consent given on"), widget=DateInput())
    consent_how = forms.ChoiceField(label=_("Consent given how"), choices=ConsentHow.choices)
    consent_for = forms.CharField(
        label=_("Consent given for"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the person agreed to: to whom, for what help."),
    )
    identity = forms.MultipleChoiceField(
        label=_("Identity fields that go"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The pseudonym and the case summary always go; nothing else unless chosen."),
    )
    service_record = forms.BooleanField(label=_("Service record"), required=False)
    evidence = forms.MultipleChoiceField(
        label=_("Evidence items that go"), required=False, widget=forms.CheckboxSelectMultiple
    )
    outreach = forms.BooleanField(label=_("Outreach history"), required=False)
    vetting = forms.BooleanField(label=_("Vetting decision"), required=False)
    vetting_dossier = forms.BooleanField(
        label=_("Vetting dossier"),
        required=False,
        help_text=_("Checks, claims, screening and the decision's reasons, read-only there."),
    )
    testimony = forms.MultipleChoiceField(
        label=_("Interviews that go"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The evidence items an interview cites go with it."),
    )
    testimony_consent = forms.BooleanField(
        label=_("His consent names his testimony"),
        required=False,
        help_text=_("Needed to send a restricted statement (a witness who may be implicated)."),
    )
    note = forms.CharField(
        label=_("Note for the receiver"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        case: Case,
        identity_fields: list[str],
        items: list[tuple[str, str]],
        interviews: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {"consent_on": timezone.localdate(), "mode": Mode.SHARE})
        super().__init__(*args, **kwargs)
        field: Any = self.fields["receiver"]
        field.queryset = Organization.objects.exclude(pk=case.organization_id)
        labels = IdentityForm.base_fields
        identity: Any = self.fields["identity"]
        identity.choices = [
            (name, labels[name].label) for name in IDENTITY_FIELDS if name in identity_fields
        ]
        evidence: Any = self.fields["evidence"]
        evidence.choices = items
        testimony: Any = self.fields["testimony"]
        testimony.choices = interviews or []
        if not interviews:
            del self.fields["testimony"]
            del self.fields["testimony_consent"]


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is declined"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class GrantForm(forms.Form):
    advocate = forms.ModelChoiceField(label=_("Advocate"), queryset=User.objects.none())
    summary = forms.CharField(
        label=_("Public summary for the advocate"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only what the advocate may know and repeat: no names, places or contacts."),
    )
    days = forms.IntegerField(label=_("Days of access"), min_value=1, max_value=366, initial=90)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["advocate"]
        field.queryset = User.objects.filter(
            membership__organization=organization, membership__role=Role.ADVOCATE, is_active=True
        ).order_by("username")
        field.label_from_instance = lambda user: user.shown_name or user.get_username()
