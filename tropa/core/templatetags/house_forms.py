"""Form fields the house way: each error next to its field, the entered values kept.

``{% form_fields form %}`` renders every visible field of ``form`` (``skip="a b"`` leaves
some out, to place them by hand with ``{% form_field form.a %}``). A field with an error gets
``aria-invalid`` and ``aria-describedby`` pointing at its message (Django's own), and the
first field in error gets ``autofocus``, so that the browser scrolls to it and a screen reader
reads it first (so the form's ``action`` carries no ``#fragment``: a fragment in the page's
URL turns autofocus off). Errors of the whole form (a service's refusal, see
``tropa.core.views.submit``) stand above the fields in a focusable ``role="alert"`` box.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BaseForm, BoundField

register = template.Library()


def _focus_first_error(form: BaseForm) -> bool:
    """Put ``autofocus`` on the first visible field in error; False if none is in error."""
    if getattr(form, "_house_focus_done", False) or not form.is_bound:
        return True
    form._house_focus_done = True  # type: ignore[attr-defined]  # once per form instance
    for field in form.visible_fields():
        if field.errors:
            field.field.widget.attrs["autofocus"] = True
            return True
    return False


@register.inclusion_tag("core/forms/fields.html")
def form_fields(form: BaseForm, skip: str = "") -> dict[str, Any]:
    skipped = set(skip.split())
    focused = _focus_first_error(form)
    return {
        "form": form,
        "fields": [f for f in form.visible_fields() if f.name not in skipped],
        "hidden": form.hidden_fields(),
        # Only form-wide errors: the box takes the focus itself.
        "focus_errors": not focused and bool(form.non_field_errors()),
    }


@register.inclusion_tag("core/forms/field.html")
def form_field(field: BoundField) -> dict[str, Any]:
    _focus_first_error(field.form)
    return {"field": field}


@register.filter
def has_errors(form: BaseForm | None) -> bool:
    """Whether a bound form came back with errors: ``<details{% if f|has_errors %} open…``."""
    return form is not None and form.is_bound and bool(form.errors)
