from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tropa.cases.forms import DateInput
from tropa.cases.models import Case
from tropa.core.countries import country_choices

from . import importer, starter
from .models import Channel, Contact, Institution, Kind, LetterLanguage, LetterTemplate, Status
from .services import MAX_ATTACHMENT_BYTES, NEW_INSTITUTION


def _country_choices() -> list[tuple[str, str]]:
    """Countries by name in the reader's language (the code is what is stored)."""
    return [("", "—"), *country_choices()]


class CodeChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A choice of an object by its code (the form never shows primary keys)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("to_field_name", "code")
        super().__init__(*args, **kwargs)


class CaseChoiceField(CodeChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.person.pseudonym)


class ContactChoiceField(CodeChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.institution.name} — {obj.name}"


class InstitutionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=Kind.choices)
    country = forms.ChoiceField(
        label=_("Country"),
        choices=_country_choices,
        required=False,
        help_text=_("The country the institution belongs to."),
    )
    city = forms.CharField(label=_("City"), max_length=80, required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=LetterLanguage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    email = forms.CharField(label=_("E-mail"), max_length=200, required=False)
    website = forms.CharField(label=_("Website or web form"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=60, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea)

    @classmethod
    def initial_from(cls, institution: Institution) -> dict[str, Any]:
        return {name: getattr(institution, name) for name in cls.base_fields}


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=160)
    position = forms.CharField(label=_("Position"), max_length=160, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=60, required=False)


class _AddressForm(forms.Form):
    """Institution, contact person and case: the choices are limited to what the user sees."""

    institution = CodeChoiceField(label=_("Institution"), queryset=Institution.objects.none())
    contact = ContactChoiceField(
        label=_("Contact person"), queryset=Contact.objects.none(), required=False
    )
    case = CaseChoiceField(
        label=_("Case"),
        queryset=Case.objects.none(),
        required=False,
        help_text=_("Leave empty for a request about a group or in general."),
    )

    def __init__(self, *args: Any, organization: Any, cases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Institution.objects.filter(  # type: ignore[attr-defined]
            organization=organization
        )
        contacts = Contact.objects.filter(organization=organization).select_related("institution")
        chosen = self.chosen_institution()
        if chosen:
            # The contact list follows the institution chosen (``action=contacts`` without JS).
            contacts = contacts.filter(institution__code=chosen)
        self.fields["contact"].queryset = contacts  # type: ignore[attr-defined]
        self.fields["case"].queryset = cases.select_related("person").order_by(  # type: ignore[attr-defined]
            "person__pseudonym"
        )

    def chosen_institution(self) -> str:
        """The code of the institution chosen so far ('' for none or a malformed one)."""
        value = (self.data.get(self.add_prefix("institution")) if self.is_bound else None) or (
            self.initial.get("institution") or ""
        )
        try:
            return str(uuid.UUID(str(value)))
        except ValueError:
            return ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        contact, institution = data.get("contact"), data.get("institution")
        if contact and institution and contact.institution_id != institution.pk:
            self.add_error("contact", _("This person does not work at the chosen institution."))
        return data


class RequestForm(_AddressForm):
    group = forms.CharField(
        label=_("Group"),
        max_length=120,
        required=False,
        help_text=_("For a request about several people: a label for the group, no names."),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", "—"), *LetterLanguage.choices], required=False
    )
    sent_on = forms.DateField(label=_("Sent on"), widget=DateInput())
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(
        label=_("Letter"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Kept encrypted with the request."),
    )
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        help_text=_("A scan or the letter as sent, up to 5 MB. Kept encrypted."),
    )

    def clean_attachment(self) -> Any:
        return _within(self.cleaned_data["attachment"], MAX_ATTACHMENT_BYTES)

    def clean_sent_on(self) -> Any:
        value = self.cleaned_data["sent_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future."))
        return value


class ComposeForm(_AddressForm):
    template = CodeChoiceField(label=_("Template"), queryset=LetterTemplate.objects.none())
    use_identity = forms.BooleanField(
        label=_("Use the legal name and documents"),
        required=False,
        help_text=_("Reveals the identity for this letter; the reveal is logged with your name."),
    )

    def __init__(self, *args: Any, organization: Any, may_use_identity: bool, **kw: Any) -> None:
        super().__init__(*args, organization=organization, **kw)
        self.fields["template"].queryset = LetterTemplate.objects.filter(  # type: ignore[attr-defined]
            organization=organization
        )
        if not may_use_identity:
            del self.fields["use_identity"]


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Answer"),
        choices=[(v, label) for v, label in Status.choices if v != Status.PENDING],
    )
    on = forms.DateField(label=_("Date"), widget=DateInput())
    referred_to = forms.CharField(
        label=_("Referred to"),
        max_length=200,
        required=False,
        help_text=_("Where the request was sent on, if it was referred elsewhere."),
    )
    note = forms.CharField(
        label=_("Reason or note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a refusal, the reason given. Kept encrypted."),
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("Up to 5 MB. Kept encrypted."))

    def clean_file(self) -> Any:
        return _within(self.cleaned_data["file"], MAX_ATTACHMENT_BYTES)


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    language = forms.ChoiceField(label=_("Language"), choices=LetterLanguage.choices)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 16}))


