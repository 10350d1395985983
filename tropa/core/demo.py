"""The fictional demonstration organizations "Demo Astana" and "Demo Yerevan".

Every person here is invented. One of them carries the legal surname Канарейкин
(Kanareikin): a canary that must never be found in plaintext on disk.
"""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tropa.accounts import services as accounts
from tropa.accounts.models import EnrolmentReason, Organization, Role, User
from tropa.cases import services as cases
from tropa.cases.demo import enrich_case_desk
from tropa.cases.models import Case, Stage

ASTANA, YEREVAN = "Demo Astana", "Demo Yerevan"

# A fictional watchlist, so that screening can be tried: it lists "Volk" (a hit waiting for
# review) and a namesake of his born decades earlier (not a hit).
WATCHLIST_NAME = "Demo watchlist (fictional)"
WATCHLIST_FILE = Path(__file__).with_name("demo_data") / "watchlist.ftm.json"
LISTED_PSEUDONYM = "Volk"

# An account that has not signed in yet: its user opens the link to choose a password and
# set up the authenticator, as every new user of a real organization does.
NEWCOMER = (ASTANA, "astana-newcomer", Role.CASEWORKER, "ru")

ACCOUNTS = [
    (ASTANA, "astana-coordinator", Role.COORDINATOR, "ru"),
    (ASTANA, "astana-caseworker", Role.CASEWORKER, "ru"),
    (ASTANA, "astana-volunteer", Role.VOLUNTEER, "ru"),
    (ASTANA, "astana-verifier", Role.VERIFIER, "en"),
    (ASTANA, "astana-admin", Role.ADMIN, "ru"),
    (YEREVAN, "yerevan-coordinator", Role.COORDINATOR, "ru"),
]

# What a coordinator typically does next at each stage, and in how many days.
NEXT_ACTIONS: dict[str, tuple[str, int]] = {
    Stage.INTAKE: ("Первая встреча, записать историю", 0),
    Stage.VETTING: ("Собрать документы о службе для проверки", 3),
    Stage.PATHWAY: ("Выбрать путь защиты с юристом", 5),
    Stage.OUTREACH: ("Напомнить посольству о письме", -2),
    Stage.IN_TRANSIT: ("Проверить визу и билеты", 1),
    Stage.PROTECTED: ("Спросить, как дела на новом месте", 30),
    Stage.CLOSED: ("", 0),
}

PIPELINE: list[str] = [
    Stage.INTAKE,
    Stage.VETTING,
    Stage.PATHWAY,
    Stage.OUTREACH,
    Stage.IN_TRANSIT,
    Stage.PROTECTED,
]


@dataclass(frozen=True)
class DemoPerson:
    pseudonym: str
    stage: str
    city: str
    country: str
    arrived_days_ago: int
    risk: str
    identity: dict[str, Any]
    unit: str
    rank: str
    branch: str
    service_type: str
    left_how: str
    articles: tuple[str, ...]
    wanted: str
    assignee: str = "astana-coordinator"
    closed_reason: str = ""


def _identity(
    surname: str,
    given: str,
    patronymic: str,
    latin: tuple[str, str],
    born: str,
    birthplace: str,
    passport: str,
    phone: str,
    handle: str,
) -> dict[str, Any]:
    return {
        "surname": surname,
        "given_name": given,
        "patronymic": patronymic,
        "surname_latin": latin[0],
        "given_name_latin": latin[1],
        "birth_date": date.fromisoformat(born),
        "birthplace": birthplace,
        "documents": [{"kind": "загранпаспорт", "number": passport}],
        "phone": phone,
        "messengers": [{"app": "Signal", "handle": handle}],
    }


