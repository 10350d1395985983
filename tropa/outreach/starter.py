"""The starter set: main embassies in Astana, Yerevan and Tbilisi, and letter templates.

Loaded as data (``tropa outreach load-directory`` or the button on the directory page) and
editable afterwards. Addresses, e-mail addresses and web forms change often and are left for
the organization to fill in from the embassies' own sites; only what is stable is here.
The letter templates are content in four languages (ru, en, de, fr), not interface text.
"""

from __future__ import annotations

from typing import Any

_EMBASSIES: dict[str, tuple[tuple[str, str, list[str]], ...]] = {
    # country code, name, languages
    "Astana": (
        ("DE", "Embassy of Germany in Astana", ["de", "en", "ru"]),
        ("FR", "Embassy of France in Astana", ["fr", "en", "ru"]),
        ("GB", "British Embassy Astana", ["en", "ru"]),
        ("US", "U.S. Embassy in Astana", ["en", "ru"]),
        ("CA", "Embassy of Canada in Astana", ["en", "fr", "ru"]),
        ("SE", "Embassy of Sweden in Astana", ["en", "ru"]),
        ("CH", "Embassy of Switzerland in Astana", ["de", "fr", "en", "ru"]),
        ("NL", "Embassy of the Netherlands in Astana", ["en", "ru"]),
        ("PL", "Embassy of Poland in Astana", ["en", "ru"]),
        ("LT", "Embassy of Lithuania in Astana", ["en", "ru"]),
        ("VA", "Apostolic Nunciature in Kazakhstan", ["en", "ru"]),
    ),
    "Yerevan": (
        ("DE", "Embassy of Germany in Yerevan", ["de", "en", "ru"]),
        ("FR", "Embassy of France in Yerevan", ["fr", "en", "ru"]),
        ("GB", "British Embassy Yerevan", ["en", "ru"]),
        ("US", "U.S. Embassy in Yerevan", ["en", "ru"]),
        ("NL", "Embassy of the Netherlands in Yerevan", ["en", "ru"]),
        ("PL", "Embassy of Poland in Yerevan", ["en", "ru"]),
        ("LT", "Embassy of Lithuania in Yerevan", ["en", "ru"]),
    ),
    "Tbilisi": (
        ("DE", "Embassy of Germany in Tbilisi", ["de", "en", "ru"]),
        ("FR", "Embassy of France in Tbilisi", ["fr", "en", "ru"]),
        ("GB", "British Embassy Tbilisi", ["en", "ru"]),
        ("US", "U.S. Embassy in Tbilisi", ["en", "ru"]),
        ("SE", "Embassy of Sweden in Tbilisi", ["en", "ru"]),
        ("CH", "Embassy of Switzerland in Tbilisi", ["de", "fr", "en", "ru"]),
        ("NL", "Embassy of the Netherlands in Tbilisi", ["en", "ru"]),
        ("PL", "Embassy of Poland in Tbilisi", ["en", "ru"]),
        ("LT", "Embassy of Lithuania in Tbilisi", ["en", "ru"]),
    ),
}

CITIES = tuple(_EMBASSIES)
# Where an organization's cases are, when their cities do not tell (transit country → city).
CITY_OF_COUNTRY = {"KZ": "Astana", "AM": "Yerevan", "GE": "Tbilisi"}

DIRECTORY: list[dict[str, Any]] = [
    {
        "name": name,
        "kind": "embassy",
        "country": country,
        "city": city,
        "languages": languages,
        "channels": ["email", "letter", "in_person"],
    }
    for city, embassies in _EMBASSIES.items()
    for country, name, languages in embassies
] + [
    {
        "name": f"UNHCR {city}",
        "kind": "un",
        "country": "UN",
        "city": city,
        "languages": ["en", "ru"],
        "channels": ["email", "phone", "in_person"],
    }
    for city in ("Astana", "Yerevan", "Tbilisi")
]

_VISA = "Humanitarian visa"
_FOLLOW_UP = "Follow-up"

