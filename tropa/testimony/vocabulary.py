"""The coded vocabularies of testimony: recipients, acts, victims, involvement, sources,
and the Rome Statute provisions with their Elements of Crimes (E10, E11).

The codes are what the sealed records and the export hold; the labels are translated.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecipientKind(models.TextChoices):
    ICC = "icc", _("International Criminal Court")
    UN = "un", _("UN commission of inquiry")
    NATIONAL = "national", _("National prosecutor")
    ASYLUM = "asylum", _("Asylum authority")
    JOURNALIST = "journalist", _("Journalist")
    NONE = "none", _("No one (internal record only)")


class ConsentStatus(models.TextChoices):
    GIVEN = "given", _("given")
    REFUSED = "refused", _("refused")
    WITHDRAWN = "withdrawn", _("withdrawn")


class ConsentHow(models.TextChoices):
    SIGNED = "signed", _("signed form")
    ORAL = "oral", _("oral, recorded")
    ORAL_WITNESSED = "oral_witnessed", _("oral, before a witness")
    MESSAGE = "message", _("written message")


class RecordingMethod(models.TextChoices):
    WRITTEN = "written", _("written account")
    AUDIO = "audio", _("audio recording")
    VIDEO = "video", _("video recording")


class ActKind(models.TextChoices):
    KILLING = "killing", _("killing")
    TORTURE = "torture", _("torture")
    POW_ILL_TREATMENT = "pow", _("ill-treatment of prisoners of war")
    SEXUAL_VIOLENCE = "sexual", _("rape and sexual violence")
    ATTACK_CIVILIANS = "attack", _("attack on civilians or civilian objects")
    INCENDIARY = "incendiary", _("use of incendiary or prohibited weapons")
    PILLAGE = "pillage", _("pillage")
    DEPORTATION = "deportation", _("deportation")
    OTHER = "other", _("other")


class VictimKind(models.TextChoices):
    PERSON = "person", _("a person")
    CIVILIANS = "civilians", _("civilians")
    POWS = "pows", _("prisoners of war")
    OWN_SOLDIERS = "own", _("own soldiers")


class Involvement(models.TextChoices):
    DID = "did", _("did it")
    ORDERED = "ordered", _("ordered it")
    PRESENT = "present", _("was present")
    KNEW = "knew", _("knows of it")


class HowKnown(models.TextChoices):
    SAW = "saw", _("saw it")
    HEARD = "heard", _("heard it")
    TOLD = "told", _("was told by someone")
    DOCUMENT = "document", _("saw a document or video")


class Reliability(models.TextChoices):
    A = "a", _("A: reliable")
    B = "b", _("B: usually reliable")
    C = "c", _("C: fairly reliable")
    D = "d", _("D: not usually reliable")
    F = "f", _("F: cannot be judged")


class Oblast(models.TextChoices):
    VINNYTSIA = "vinnytsia", _("Vinnytsia")
    VOLYN = "volyn", _("Volyn")
    DNIPROPETROVSK = "dnipropetrovsk", _("Dnipropetrovsk")
    DONETSK = "donetsk", _("Donetsk")
    ZHYTOMYR = "zhytomyr", _("Zhytomyr")
    ZAKARPATTIA = "zakarpattia", _("Zakarpattia")
    ZAPORIZHZHIA = "zaporizhzhia", _("Zaporizhzhia")
    IVANO_FRANKIVSK = "ivano-frankivsk", _("Ivano-Frankivsk")
    KYIV = "kyiv", _("Kyiv")
    KIROVOHRAD = "kirovohrad", _("Kirovohrad")
    LUHANSK = "luhansk", _("Luhansk")
    LVIV = "lviv", _("Lviv")
    MYKOLAIV = "mykolaiv", _("Mykolaiv")
    ODESA = "odesa", _("Odesa")
    POLTAVA = "poltava", _("Poltava")
    RIVNE = "rivne", _("Rivne")
    SUMY = "sumy", _("Sumy")
    TERNOPIL = "ternopil", _("Ternopil")
    KHARKIV = "kharkiv", _("Kharkiv")
    KHERSON = "kherson", _("Kherson")
    KHMELNYTSKYI = "khmelnytskyi", _("Khmelnytskyi")
    CHERKASY = "cherkasy", _("Cherkasy")
    CHERNIVTSI = "chernivtsi", _("Chernivtsi")
    CHERNIHIV = "chernihiv", _("Chernihiv")
    CRIMEA = "crimea", _("Crimea")


# Rome Statute provisions at sub-paragraph level, with the Elements of Crimes each needs
# (ICC Elements of Crimes, 2011, in its official English text): {"8(2)(a)(i)": {"title",
# "elements": [...]}}. Codes are what the records hold.
ARTICLES: dict[str, dict[str, Any]] = json.loads(
    (Path(__file__).parent / "elements.json").read_text(encoding="utf-8")
)


# The provisions' names in the reader's language (the Elements stay in their official English
# text; exports carry the English title, as the Court writes it).
TITLES: dict[str, Any] = {
    "8(2)(a)(i)": _("Wilful killing"),
    "8(2)(a)(ii)": _("Torture or inhuman treatment"),
    "8(2)(b)(i)": _("Attacking civilians"),
    "8(2)(b)(ii)": _("Attacking civilian objects"),
    "8(2)(b)(iv)": _("Excessive incidental death, injury, or damage"),
    "8(2)(b)(xvi)": _("Pillaging"),
    "8(2)(b)(xx)": _(
        "Employing weapons, projectiles or materials or methods of warfare listed in the Annex "
        "to the Statute"
    ),
    "8(2)(b)(xxi)": _("Outrages upon personal dignity"),
    "8(2)(b)(xxii)": _("Rape and other sexual violence"),
    "7(1)(a)": _("Crime against humanity of murder"),
    "7(1)(d)": _("Crime against humanity of deportation or forcible transfer of population"),
    "7(1)(f)": _("Crime against humanity of torture"),
    "7(1)(g)": _("Crime against humanity of rape and sexual violence"),
}
for _code, _article in ARTICLES.items():
    _article["title_local"] = TITLES.get(_code, _article["title"])
