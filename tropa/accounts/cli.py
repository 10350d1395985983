"""Helpers for the ``tropa`` commands that name an organization."""

from __future__ import annotations

from django.core.management.base import CommandError

from .models import Organization


def find_organization(name: str) -> Organization:
    """The organization called ``name``, or a CommandError that lists the names there are."""
    organization = Organization.objects.filter(name=name).first()
    if organization is None:
        names = ", ".join(Organization.objects.values_list("name", flat=True))
        raise CommandError(f"no organization named {name!r} (there are: {names or 'none'})")
    return organization