class FollowupDaysForm(forms.Form):
    def __init__(self, *args: Any, days: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in Kind.choices:
            self.fields[kind] = forms.IntegerField(
                label=label, min_value=1, max_value=365, initial=days[kind]
            )


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("any")), *Status.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Type"), choices=[("", _("any")), *Kind.choices], required=False
    )
    country = forms.ChoiceField(label=_("Country"), choices=_country_choices, required=False)


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    kind = forms.ChoiceField(
        label=_("Type"), choices=[("", _("any")), *Kind.choices], required=False
    )
    country = forms.ChoiceField(label=_("Country"), choices=_country_choices, required=False)


class StarterForm(forms.Form):
    city = forms.ChoiceField(
        label=_("City"),
        choices=[*((c, c) for c in starter.CITIES), ("", _("all cities"))],
        required=False,
    )


class PeriodForm(forms.Form):
    since = forms.DateField(label=_("Sent from"), required=False, widget=DateInput())
    until = forms.DateField(label=_("Sent until"), required=False, widget=DateInput())


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_(
            "CSV (UTF-8 or Windows-1251, comma or semicolon) or XLSX, up to 40 MB. "
            "The first row holds the column names."
        ),
    )

    def clean_file(self) -> Any:
        return _within(self.cleaned_data["file"], importer.MAX_BYTES)


def _within(upload: Any, limit: int) -> Any:
    if upload is not None and upload.size > limit:
        raise forms.ValidationError(
            _("The file is larger than %(size)s.") % {"size": filesizeformat(limit)}
        )
    return upload


def _field_choices() -> list[tuple[str, str]]:
    return [("", "—"), *((name, importer.field_label(name)) for name in importer.FIELDS)]


@dataclass
class ImportProposal:
    """What the preview offers for each distinct value of the file: the user's choice so far,
    else Tropa's guess ('' where the user has to choose)."""

    answer_keys: list[str]
    statuses: dict[str, str]
    channel_keys: list[str]
    channels: dict[str, str]
    institutions: list[importer.NamedInstitution]
    matches: dict[str, str]  # name key -> code, NEW_INSTITUTION, or '' (no proposal)
    proposed: dict[str, str]  # name key -> the matcher's proposal ('' for none)
    directory: list[tuple[str, str]]
    follow_up: bool


class MappingForm(forms.Form):
    """One select per column, per distinct answer, per distinct channel and per institution
    name of the file; and whether imported requests are due for follow-ups."""

    def __init__(
        self, *args: Any, header: list[str], mapping: list[str], proposal: ImportProposal, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.header, self.proposal = header, proposal
        for i, name in enumerate(header):
            self.fields[f"column_{i}"] = forms.ChoiceField(
                label=name or "—",
                choices=_field_choices(),
                required=False,
                initial=mapping[i] if i < len(mapping) else "",
            )
        for i, key in enumerate(proposal.answer_keys):
            self.fields[f"answer_{i}"] = forms.ChoiceField(
                label=key or _("(empty)"),
                choices=[("", _("choose…")), *Status.choices],
                required=False,
                initial=proposal.statuses.get(key, ""),
            )
        for i, key in enumerate(proposal.channel_keys):
            self.fields[f"channel_{i}"] = forms.ChoiceField(
                label=key or _("(empty)"),
                choices=[("", _("choose…")), *Channel.choices],
                required=False,
                initial=proposal.channels.get(key, ""),
            )
        institution_choices = [
            (NEW_INSTITUTION, _("create a new institution")),
            *proposal.directory,
        ]
        for i, named in enumerate(proposal.institutions):
            self.fields[f"institution_{i}"] = forms.ChoiceField(
                label=named.name,
                choices=institution_choices,
                required=False,
                initial=proposal.matches.get(named.key) or NEW_INSTITUTION,
            )
        self.fields["follow_up"] = forms.BooleanField(
            label=_("These requests are still current: list those without an answer for follow-up"),
            required=False,
            initial=proposal.follow_up,
            help_text=_(
                "Leave unticked for old history: imported requests are then never due for a "
                "follow-up or a reminder."
            ),
        )

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"column_{i}"] for i in range(len(self.header))]

    def answer_fields(self) -> list[forms.BoundField]:
        return [self[f"answer_{i}"] for i in range(len(self.proposal.answer_keys))]

    def channel_fields(self) -> list[forms.BoundField]:
        return [self[f"channel_{i}"] for i in range(len(self.proposal.channel_keys))]

    def institution_rows(self) -> list[tuple[importer.NamedInstitution, forms.BoundField, str]]:
        """(the file's name, its select, the proposed directory label or '')."""
        labels = dict(self.proposal.directory)
        return [
            (
                named,
                self[f"institution_{i}"],
                labels.get(self.proposal.proposed.get(named.key, ""), ""),
            )
            for i, named in enumerate(self.proposal.institutions)
        ]

    def mapping(self) -> list[str]:
        return [self.cleaned_data.get(f"column_{i}", "") for i in range(len(self.header))]

    def statuses(self) -> dict[str, str]:
        return {
            key: self.cleaned_data.get(f"answer_{i}", "")
            for i, key in enumerate(self.proposal.answer_keys)
        }

    def channels(self) -> dict[str, str]:
        return {
            key: self.cleaned_data.get(f"channel_{i}", "")
            for i, key in enumerate(self.proposal.channel_keys)
        }

    def institutions(self) -> dict[str, str]:
        return {
            named.key: self.cleaned_data.get(f"institution_{i}") or NEW_INSTITUTION
            for i, named in enumerate(self.proposal.institutions)
        }
