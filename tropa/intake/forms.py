"""The coordinators' forms (the person's pages are plain HTML driven by the definition)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DocumentNeeded, IntakeSettings, RejectReason

LANGUAGE_CHOICES = [("ru", "Русский"), ("uk", "Українська"), ("en", "English")]


class InviteForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the interview"), choices=LANGUAGE_CHOICES)
    hours = forms.IntegerField(label=_("Valid for (hours)"), min_value=1, max_value=720)
    case = forms.UUIDField(label=_("For an existing case (its code, optional)"), required=False)


class SettingsForm(forms.ModelForm[IntakeSettings]):
    class Meta:
        model = IntakeSettings
        fields = [
            "public_enabled",
            "public_language",
            "neutral_title",
            "neutral_intro",
            "invitation_hours",
        ]
        widgets = {
            "public_language": forms.Select(choices=LANGUAGE_CHOICES),
            "neutral_intro": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "neutral_title": _(
                "What a glance at the phone shows; leave empty for “Questionnaire”."
            ),
            "invitation_hours": _("0 uses the server's default (72 hours)."),
        }

    new_public_link = forms.BooleanField(
        label=_("Replace the public link with a new one (the old one stops working)"),
        required=False,
    )


class UploadForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    file = forms.FileField(label=_("Definition (JSON)"))


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Message to the person"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    question = forms.BooleanField(label=_("This is a follow-up question"), required=False)


class DocumentsForm(forms.Form):
    documents = forms.MultipleChoiceField(
        label=_("Documents needed"),
        choices=DocumentNeeded.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class AcceptForm(forms.Form):
    pseudonym = forms.CharField(
        label=_("Pseudonym of the new case"),
        max_length=80,
        help_text=_("Never the man's name, nor his codename."),
    )


class MergeForm(forms.Form):
    case = forms.UUIDField(label=_("Code of the case to merge into"))


class RejectForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why"), choices=RejectReason.choices)
