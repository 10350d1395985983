"""Existing free-text cities become codes of the reference list where they match one of its
spellings ("Astana", "астана", "Нур-Султан"); anything else is kept as typed. Pseudonyms get
their case-folded form, for the "already used" warning."""

from typing import Any

from django.db import migrations

from tropa.cases.places import match_city, search_names


def _search_text(*parts: str) -> str:
    return " ".join(part for part in parts if part).casefold()


def forwards(apps: Any, schema_editor: Any) -> None:
    Person = apps.get_model("cases", "Person")
    Case = apps.get_model("cases", "Case")
    ServiceRecord = apps.get_model("cases", "ServiceRecord")
    for person in Person._default_manager.all().only("pk", "pseudonym").iterator():
        Person._default_manager.filter(pk=person.pk).update(pseudonym_folded=person.pseudonym.casefold())
    cases = Case._default_manager.exclude(city="").select_related("person")
    for case in cases.iterator():
        city = match_city(case.city, case.country)
        if city is None:
            continue
        record = ServiceRecord._default_manager.filter(person_id=case.person_id).first()
        names = search_names(city.code)
        Case._default_manager.filter(pk=case.pk).update(
            city_code=city.code,
            city="",
            search_text=_search_text(case.person.pseudonym, names, record.unit if record else ""),
            logistics_search_text=_search_text(case.person.pseudonym, names),
        )


def backwards(apps: Any, schema_editor: Any) -> None:
    from tropa.cases.places import BY_CODE

    Case = apps.get_model("cases", "Case")
    for case in Case._default_manager.exclude(city_code="").iterator():
        city = BY_CODE.get(case.city_code)
        Case._default_manager.filter(pk=case.pk).update(city=city.en if city else case.city_code)


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_city_codes_alert_outcomes_pseudonym_fold")]

    operations = [migrations.RunPython(forwards, backwards)]
