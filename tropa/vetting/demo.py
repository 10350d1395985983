"""Demo vettings: one decided (two sign-offs, graded claims, linked evidence), one in
vetting with a concern, one whose open screening hit blocks a recommend."""

from __future__ import annotations

import io
from base64 import b32encode
from datetime import timedelta

from django.utils import timezone

from tropa.accounts.models import Organization, Role, User
from tropa.cases.models import Case, Note

from . import services
from .models import CheckKind, CheckStatus, Vetting

# The core demo has "astana-verifier" (English interface); a second verifier (Russian
# interface) and a lawyer make the two-person decisions possible.
ACCOUNTS = [
    ("astana-verifier-2", Role.VERIFIER, "ru"),
    ("astana-lawyer", Role.LAWYER, "ru"),
]

FINDINGS = {
    CheckKind.IDENTITY: "Внутренний паспорт и военный билет видели в оригинале, фото сверено.",
    CheckKind.SERVICE: "В/ч, звание и даты совпадают с выпиской и двумя интервью.",
    CheckKind.DEPARTURE: "Приказ об оставлении части и уголовное дело по ст. 338 УК РФ.",
    CheckKind.SCREENING: "Проверен по всем текущим версиям списков; совпадений нет.",
    CheckKind.EXCLUSION: "Сведений о преступлениях его подразделения в местах и сроки службы нет.",
    CheckKind.INFILTRATION: "Противоречий между интервью нет; давления на семью не выявлено.",
    CheckKind.INTERVIEWS: "Два интервью на русском, без переводчика.",
}


def load_vetting_demo(org: Organization) -> list[tuple[str, str, str, str, str]]:
    """The demo's second verifier and lawyer (fresh passwords each time), and once the
    vettings."""
    from tropa.core.demo import _ensure_account

    rows, staff = [], {}
    for username, role, language in ACCOUNTS:
        user, password, device = _ensure_account(org, username, role, language)
        staff[username] = user
        secret = b32encode(device.bin_key).decode().rstrip("=")
        rows.append((org.name, username, str(Role(role).label), password, secret))
    if not Vetting.objects.filter(organization=org).exists():
        by_name = {
            c.person.pseudonym: c
            for c in Case.objects.filter(organization=org).select_related("person")
        }
        opener = User.objects.get(username="astana-coordinator")
        first, second = staff["astana-verifier-2"], User.objects.get(username="astana-verifier")
        _decided(by_name["Funker"], opener, first, second)
        _with_concern(by_name["Rambo"], opener, first)
        _blocked_by_hit(by_name["Volk"], opener, first)
    return rows


def _work(vetting: Vetting, actor: User, skip: tuple[str, ...] = ()) -> None:
    for check in vetting.checks.select_related("item"):
        if check.item.kind not in skip:
            services.update_check(
                actor=actor,
                check=check,
                status=CheckStatus.SATISFIED,
                finding=FINDINGS.get(CheckKind(check.item.kind), "Проверено."),
            )


def _decided(case: Case, opener: User, first: User, second: User) -> None:
    from tropa.evidence import services as evidence

    vetting = services.open_vetting(actor=opener, case=case)
    record = evidence.CollectionRecord(
        method="usb", received_at=timezone.now() - timedelta(days=20), original_name="prikaz.txt"
    )
    order = evidence.add_evidence(
        actor=opener,
        case=case,
        source=io.BytesIO(b"Demo: scan of a unit order (fictional)"),
        record=record,
    )
    _work(vetting, first, skip=(CheckKind.DEPARTURE, CheckKind.INTERVIEWS))
    departure = vetting.checks.get(item__kind=CheckKind.DEPARTURE)
    services.update_check(
        actor=first,
        check=departure,
        status=CheckStatus.SATISFIED,
        finding=FINDINGS[CheckKind.DEPARTURE],
        links=services.Links(evidence=[str(order.code)]),
    )
    notes = [str(n.id) for n in Note.objects.filter(organization=case.organization_id, case=case)]
    services.update_check(
        actor=first,
        check=vetting.checks.get(item__kind=CheckKind.INTERVIEWS),
        status=CheckStatus.SATISFIED,
        finding=FINDINGS[CheckKind.INTERVIEWS],
        links=services.Links(notes=notes),
    )
    for text, grade in (
        ("Служил в в/ч 12345 с 03.2021 по 09.2022", ("documented", "B", "2")),
        ("Оставил часть 21.09.2022", ("corroborated", "B", "1")),
        ("Объявлен в розыск в России", ("self_reported", "C", "3")),
    ):
        claim = services.add_claim(actor=first, vetting=vetting, text=text)
        services.grade_claim(
            actor=first,
            claim=claim,
            basis=grade[0],
            reliability=grade[1],
            credibility=grade[2],
            basis_text="Выписка, приказ, интервью.",
        )
    decision = services.propose_decision(
        actor=first,
        vetting=vetting,
        outcome="recommend",
        reasons="Рассказ подтверждён документами и двумя интервью; оснований для исключения нет.",
    )
    services.sign_decision(actor=second, decision=decision)


def _with_concern(case: Case, opener: User, first: User) -> None:
    vetting = services.open_vetting(actor=opener, case=case)
    _work(vetting, first, skip=(CheckKind.INFILTRATION, CheckKind.EXCLUSION))
    services.update_check(
        actor=first,
        check=vetting.checks.get(item__kind=CheckKind.INFILTRATION),
        status=CheckStatus.CONCERN,
        finding="Во втором интервью другая дата прибытия в часть; объяснить не смог.",
    )
    services.add_claim(actor=first, vetting=vetting, text="Прибыл в часть в 05.2022")


def _blocked_by_hit(case: Case, opener: User, first: User) -> None:
    vetting = services.open_vetting(actor=opener, case=case)
    _work(vetting, first)