ASTANA_PEOPLE = [
    DemoPerson(
        "Funker",
        Stage.OUTREACH,
        "Astana",
        "KZ",
        240,
        "high",
        _identity(
            "Канарейкин",
            "Алексей",
            "Викторович",
            ("KANAREIKIN", "ALEKSEI"),
            "1996-03-14",
            "Мурманская обл.",
            "75 0000001",
            "+7 700 000 0001",
            "@funker_demo",
        ),
        "в/ч 00001 (вымышленная), батальон связи",
        "лейтенант",
        "ground",
        "officer",
        "deserted",
        ("337", "338"),
        "wanted_ru",
    ),
    DemoPerson(
        "Rambo",
        Stage.VETTING,
        "Astana",
        "KZ",
        210,
        "critical",
        _identity(
            "Снегирёв",
            "Павел",
            "Андреевич",
            ("SNEGIREV", "PAVEL"),
            "1996-07-02",
            "Новосибирск",
            "75 0000002",
            "+7 700 000 0002",
            "@rambo_demo",
        ),
        "отдельная бригада спецназа (вымышленная)",
        "старший лейтенант",
        "special",
        "officer",
        "deserted",
        ("338",),
        "wanted_ru",
    ),
    DemoPerson(
        "Tankist",
        Stage.PATHWAY,
        "Astana",
        "KZ",
        180,
        "high",
        _identity(
            "Журавлёв",
            "Илья",
            "Сергеевич",
            ("ZHURAVLEV", "ILIA"),
            "2000-01-20",
            "Тула",
            "75 0000003",
            "+7 700 000 0003",
            "@tank_demo",
        ),
        "танковый полк (вымышленный)",
        "лейтенант",
        "ground",
        "officer",
        "awol",
        ("337",),
        "case_opened",
    ),
    DemoPerson(
        "Artillerist",
        Stage.INTAKE,
        "Almaty",
        "KZ",
        12,
        "medium",
        _identity(
            "Синицын",
            "Денис",
            "Олегович",
            ("SINITSYN", "DENIS"),
            "1994-11-05",
            "Самара",
            "75 0000004",
            "+7 700 000 0004",
            "@art_demo",
        ),
        "артиллерийская бригада (вымышленная)",
        "капитан",
        "ground",
        "officer",
        "avoided",
        ("337",),
        "unknown",
    ),
    DemoPerson(
        "Khudozhnik",
        Stage.IN_TRANSIT,
        "Astana",
        "KZ",
        300,
        "medium",
        _identity(
            "Клестов",
            "Роман",
            "Игоревич",
            ("KLESTOV", "ROMAN"),
            "1997-05-30",
            "Казань",
            "75 0000005",
            "+7 700 000 0005",
            "@artist_demo",
        ),
        "мотострелковый полк (вымышленный)",
        "лейтенант",
        "ground",
        "officer",
        "avoided",
        (),
        "not_wanted",
    ),
    DemoPerson(
        "Sever",
        Stage.PROTECTED,
        "Astana",
        "KZ",
        420,
        "low",
        _identity(
            "Чижов",
            "Антон",
            "Павлович",
            ("CHIZHOV", "ANTON"),
            "1993-02-11",
            "Архангельск",
            "75 0000006",
            "+7 700 000 0006",
            "@sever_demo",
        ),
        "бригада морской пехоты (вымышленная)",
        "сержант",
        "navy",
        "contract",
        "from_leave",
        ("337",),
        "wanted_ru",
    ),
    DemoPerson(
        "Dozhd",
        Stage.CLOSED,
        "Uralsk",
        "KZ",
        380,
        "low",
        _identity(
            "Дроздов",
            "Кирилл",
            "Евгеньевич",
            ("DROZDOV", "KIRILL"),
            "1999-09-09",
            "Саратов",
            "75 0000007",
            "+7 700 000 0007",
            "@rain_demo",
        ),
        "полк ВДВ (вымышленный)",
        "рядовой",
        "airborne",
        "mobilized",
        "deserted",
        ("338",),
        "wanted_ru",
        closed_reason="lost_contact",
    ),
    DemoPerson(
        "Volk",
        Stage.INTAKE,
        "Astana",
        "KZ",
        3,
        "high",
        _identity(
            "Щеглов",
            "Максим",
            "Юрьевич",
            ("SHCHEGLOV", "MAKSIM"),
            "1991-12-01",
            "Омск",
            "75 0000008",
            "+7 700 000 0008",
            "@volk_demo",
        ),
        "мобилизованный стрелковый батальон (вымышленный)",
        "рядовой",
        "ground",
        "mobilized",
        "from_leave",
        ("337",),
        "case_opened",
        assignee="astana-volunteer",
    ),
    DemoPerson(
        "Lis",
        Stage.VETTING,
        "Astana",
        "KZ",
        95,
        "medium",
        _identity(
            "Свиристелев",
            "Глеб",
            "Николаевич",
            ("SVIRISTELEV", "GLEB"),
            "1998-04-18",
            "Пермь",
            "75 0000009",
            "+7 700 000 0009",
            "@lis_demo",
        ),
        "инженерный батальон (вымышленный)",
        "младший сержант",
        "ground",
        "contract",
        "awol",
        ("337",),
        "wanted_ru",
        assignee="astana-caseworker",
    ),
    DemoPerson(
        "Grach",
        Stage.PATHWAY,
        "Almaty",
        "KZ",
        150,
        "medium",
        _identity(
            "Грачёв",
            "Степан",
            "Ильич",
            ("GRACHEV", "STEPAN"),
            "1995-08-23",
            "Воронеж",
            "75 0000010",
            "+7 700 000 0010",
            "@grach_demo",
        ),
        "полк связи (вымышленный)",
        "ефрейтор",
        "ground",
        "conscript",
        "avoided",
        (),
        "not_wanted",
        assignee="astana-caseworker",
    ),
    DemoPerson(
        "Sokol",
        Stage.OUTREACH,
        "Astana",
        "KZ",
        260,
        "high",
        _identity(
            "Соколов",
            "Артём",
            "Владимирович",
            ("SOKOLOV", "ARTEM"),
            "1992-06-06",
            "Екатеринбург",
            "75 0000011",
            "+7 700 000 0011",
            "@sokol_demo",
        ),
        "авиационный полк (вымышленный)",
        "старший лейтенант",
        "aerospace",
        "officer",
        "deserted",
        ("338",),
        "interstate",
    ),
    DemoPerson(
        "Kedr",
        Stage.IN_TRANSIT,
        "Astana",
        "KZ",
        330,
        "medium",
        _identity(
            "Кедров",
            "Никита",
            "Аркадьевич",
            ("KEDROV", "NIKITA"),
            "1990-10-10",
            "Томск",
            "75 0000012",
            "+7 700 000 0012",
            "@kedr_demo",
        ),
        "бригада материального обеспечения (вымышленная)",
        "прапорщик",
        "ground",
        "contract",
        "deserted",
        ("338",),
        "wanted_ru",
    ),
    DemoPerson(
        "Pryanik",
        Stage.INTAKE,
        "Astana",
        "KZ",
        1,
        "medium",
        _identity(
            "Пряхин",
            "Тимур",
            "Рашидович",
            ("PRIAKHIN", "TIMUR"),
            "2003-02-28",
            "Уфа",
            "75 0000013",
            "+7 700 000 0013",
            "@pryanik_demo",
        ),
        "",
        "",
        "",
        "draft_evader",
        "avoided",
        (),
        "unknown",
        assignee="astana-volunteer",
    ),
]

