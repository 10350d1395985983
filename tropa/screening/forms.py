from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DecisionForm(forms.Form):
    """A decision with its reason; subclasses name the choices."""

    field_order = ["decision", "reason"]
    reason = forms.CharField(
        label=pgettext_lazy("screening", "Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you compared and why you decided so. Stored encrypted."),
    )


class HitDecisionForm(DecisionForm):
    decision = forms.ChoiceField(
        label=pgettext_lazy("screening", "Decision"),
        choices=[
            ("confirm", _("Confirm: he is the listed person")),
            ("dismiss", _("Dismiss: a different person")),
        ],
        widget=forms.RadioSelect,
    )


class DuplicateDecisionForm(DecisionForm):
    decision = forms.ChoiceField(
        label=pgettext_lazy("screening", "Decision"),
        choices=[
            ("same", _("Same person (records the link, merges nothing)")),
            ("different", _("Different people")),
        ],
        widget=forms.RadioSelect,
    )


class ListUploadForm(forms.Form):
    """The upload's fields; the file itself is received by ``uploads.SealedListUpload``."""

    name = forms.CharField(
        label=pgettext_lazy("watchlist", "List name"),
        max_length=120,
        help_text=_("Give the name of one of your lists to add a new version of it."),
    )
    file = forms.FileField(
        label=_("List file"),
        required=False,
        help_text=_(
            "FollowTheMoney JSON lines (.json, .ftm.json) or CSV with the columns "
            "id,name[,alias,birth_date,position,unit]; up to 2 GB. Stored encrypted."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.jsonl,.ftm,.csv"}),
    )
