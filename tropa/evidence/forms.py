from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Method

if TYPE_CHECKING:
    from .services import ItemSummary


class CollectionForm(forms.Form):
    """The collection record asked for with every file (E8)."""

    source = forms.CharField(
        label=_("Received from (pseudonym)"),
        max_length=80,
        required=False,
        help_text=_("Never a real name."),
    )
    method = forms.ChoiceField(label=_("How it was received"), choices=Method.choices)
    received_at = forms.DateTimeField(
        label=_("Received on"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    taken_on = forms.DateField(
        label=_("Made on, as the source says"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Compared with the time the file itself records."),
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class StartUploadForm(CollectionForm):
    name = forms.CharField(strip=False)
    size = forms.IntegerField(
        min_value=1,
        error_messages={"min_value": _("The file is empty (0 bytes): nothing to keep.")},
    )
    modified = forms.IntegerField(required=False, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A file name is kept as sealed data and never used as a path, so a name with a
        # NUL or any other odd character is recorded (cleaned), not refused.
        self.fields["name"].validators = []


VARIANTS = [
    ("original", _("original")),
    ("stripped", _("copy without metadata")),
    ("exclude", _("leave out")),
]


class ExportForm(forms.Form):
    recipient = forms.CharField(
        label=_("Encrypt to the recipient's age key (optional)"),
        max_length=200,
        required=False,
        help_text=_("Starts with age1. Without it the bundle is not encrypted."),
    )

    def __init__(self, *args: Any, items: list[ItemSummary], stripped: set[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        for summary in items:
            item = summary.item
            choices = [v for v in VARIANTS if v[0] != "stripped" or str(item.code) in stripped]
            self.fields[f"item_{item.code}"] = forms.ChoiceField(
                label=f"{str(item.code)[:8]} · {summary.name or item.generic_name} · {item.mime}",
                choices=choices,
                # A picture that can locate people leaves as its copy unless chosen otherwise.
                initial="stripped"
                if summary.has_position and str(item.code) in stripped
                else "original",
                help_text=_("The original records a position (GPS): it can locate people.")
                if summary.has_position
                else "",
            )

    def selection(self) -> dict[str, str]:
        return {
            name.removeprefix("item_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("item_")
        }


class DeleteRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why should it be deleted?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