YEREVAN_PEOPLE = [
    DemoPerson(
        "Ararat",
        Stage.INTAKE,
        "Yerevan",
        "AM",
        20,
        "medium",
        _identity(
            "Воронов",
            "Олег",
            "Петрович",
            ("VORONOV", "OLEG"),
            "1995-01-15",
            "Ростов-на-Дону",
            "75 0000101",
            "+374 00 000101",
            "@ararat_demo",
        ),
        "мотострелковая бригада (вымышленная)",
        "сержант",
        "ground",
        "mobilized",
        "from_leave",
        ("337",),
        "case_opened",
        assignee="yerevan-coordinator",
    ),
    DemoPerson(
        "Sevan",
        Stage.VETTING,
        "Yerevan",
        "AM",
        140,
        "high",
        _identity(
            "Лебедев",
            "Игорь",
            "Семёнович",
            ("LEBEDEV", "IGOR"),
            "1989-07-07",
            "Краснодар",
            "75 0000102",
            "+374 00 000102",
            "@sevan_demo",
        ),
        "полк ВДВ (вымышленный)",
        "капитан",
        "airborne",
        "officer",
        "deserted",
        ("338",),
        "wanted_ru",
        assignee="yerevan-coordinator",
    ),
    DemoPerson(
        "Dilijan",
        Stage.OUTREACH,
        "Gyumri",
        "AM",
        260,
        "medium",
        _identity(
            "Голубев",
            "Ян",
            "Маркович",
            ("GOLUBEV", "IAN"),
            "2001-03-03",
            "Волгоград",
            "75 0000103",
            "+374 00 000103",
            "@dilijan_demo",
        ),
        "",
        "",
        "",
        "draft_evader",
        "avoided",
        (),
        "unknown",
        assignee="yerevan-coordinator",
    ),
]


