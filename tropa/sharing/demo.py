"""Demo sharing: Funker (the canary's case) referred from Demo Astana to Demo Yerevan with
his Latin name, service record, outreach history, vetting decision and dossier, his
interview and his evidence, and accepted there; an advocate of Yerevan with access to the
case that arrived."""

from __future__ import annotations

from base64 import b32encode

from django.utils import timezone

from tropa.accounts.models import Organization, Role, User
from tropa.cases.models import Case
from tropa.evidence.models import EvidenceItem

from . import services
from .models import Referral

ADVOCATE = ("yerevan-advocate", Role.ADVOCATE, "en")
SUMMARY = (
    "A soldier who left his unit in 2022 and is now in Yerevan. He asks for a humanitarian "
    "visa; embassies have not answered. Please write in his support; do not name him."
)


def load_sharing_demo(orgs: dict[str, Organization]) -> list[tuple[str, str, str, str, str]]:
    from tropa.core.demo import ASTANA, YEREVAN, _ensure_account

    astana, yerevan = orgs[ASTANA], orgs[YEREVAN]
    username, role, language = ADVOCATE
    advocate, password, device = _ensure_account(yerevan, username, role, language)
    secret = b32encode(device.bin_key).decode().rstrip("=")
    rows = [(yerevan.name, username, str(Role(role).label), password, secret)]
    if not Referral.objects.filter(organization=astana).exists():
        _refer_funker(astana, yerevan, advocate)
    return rows


def _interviews(astana: Organization, case: Case) -> list[str]:
    from django.apps import apps

    if not apps.is_installed("tropa.testimony"):
        return []
    from tropa.testimony.models import Testimony

    return [str(t.code) for t in Testimony.objects.filter(organization=astana, case=case)]


def _decided(case: Case) -> bool:
    from django.apps import apps

    if not apps.is_installed("tropa.vetting"):
        return False
    from tropa.vetting.flags import vetting_decision

    return vetting_decision(case) is not None


def _refer_funker(astana: Organization, yerevan: Organization, advocate: User) -> None:
    funker = Case.objects.for_organization(astana).get(person__pseudonym="Funker")
    sender = User.objects.get(username="astana-coordinator")
    receiver = User.objects.get(username="yerevan-coordinator")
    items = EvidenceItem.objects.filter(organization=astana, case=funker)
    referral = services.refer_case(
        actor=sender,
        case=funker,
        receiver=yerevan,
        mode="share",
        consent=services.Consent(
            timezone.localdate(), "signed", "Help with a visa and housing in Yerevan"
        ),
        parts=services.Parts(
            identity=["surname_latin", "given_name_latin"],
            service_record=True,
            evidence=[str(item.code) for item in items],
            outreach=True,
            vetting=True,
            testimony=_interviews(astana, funker),
            vetting_dossier=_decided(funker),
        ),
        note="Едет в Ереван на следующей неделе; просит помочь с жильём.",
    )
    receipt = services.accept_referral(actor=receiver, referral=referral)
    services.copy_evidence(referral)  # here and now: the demo has no worker yet
    services.grant_advocate(actor=receiver, case=receipt.case, advocate=advocate, summary=SUMMARY)
