from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tropa.accounts.models import Organization, Role, User

from . import places
from .models import (
    AlertKind,
    AlertOutcome,
    Article,
    Branch,
    ClosedReason,
    Country,
    Currency,
    LeftHow,
    NeedKind,
    Relation,
    Risk,
    ServiceType,
    Stage,
    SupportKind,
    WantedStatus,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _not_future(value: date | None) -> None:
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("This date is in the future."))


class StaffChoiceField(forms.ModelChoiceField[User]):
    """A colleague, named in the form by the account's random code, never its row id."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": _("Choose a colleague of your organization from the list.")},
        )
        super().__init__(queryset=User.objects.none(), **kwargs)

    def label_from_instance(self, obj: User) -> str:
        return str(obj.get_username())


def staff_of(organization: Organization) -> models.QuerySet[User]:
    return (
        User.objects.filter(membership__organization=organization, is_active=True)
        .exclude(membership__role=Role.ADMIN)
        .order_by("username")
    )


def city_choices(first_country: str | None = None) -> list[Any]:
    """The reference cities grouped by country, in the user's language (the group of
    ``first_country`` first): a grouped select that works without JavaScript."""
    groups = []
    for value, label in Country.choices:
        cities = sorted(places.cities_in(value), key=lambda c: c.name())
        if cities:
            groups.append((str(label), [(c.code, c.name()) for c in cities], value))
    groups.sort(key=lambda group: group[2] != first_country)
    return [("", "—"), *((label, options) for label, options, _value in groups)]


class CaseForm(forms.Form):
    pseudonym = forms.CharField(
        label=_("Pseudonym"), max_length=80, help_text=_("A nickname, never the real name.")
    )
    same_pseudonym = forms.BooleanField(
        label=_("Yes, use this pseudonym for one more case"), required=False
    )
    country = forms.ChoiceField(
        label=_("Transit country"),
        choices=Country.choices,
        widget=forms.Select(attrs={"data-city-country": ""}),
    )
    city_code = forms.ChoiceField(
        label=_("City"),
        required=False,
        help_text=_("Choose the country first; a city not on the list goes below."),
        widget=forms.Select(attrs={"data-city-select": ""}),
    )
    city = forms.CharField(label=_("Another city (not on the list)"), max_length=80, required=False)
    arrived_on = forms.DateField(
        label=_("Arrived in the transit country"),
        required=False,
        widget=DateInput(),
        validators=[_not_future],
    )
    risk = forms.ChoiceField(label=_("Risk"), choices=Risk.choices, initial=Risk.MEDIUM)
    assignee = StaffChoiceField(label=_("Assignee"), required=False)
    next_action = forms.CharField(label=_("Next action"), max_length=200, required=False)
    next_action_on = forms.DateField(label=_("Next action by"), required=False, widget=DateInput())

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignee = self.fields["assignee"]
        assert isinstance(assignee, StaffChoiceField)
        assignee.queryset = staff_of(organization)
        country = self.data.get("country") if self.is_bound else self.initial.get("country")
        city = self.fields["city_code"]
        assert isinstance(city, forms.ChoiceField)
        city.choices = city_choices(country or Country.KZ)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code, country = data.get("city_code"), data.get("country")
        if code and country and places.BY_CODE[code].country != country:
            self.add_error(
                "city_code",
                _(
                    "%(city)s is not in %(country)s: choose a city of that country, "
                    "or type it below."
                )
                % {"city": places.city_name(code), "country": Country(country).label},
            )
        if code:
            data["city"] = ""  # the list wins over a typed name
        return data


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Move to stage"), choices=Stage.choices)
    reason = forms.ChoiceField(
        label=_("Reason for closing"), required=False, choices=[("", "—"), *ClosedReason.choices]
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("stage") == Stage.CLOSED and not data.get("reason"):
            self.add_error("reason", _("Choose why the case is closed."))
        return data


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class IdentityForm(forms.Form):
    surname = forms.CharField(label=_("Surname (Cyrillic)"), max_length=120, required=False)
    given_name = forms.CharField(label=_("Given name (Cyrillic)"), max_length=120, required=False)
    patronymic = forms.CharField(label=_("Patronymic (Cyrillic)"), max_length=120, required=False)
    surname_latin = forms.CharField(
        label=_("Surname (Latin, as in the passport)"), max_length=120, required=False
    )
    given_name_latin = forms.CharField(
        label=_("Given name (Latin, as in the passport)"), max_length=120, required=False
    )
    other_spellings = forms.CharField(
        label=_("Other spellings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, e.g. from old passports or letters."),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"), required=False, widget=DateInput(), validators=[_not_future]
    )
    birthplace = forms.CharField(label=_("Place of birth"), max_length=160, required=False)
    documents = forms.CharField(
        label=_("Documents"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line as “kind: number”, e.g. “passport: 75 1234567”."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    messengers = forms.CharField(
        label=_("Messengers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line as “app: handle”, e.g. “Signal: @name”."),
    )

    def clean_documents(self) -> list[dict[str, str]]:
        return self._pairs(
            self.cleaned_data["documents"],
            "kind",
            "number",
            _("Line %(line)d: write it as “kind: number”, e.g. “passport: 75 1234567”."),
        )

    def clean_messengers(self) -> list[dict[str, str]]:
        return self._pairs(
            self.cleaned_data["messengers"],
            "app",
            "handle",
            _("Line %(line)d: write it as “app: handle”, e.g. “Signal: @name”."),
        )

    def clean_other_spellings(self) -> list[str]:
        return _lines(self.cleaned_data["other_spellings"])

    @staticmethod
    def _pairs(value: str, left: str, right: str, message: Any) -> list[dict[str, str]]:
        pairs = []
        for number, line in enumerate(_lines(value), start=1):
            head, sep, tail = line.partition(":")
            if not sep or not head.strip() or not tail.strip():
                raise forms.ValidationError(message, params={"line": number})
            pairs.append({left: head.strip(), right: tail.strip()})
        return pairs

    @staticmethod
    def initial_from(data: dict[str, Any]) -> dict[str, Any]:
        initial = dict(data)
        initial["other_spellings"] = "\n".join(data.get("other_spellings", []))
        initial["documents"] = "\n".join(
            f"{d['kind']}: {d['number']}" for d in data.get("documents", [])
        )
        initial["messengers"] = "\n".join(
            f"{m['app']}: {m['handle']}" for m in data.get("messengers", [])
        )
        return initial


class ServiceRecordForm(forms.Form):
    branch = forms.ChoiceField(
        label=_("Branch"), choices=[("", "—"), *Branch.choices], required=False
    )
    unit = forms.CharField(label=_("Unit"), max_length=160, required=False)
    rank = forms.CharField(label=_("Rank"), max_length=80, required=False)
    service_type = forms.ChoiceField(
        label=_("Service"), choices=[("", "—"), *ServiceType.choices], required=False
    )
    service_start = forms.DateField(
        label=_("Service from"), required=False, widget=DateInput(), validators=[_not_future]
    )
    service_end = forms.DateField(
        label=_("Service until"), required=False, widget=DateInput(), validators=[_not_future]
    )
    left_how = forms.ChoiceField(
        label=_("How he left"), choices=[("", "—"), *LeftHow.choices], required=False
    )
    left_on = forms.DateField(
        label=_("Left on"), required=False, widget=DateInput(), validators=[_not_future]
    )
    articles = forms.MultipleChoiceField(
        label=_("Criminal exposure (Criminal Code of Russia)"),
        choices=Article.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    wanted_status = forms.ChoiceField(label=_("Wanted status"), choices=WantedStatus.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("service_start"), data.get("service_end")
        if start and end and end < start:
            self.add_error("service_end", _("Service cannot end before it started."))
        return data


class DeploymentForm(forms.Form):
    place = forms.CharField(label=_("Place"), max_length=160)
    start = forms.DateField(
        label=_("From"), required=False, widget=DateInput(), validators=[_not_future]
    )
    end = forms.DateField(
        label=_("Until"), required=False, widget=DateInput(), validators=[_not_future]
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("A deployment cannot end before it started."))
        return data


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=20000, widget=forms.Textarea(attrs={"rows": 3})
    )


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    due_on = forms.DateField(label=_("Due"), required=False, widget=DateInput())
    assignee = StaffChoiceField(label=_("Assignee"), required=False)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignee = self.fields["assignee"]
        assert isinstance(assignee, StaffChoiceField)
        assignee.queryset = staff_of(organization)


class NeedForm(forms.Form):
    kind = forms.ChoiceField(label=_("Need"), choices=NeedKind.choices)
    details = forms.CharField(
        label=_("Details"),
        max_length=2000,
        required=False,
        help_text=_("Volunteers see this: no names or addresses."),
    )


class SupportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Support"), choices=SupportKind.choices)
    given_on = forms.DateField(label=_("Date"), widget=DateInput(), validators=[_not_future])
    amount = forms.DecimalField(
        label=_("Amount"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    currency = forms.ChoiceField(
        label=_("Currency"), choices=[("", "—"), *Currency.choices], required=False
    )
    details = forms.CharField(label=_("Details (address, donor)"), max_length=2000, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("amount") is not None and not data.get("currency"):
            self.add_error("currency", _("Choose the currency of the amount."))
        return data


class FamilyForm(forms.Form):
    relation = forms.ChoiceField(label=_("Relation"), choices=Relation.choices)
    name = forms.CharField(label=_("Name"), max_length=160)
    birth_year = forms.IntegerField(
        label=_("Year of birth"), required=False, min_value=1900, max_value=2100
    )


class AlertForm(forms.Form):
    kind = forms.ChoiceField(label=_("What happened"), choices=AlertKind.choices)
    details = forms.CharField(
        label=_("Details"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AlertResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("How did it end?"), choices=AlertOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note on the outcome"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Stored encrypted; only colleagues who read notes see it."),
    )
    confirm = forms.BooleanField(
        label=_("Yes, resolve the alert: it leaves every coordinator's dashboard."),
        error_messages={"required": _("Tick the box to confirm that the alert is over.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == AlertOutcome.OTHER and not data.get("note", "").strip():
            self.add_error("note", _("Say in the note how it ended."))
        return data


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    stage = forms.ChoiceField(
        label=_("Stage"), choices=[("", _("All stages")), *Stage.choices], required=False
    )
    risk = forms.ChoiceField(
        label=_("Risk"), choices=[("", _("Any risk")), *Risk.choices], required=False
    )
    country = forms.ChoiceField(
        label=_("Country"), choices=[("", _("All countries")), *Country.choices], required=False
    )
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    alert = forms.BooleanField(label=_("Active alert"), required=False)


class IdentitySearchForm(forms.Form):
    """A document number or a legal name; sent by POST, never shown back or logged."""

    who = forms.CharField(
        label=_("Document number or legal name"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