def _ensure_org(name: str) -> Organization:
    org = Organization.objects.filter(name=name).first()
    return org or accounts.create_organization(actor=None, name=name)


def _ensure_account(
    org: Organization, username: str, role: str, language: str
) -> tuple[User, str, TOTPDevice]:
    """Create the account if needed; always give it a fresh password, printed once."""
    password = accounts.generate_password()
    user = User.objects.filter(username=username).first()
    if user is None:
        user, _ = accounts.create_user(
            actor=None,
            organization=org,
            username=username,
            role=role,
            password=password,
            language=language,
        )
    else:
        accounts.change_password(actor=None, user=user, new_password=password)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Tropa", confirmed=True)
    return user, password, device


def _add_case(org: Organization, person: DemoPerson, staff: dict[str, User], actor: User) -> Case:
    """Create a case as ``actor`` (a coordinator: volunteers may not write cases)."""
    today = timezone.localdate()
    case = cases.create_case(
        actor=actor,
        organization=org,
        pseudonym=person.pseudonym,
        country=person.country,
        city=person.city,
        arrived_on=today - timedelta(days=person.arrived_days_ago),
        risk=person.risk,
        assignee=staff.get(person.assignee),
        next_action=NEXT_ACTIONS[person.stage][0],
        next_action_on=(
            today + timedelta(days=NEXT_ACTIONS[person.stage][1])
            if NEXT_ACTIONS[person.stage][0]
            else None
        ),
    )
    target = person.stage
    path = PIPELINE[1 : PIPELINE.index(target) + 1] if target in PIPELINE else PIPELINE[1:3]
    for stage in path:
        cases.move_stage(actor=actor, case=case, to_stage=stage)
    if target == Stage.CLOSED:
        cases.move_stage(actor=actor, case=case, to_stage=Stage.CLOSED, reason=person.closed_reason)
    cases.save_identity(actor=actor, person=case.person, data=person.identity)
    if person.unit or person.service_type:
        cases.save_service_record(
            actor=actor,
            person=case.person,
            branch=person.branch,
            unit=person.unit,
            rank=person.rank,
            service_type=person.service_type,
            left_how=person.left_how,
            left_on=today - timedelta(days=person.arrived_days_ago + 5),
            articles=list(person.articles),
            wanted_status=person.wanted,
        )
    return case


def _enrich_astana(by_name: dict[str, Case], staff: dict[str, User]) -> None:
    coordinator, volunteer = staff["astana-coordinator"], staff["astana-volunteer"]
    today = timezone.localdate()
    _enrich_funker(by_name["Funker"], coordinator, volunteer, today)
    _enrich_astana_arrivals(by_name, coordinator, volunteer, today)
    enrich_case_desk(by_name, staff)
    from tropa.testimony.demo import load_testimony_demo  # the testimony app's demo

    load_testimony_demo(by_name, staff)


def _enrich_funker(funker: Case, coordinator: User, volunteer: User, today: date) -> None:
    """The settled case: deployments, notes, needs, support given, family and tasks."""
    cases.add_deployment(
        actor=coordinator,
        person=funker.person,
        place="Киевская обл.",
        start=date(2022, 2, 24),
        end=date(2022, 3, 30),
    )
    cases.add_note(
        actor=coordinator,
        case=funker,
        text=(
            "Ведёт таблицу посольств: 29 запросов, чаще всего «нет ответа». "
            "Готов дать показания международным следователям."
        ),
    )
    cases.add_need(
        actor=coordinator,
        case=funker,
        kind="lodging",
        details="Нужна квартира с апреля, семья из трёх человек",
    )
    cases.record_support(
        actor=coordinator,
        case=funker,
        kind="money_out",
        given_on=today - timedelta(days=10),
        amount=Decimal("150000"),
        currency="KZT",
        details="Аренда за месяц",
    )
    cases.record_support(
        actor=coordinator,
        case=funker,
        kind="lodging",
        given_on=today - timedelta(days=40),
        details="ул. Вымышленная 1, кв. 1 (демо)",
    )
    cases.add_family_member(
        actor=coordinator, case=funker, relation="spouse", name="Канарейкина Мария", birth_year=1997
    )
    cases.add_family_member(
        actor=coordinator, case=funker, relation="child", name="Канарейкин Лев", birth_year=2021
    )
    cases.add_task(
        actor=coordinator,
        case=funker,
        title="Письмо в посольство Германии",
        due_on=today - timedelta(days=2),
        assignee=coordinator,
    )
    cases.add_task(
        actor=coordinator,
        case=funker,
        title="Отвезти продукты семье",
        due_on=today + timedelta(days=1),
        assignee=volunteer,
    )


