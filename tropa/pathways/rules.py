"""A stay rule in words, for people: "90 days in any 180" rather than ``rolling:90/180``."""

from __future__ import annotations

from django.utils.translation import ngettext

from tropa.lib.stay import StayError, parse_rule


def rule_in_words(text: str) -> str:
    try:
        rule = parse_rule(text)
    except StayError:
        return text
    values = {"days": rule.days, "window": rule.window}
    if rule.kind == "rolling":
        return (
            ngettext("%(days)s day in any %(window)s", "%(days)s days in any %(window)s", rule.days)
            % values
        )
    if rule.kind == "per-entry":
        return (
            ngettext("%(days)s day from each entry", "%(days)s days from each entry", rule.days)
            % values
        )
    return (
        ngettext("%(days)s day per calendar year", "%(days)s days per calendar year", rule.days)
        % values
    )