TEMPLATES: list[dict[str, str]] = [
    {
        "name": _VISA,
        "language": "ru",
        "subject": "Просьба о гуманитарной визе: {name}",
        "body": (
            "{greeting}\n\n"
            "Мы обращаемся к вам от имени {organization} по делу человека, которого мы "
            "сопровождаем: {name}. Он отказался участвовать в войне против Украины и с "
            "{arrived_on} находится в городе {city} ({country}).\n\n"
            "Возвращение в Россию грозит ему уголовным преследованием. Оставаться в "
            "транзитной стране небезопасно: известны случаи задержания и выдачи.\n\n"
            "Просим рассмотреть возможность выдачи гуманитарной визы или сообщить, какие "
            "документы для этого нужны. Мы готовы предоставить проверенные сведения.\n\n"
            "С уважением,\n{sender}\n{organization}\n{today}"
        ),
    },
    {
        "name": _VISA,
        "language": "en",
        "subject": "Request for a humanitarian visa: {name}",
        "body": (
            "{greeting}\n\n"
            "We are writing on behalf of {organization} about a person we are assisting: "
            "{name}. He refused to take part in the war against Ukraine and has been in "
            "{city} ({country}) since {arrived_on}.\n\n"
            "If he returns to Russia he faces criminal prosecution. Staying in the transit "
            "country is not safe: detentions and extraditions have happened.\n\n"
            "We ask you to consider issuing a humanitarian visa, or to tell us which "
            "documents are needed. We can provide verified information.\n\n"
            "Yours sincerely,\n{sender}\n{organization}\n{today}"
        ),
    },
    {
        "name": _VISA,
        "language": "de",
        "subject": "Bitte um ein humanitäres Visum: {name}",
        "body": (
            "{greeting}\n\n"
            "wir schreiben Ihnen im Namen von {organization} zum Fall eines Mannes, den wir "
            "begleiten: {name}. Er hat sich geweigert, am Krieg gegen die Ukraine "
            "teilzunehmen, und hält sich seit dem {arrived_on} in {city} ({country}) auf.\n\n"
            "Bei einer Rückkehr nach Russland droht ihm Strafverfolgung. Im Transitland ist "
            "er nicht sicher: Festnahmen und Auslieferungen sind bereits vorgekommen.\n\n"
            "Wir bitten Sie, die Erteilung eines humanitären Visums zu prüfen oder uns "
            "mitzuteilen, welche Unterlagen dafür nötig sind. Geprüfte Angaben stellen wir "
            "gern zur Verfügung.\n\n"
            "Mit freundlichen Grüßen\n{sender}\n{organization}\n{today}"
        ),
    },
    {
        "name": _VISA,
        "language": "fr",
        "subject": "Demande de visa humanitaire : {name}",
        "body": (
            "{greeting}\n\n"
            "Nous vous écrivons au nom de {organization} au sujet d'une personne que nous "
            "accompagnons : {name}. Il a refusé de participer à la guerre contre l'Ukraine "
            "et se trouve à {city} ({country}) depuis le {arrived_on}.\n\n"
            "S'il retourne en Russie, il risque des poursuites pénales. Rester dans le pays "
            "de transit n'est pas sûr : des arrestations et des extraditions ont eu lieu.\n\n"
            "Nous vous prions d'examiner la possibilité de lui délivrer un visa humanitaire, "
            "ou de nous indiquer les documents nécessaires. Nous pouvons fournir des "
            "informations vérifiées.\n\n"
            "Veuillez agréer nos salutations distinguées,\n{sender}\n{organization}\n{today}"
        ),
    },
    {
        "name": _FOLLOW_UP,
        "language": "ru",
        "subject": "Повторное обращение: {name}",
        "body": (
            "{greeting}\n\n"
            "Некоторое время назад мы писали вам по делу {name} и пока не получили ответа. "
            "Положение не изменилось, и мы будем благодарны за любой ответ, даже "
            "предварительный, или за указание, к кому нам лучше обратиться.\n\n"
            "С уважением,\n{sender}\n{organization}\n{today}"
        ),
    },
    {
        "name": _FOLLOW_UP,
        "language": "en",
        "subject": "Follow-up: {name}",
        "body": (
            "{greeting}\n\n"
            "Some time ago we wrote to you about {name} and have not yet received an "
            "answer. The situation has not changed; we would be grateful for any reply, "
            "even a preliminary one, or for a pointer to whom we should address instead.\n\n"
            "Yours sincerely,\n{sender}\n{organization}\n{today}"
        ),
    },
    {
        "name": _FOLLOW_UP,
        "language": "de",
        "subject": "Nachfrage: {name}",
        "body": (
            "{greeting}\n\n"
            "vor einiger Zeit haben wir Ihnen zum Fall {name} geschrieben und noch keine "
            "Antwort erhalten. Die Lage ist unverändert; für jede Antwort, auch eine "
            "vorläufige, oder einen Hinweis, an wen wir uns wenden sollten, sind wir "
            "dankbar.\n\n"
            "Mit freundlichen Grüßen\n{sender}\n{organization}\n{today}"
        ),
    },
    {
        "name": _FOLLOW_UP,
        "language": "fr",
        "subject": "Relance : {name}",
        "body": (
            "{greeting}\n\n"
            "Nous vous avons écrit il y a quelque temps au sujet de {name} et n'avons pas "
            "encore reçu de réponse. La situation reste inchangée ; nous vous serions "
            "reconnaissants de toute réponse, même provisoire, ou de nous indiquer à qui "
            "nous adresser.\n\n"
            "Veuillez agréer nos salutations distinguées,\n{sender}\n{organization}\n{today}"
        ),
    },
]
