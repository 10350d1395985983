"""Cities a case can be in, per country: one code for every spelling ("Астана" = "Astana").

A small reference list of the places where the people Tropa's users help wait, travel
through or find protection. A case stores the city's code (``Case.city_code``); a place
that is not on the list stays free text (``Case.city``). Names are given in the five
languages of the interface; ``also`` holds other spellings a user or an old record may use
(former names, transliterations), for ``match_city``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import get_language

LANGUAGES = ("ru", "en", "de", "uk", "fr")


@dataclass(frozen=True)
class City:
    code: str
    country: str
    ru: str
    en: str
    de: str
    uk: str
    fr: str
    also: tuple[str, ...] = field(default=())

    def name(self, language: str | None = None) -> str:
        language = (language or get_language() or "ru").split("-")[0]
        return str(getattr(self, language)) if language in LANGUAGES else self.en

    def spellings(self) -> set[str]:
        return {fold(n) for n in (*(getattr(self, lang) for lang in LANGUAGES), *self.also)}


def fold(text: str) -> str:
    """Case-folded, ё as е, hyphens and runs of spaces as one space."""
    text = text.casefold().replace("ё", "е").replace("-", " ").replace("‑", " ")
    return " ".join(text.split())


def _c(code: str, ru: str, en: str, de: str, uk: str, fr: str, *also: str) -> City:
    return City(code, code[:2].upper(), ru, en, de, uk, fr, also)


# fmt: off
CITIES: tuple[City, ...] = (
    # Kazakhstan
    _c("kz-astana", "Астана", "Astana", "Astana", "Астана", "Astana",
       "Нур-Султан", "Nur-Sultan", "Nursultan", "Акмола", "Akmola", "Целиноград"),
    _c("kz-almaty", "Алматы", "Almaty", "Almaty", "Алмати", "Almaty",
       "Алма-Ата", "Alma-Ata", "Alma Ata"),
    _c("kz-shymkent", "Шымкент", "Shymkent", "Schymkent", "Шимкент", "Chymkent", "Чимкент"),
    _c("kz-karaganda", "Караганда", "Karaganda", "Karaganda", "Караганда", "Karaganda",
       "Қарағанды", "Qaraghandy"),
    _c("kz-aktobe", "Актобе", "Aktobe", "Aqtöbe", "Актобе", "Aktioubé", "Актюбинск", "Aqtobe"),
    _c("kz-oral", "Уральск", "Oral", "Oral", "Уральськ", "Oural", "Орал", "Uralsk"),
    _c("kz-oskemen", "Усть-Каменогорск", "Oskemen", "Öskemen", "Усть-Каменогорськ",
       "Öskemen", "Өскемен", "Ust-Kamenogorsk", "Ust Kamenogorsk"),
    _c("kz-kostanay", "Костанай", "Kostanay", "Qostanai", "Костанай", "Kostanaï", "Kostanai"),
    _c("kz-pavlodar", "Павлодар", "Pavlodar", "Pawlodar", "Павлодар", "Pavlodar"),
    _c("kz-semey", "Семей", "Semey", "Semei", "Семей", "Semeï", "Семипалатинск", "Semipalatinsk"),
    _c("kz-aktau", "Актау", "Aktau", "Aqtau", "Актау", "Aktaou"),
    _c("kz-atyrau", "Атырау", "Atyrau", "Atyrau", "Атирау", "Atyraou"),
    _c("kz-petropavl", "Петропавловск", "Petropavl", "Petropawl", "Петропавловськ",
       "Petropavl", "Petropavlovsk"),
    # Kyrgyzstan
    _c("kg-bishkek", "Бишкек", "Bishkek", "Bischkek", "Бішкек", "Bichkek", "Фрунзе", "Frunze"),
    _c("kg-osh", "Ош", "Osh", "Osch", "Ош", "Och"),
    _c("kg-karakol", "Каракол", "Karakol", "Karakol", "Каракол", "Karakol"),
    # Armenia
    _c("am-yerevan", "Ереван", "Yerevan", "Jerewan", "Єреван", "Erevan", "Erivan"),
    _c("am-gyumri", "Гюмри", "Gyumri", "Gjumri", "Ґюмрі", "Gyumri", "Ленинакан"),
    _c("am-vanadzor", "Ванадзор", "Vanadzor", "Wanadsor", "Ванадзор", "Vanadzor"),
    # Georgia
    _c("ge-tbilisi", "Тбилиси", "Tbilisi", "Tiflis", "Тбілісі", "Tbilissi", "Тифлис"),
    _c("ge-batumi", "Батуми", "Batumi", "Batumi", "Батумі", "Batoumi"),
    _c("ge-kutaisi", "Кутаиси", "Kutaisi", "Kutaissi", "Кутаїсі", "Koutaïssi"),
    # Uzbekistan
    _c("uz-tashkent", "Ташкент", "Tashkent", "Taschkent", "Ташкент", "Tachkent", "Toshkent"),
    _c("uz-samarkand", "Самарканд", "Samarkand", "Samarkand", "Самарканд", "Samarcande",
       "Samarqand"),
    _c("uz-bukhara", "Бухара", "Bukhara", "Buchara", "Бухара", "Boukhara", "Buxoro"),
    # Serbia
    _c("rs-belgrade", "Белград", "Belgrade", "Belgrad", "Белград", "Belgrade", "Beograd",
       "Београд"),
    _c("rs-novi-sad", "Нови-Сад", "Novi Sad", "Novi Sad", "Нові-Сад", "Novi Sad", "Нови Сад"),
    _c("rs-nis", "Ниш", "Niš", "Niš", "Ніш", "Niš", "Nis"),
    # Turkey
    _c("tr-istanbul", "Стамбул", "Istanbul", "Istanbul", "Стамбул", "Istanbul", "İstanbul"),
    _c("tr-ankara", "Анкара", "Ankara", "Ankara", "Анкара", "Ankara"),
    _c("tr-antalya", "Анталья", "Antalya", "Antalya", "Анталія", "Antalya", "Анталия"),
    _c("tr-izmir", "Измир", "Izmir", "Izmir", "Ізмір", "Izmir", "İzmir"),
    # Mongolia
    _c("mn-ulaanbaatar", "Улан-Батор", "Ulaanbaatar", "Ulaanbaatar", "Улан-Батор",
       "Oulan-Bator", "Ulan Bator", "Ulan-Bator", "Улаанбаатар"),
    # Israel
    _c("il-tel-aviv", "Тель-Авив", "Tel Aviv", "Tel Aviv", "Тель-Авів", "Tel Aviv-Jaffa",
       "Tel Aviv Yafo"),
    _c("il-jerusalem", "Иерусалим", "Jerusalem", "Jerusalem", "Єрусалим", "Jérusalem"),
    _c("il-haifa", "Хайфа", "Haifa", "Haifa", "Хайфа", "Haïfa"),
    # Germany
    _c("de-berlin", "Берлин", "Berlin", "Berlin", "Берлін", "Berlin"),
    _c("de-munich", "Мюнхен", "Munich", "München", "Мюнхен", "Munich", "Muenchen"),
    _c("de-hamburg", "Гамбург", "Hamburg", "Hamburg", "Гамбург", "Hambourg"),
    _c("de-frankfurt", "Франкфурт-на-Майне", "Frankfurt am Main", "Frankfurt am Main",
       "Франкфурт-на-Майні", "Francfort-sur-le-Main", "Frankfurt", "Франкфурт"),
    _c("de-cologne", "Кёльн", "Cologne", "Köln", "Кельн", "Cologne", "Koeln"),
    # France
    _c("fr-paris", "Париж", "Paris", "Paris", "Париж", "Paris"),
    _c("fr-lyon", "Лион", "Lyon", "Lyon", "Ліон", "Lyon"),
    _c("fr-marseille", "Марсель", "Marseille", "Marseille", "Марсель", "Marseille"),
    _c("fr-strasbourg", "Страсбург", "Strasbourg", "Straßburg", "Страсбург", "Strasbourg",
       "Strassburg"),
    # Ukraine
    _c("ua-kyiv", "Киев", "Kyiv", "Kyjiw", "Київ", "Kyiv", "Kiev", "Kiew"),
    _c("ua-lviv", "Львов", "Lviv", "Lwiw", "Львів", "Lviv", "Lwow", "Lemberg"),
)
# fmt: on

BY_CODE: dict[str, City] = {city.code: city for city in CITIES}


def city_name(code: str, language: str | None = None) -> str:
    city = BY_CODE.get(code)
    return city.name(language) if city else ""


def cities_in(country: str) -> list[City]:
    return [city for city in CITIES if city.country == country]


def match_city(text: str, country: str | None = None) -> City | None:
    """The listed city ``text`` names in any of its spellings (in ``country`` first)."""
    wanted = fold(text)
    if not wanted:
        return None
    found = [city for city in CITIES if wanted in city.spellings()]
    for city in found:
        if city.country == country:
            return city
    return found[0] if len(found) == 1 else None


def search_names(code: str) -> str:
    """Every spelling of a listed city, for the case's search text: a search for "Астана"
    finds a case in Astana whatever the language it was entered in."""
    city = BY_CODE.get(code)
    return " ".join(sorted(city.spellings())) if city else ""