def _enrich_astana_arrivals(
    by_name: dict[str, Case], coordinator: User, volunteer: User, today: date
) -> None:
    """The urgent cases: one detained and facing extradition, one who arrived yesterday."""
    rambo = by_name["Rambo"]
    alert = cases.raise_alert(
        actor=coordinator,
        case=rambo,
        kind="detained",
        details=(
            "Задержан полицией на основании запроса о розыске из России. "
            "Содержится в изоляторе, грозит экстрадиция."
        ),
    )
    cases.tick_alert_item(actor=coordinator, alert=alert, item="lawyer_informed")
    cases.add_task(
        actor=coordinator, case=rambo, title="Передача в изолятор", due_on=today, assignee=volunteer
    )
    cases.add_need(actor=coordinator, case=rambo, kind="legal", details="Адвокат по экстрадиции")
    volk = by_name["Volk"]
    cases.add_need(actor=coordinator, case=volk, kind="lodging", details="Прибыл вчера")
    cases.add_task(
        actor=coordinator, case=volk, title="Встретить и заселить", due_on=today, assignee=volunteer
    )


def load_demo() -> list[tuple[str, str, str, str, str]]:
    """Load the demo (once) and return each account with a fresh password and its TOTP key.

    Returns rows of (organization, user name, role, password, base32 TOTP secret).
    """
    rows = []
    with transaction.atomic():
        orgs = {ASTANA: _ensure_org(ASTANA), YEREVAN: _ensure_org(YEREVAN)}
        staff: dict[str, User] = {}
        for org_name, username, role, language in ACCOUNTS:
            user, password, device = _ensure_account(orgs[org_name], username, role, language)
            staff[username] = user
            secret = b32encode(device.bin_key).decode().rstrip("=")
            rows.append((org_name, username, str(Role(role).label), password, secret))
        for org_name, people in ((ASTANA, ASTANA_PEOPLE), (YEREVAN, YEREVAN_PEOPLE)):
            org = orgs[org_name]
            if Case.objects.filter(organization=org).exists():
                continue
            coordinator = staff[
                "astana-coordinator" if org_name == ASTANA else "yerevan-coordinator"
            ]
            by_name = {p.pseudonym: _add_case(org, p, staff, coordinator) for p in people}
            from tropa.pathways.demo import enrich as enrich_pathways

            enrich_pathways(org, by_name, coordinator)
            if org_name == ASTANA:
                _enrich_astana(by_name, staff)
                _screen_against_the_demo_list(by_name[LISTED_PSEUDONYM], coordinator)
        rows += __import__("tropa.vetting.demo").vetting.demo.load_vetting_demo(orgs[ASTANA])
        __import__("tropa.intake.demo").intake.demo.load_intake_demo(orgs[ASTANA])
        rows += __import__("tropa.sharing.demo").sharing.demo.load_sharing_demo(orgs)
        rows += __import__("tropa.retention.demo").retention.demo.load_retention_demo(orgs[ASTANA])
    return rows


def _screen_against_the_demo_list(case: Case, coordinator: User) -> None:
    from tropa.screening import services as screening

    screening.import_list(actor=None, path=WATCHLIST_FILE, name=WATCHLIST_NAME)
    screening.screen_case(actor=coordinator, case=case)


def newcomer_link() -> tuple[str, str] | None:
    """The demo account that has not signed in yet, and a fresh one-time link path for it;
    None once its user has set up the authenticator."""
    org_name, username, role, language = NEWCOMER
    user = User.objects.filter(username=username).first()
    if user is None:
        org = Organization.objects.get(name=org_name)
        _user, token = accounts.enrol_from_shell(
            organization=org, username=username, role=role, language=language
        )
    elif TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return None
    else:
        token = accounts.issue_enrolment(actor=None, user=user, reason=EnrolmentReason.NEW)
    return username, f"/accounts/enrol/{token}/"
