"""The old spreadsheet as it really is (issue 19, point 3), through the real upload path.

``files/old_spreadsheet.csv`` is what a coordinator in Astana keeps: Windows-1251, Russian
headers, channels written six ways, a sender column, answers without dates, and institutions
named in Russian and German while the directory has them in English.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time
from openpyxl import Workbook

from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.outreach import importer, services, stats, tables
from tropa.outreach.models import ImportStaging, Institution, Request, Status
from tropa.outreach.services import NEW_INSTITUTION, read_letter

FILES = Path(__file__).parent / "files"
SHEET = (FILES / "old_spreadsheet.csv").read_bytes()
TODAY = "2026-01-15 09:00"
# Channel values in the order the file first uses them, with what Tropa proposes.
CHANNELS = [
    ("эл. почта", "email"),
    ("e-mail", "email"),
    ("telegram", "messenger"),
    ("лично", "in_person"),
    ("почта", "letter"),
    ("факс", "fax"),
    ("через знакомых", ""),  # unknown: the user must choose
    ("телеграм", "messenger"),
]


def _upload(client: Client, content: bytes, name: str = "sheet.csv") -> ImportStaging:
    upload = io.BytesIO(content)
    upload.name = name
    response = client.post(reverse("outreach:import_upload"), {"file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportStaging.objects.unscoped().get()


def _selects(page: str) -> dict[str, str]:
    """Every select of the page with its selected value ('' when none is selected)."""
    found = {}
    for name, body in re.findall(r'<select name="(\w+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        found[name] = chosen.group(1) if chosen else ""
    return found


def _form(page: str) -> dict[str, str]:
    """The preview form as the browser would submit it, unchanged."""
    return dict(_selects(page))


@pytest.fixture
def directory(coordinator: User, astana: Organization) -> dict[str, Institution]:
    services.load_starter_set(actor=coordinator, organization=astana, city="Astana")
    return {i.name: i for i in Institution.objects.filter(organization=astana)}


@pytest.fixture
def client(coordinator: User, signed_in: Callable[[User], Client]) -> Client:
    return signed_in(coordinator)


@freeze_time(TODAY)
def test_every_channel_is_proposed_and_an_unknown_one_must_be_chosen(
    client: Client, directory: dict[str, Institution]
) -> None:
    staging = _upload(client, SHEET)
    url = reverse("outreach:import_preview", args=[staging.code])
    page = client.get(url).content.decode()
    selects = _selects(page)
    proposed = [(key, selects[f"channel_{i}"]) for i, (key, _c) in enumerate(CHANNELS)]
    assert proposed == CHANNELS
    for key, _c in CHANNELS:
        assert f">{key}</label>" in page

    # Importing as proposed is refused: "через знакомых" has no channel yet.
    response = client.post(url, {**_form(page), "action": "import"})
    assert response.status_code == 200
    assert "choose the channel for “через знакомых”" in response.content.decode()
    assert not Request.objects.unscoped().exists() and len(directory) == 12

    form = {**_form(page), "channel_6": "in_person", "action": "import"}
    assert client.post(url, form).status_code == 302
    channels = dict(Request.objects.unscoped().values_list("sent_on", "channel"))
    assert channels[date(2025, 10, 3)] == "email"  # "эл. почта" is not a postal letter
    assert channels[date(2025, 10, 11)] == "messenger"  # nor is Telegram an e-mail
    assert channels[date(2025, 10, 20)] == "letter"
    assert channels[date(2025, 11, 1)] == "fax"
    assert channels[date(2025, 11, 7)] == "in_person"


@freeze_time(TODAY)
def test_institutions_are_matched_across_languages_for_confirmation(
    client: Client, directory: dict[str, Institution], astana: Organization
) -> None:
    staging = _upload(client, SHEET)
    url = reverse("outreach:import_preview", args=[staging.code])
    page = client.get(url).content.decode()
    selects = _selects(page)
    names = [n.name for n in importer.distinct_institutions(*services.staged(staging)[:2])]
    chosen = {name: selects[f"institution_{i}"] for i, name in enumerate(names)}
    germany = str(directory["Embassy of Germany in Astana"].code)
    assert chosen == {
        "Посольство Германии в Астане": germany,
        "Посольство Франции в Астане": str(directory["Embassy of France in Astana"].code),
        "УВКБ ООН Астана": str(directory["UNHCR Astana"].code),
        "Фонд «Свободные люди»": NEW_INSTITUTION,
        "Deutsche Botschaft Astana": germany,
        # No city in the row, and Sweden has embassies in two starter cities: no guess.
        "Посольство Швеции": NEW_INSTITUTION,
    }
    assert "proposed: Embassy of Germany in Astana · Astana" in page
    assert not Request.objects.unscoped().exists()  # a proposal is never applied by itself

    # The user confirms, corrects one (Sweden: the Astana embassy) and imports.
    form = {
        **_form(page),
        "channel_6": "in_person",
        f"institution_{names.index('Посольство Швеции')}": str(
            directory["Embassy of Sweden in Astana"].code
        ),
        "action": "import",
    }
    assert client.post(url, form).status_code == 302
    by_institution = dict(
        Request.objects.unscoped().values_list("institution__name").annotate(n=Count("*"))
    )
    assert by_institution == {
        "Embassy of Germany in Astana": 4,
        "Embassy of France in Astana": 1,
        "UNHCR Astana": 1,
        "Embassy of Sweden in Astana": 1,
        "Фонд «Свободные люди»": 1,
    }
    assert Institution.objects.filter(organization=astana).count() == 13  # one created


@freeze_time(TODAY)
def test_a_user_may_create_a_new_institution_instead_of_the_proposal(
    client: Client, directory: dict[str, Institution]
) -> None:
    staging = _upload(client, SHEET)
    url = reverse("outreach:import_preview", args=[staging.code])
    page = client.get(url).content.decode()
    form = {**_form(page), "channel_6": "phone", "institution_4": NEW_INSTITUTION}
    assert client.post(url, {**form, "action": "import"}).status_code == 302
    created = Request.objects.unscoped().get(sent_on=date(2025, 11, 1)).institution
    assert created.name == "Deutsche Botschaft Astana" and created.pk not in {
        i.pk for i in directory.values()
    }


def _import_sheet(client: Client, content: bytes = SHEET, **extra: str) -> str:
    staging = _upload(client, content)
    url = reverse("outreach:import_preview", args=[staging.code])
    page = client.get(url).content.decode()
    response = client.post(
        url, {**_form(page), "channel_6": "in_person", **extra, "action": "import"}, follow=True
    )
    assert response.redirect_chain, response.content.decode()[:3000]
    return response.content.decode()


@freeze_time(TODAY)
def test_imported_rows_are_history_sent_by_the_sheets_person(
    client: Client, directory: dict[str, Institution], coordinator: User, astana: Organization
) -> None:
    _import_sheet(client)

    requests = Request.objects.unscoped().order_by("sent_on")
    assert all(r.imported and r.sent_by is None for r in requests)
    first = requests[0]
    assert read_letter(actor=coordinator, request=first)["sender"] == "Марина К."
    page = client.get(first.get_absolute_url()).content.decode()
    assert "Марина К." in page and coordinator.username not in page.split("Sent by")[1][:200]
    # The sender's name is sealed, not a column anyone can read.
    assert "Марина".encode() not in bytes(first.sealed)
    # Months-old "нет ответа" is not due for a follow-up, and the hourly rule leaves it alone.
    assert requests.filter(status=Status.NO_ANSWER).count() == 4
    assert client.get(reverse("outreach:index")).context["due_count"] == 0
    assert services.run_followups(today=date(2026, 1, 15)) == 0
    assert not requests.filter(followup_done_at__isnull=True).exists()


@freeze_time(TODAY)
def test_answers_without_a_date_stay_unknown_and_out_of_the_median(
    client: Client, directory: dict[str, Institution], astana: Organization
) -> None:
    _import_sheet(client)
    france = Request.objects.unscoped().get(institution__name="Embassy of France in Astana")
    assert (france.status, france.first_answer_on, france.days_to_answer) == (
        Status.ACKNOWLEDGED,
        None,
        None,
    )
    assert stats.institution_summary(france.institution).median_days is None
    # Dated answers only: Germany refused after 3 days, Sweden met after 5.
    numbers = stats.compute(astana.pk)
    assert numbers.total.median_days == 4


@freeze_time(TODAY)
def test_the_user_may_say_the_imported_requests_are_due_for_follow_ups(
    client: Client, directory: dict[str, Institution]
) -> None:
    _import_sheet(client, follow_up="on")
    due = Request.objects.unscoped().filter(status=Status.NO_ANSWER, followup_done_at=None)
    assert due.count() == 4
    entry = AuditEntry.objects.get(action="outreach.imported")
    assert entry.detail["follow_up"] is True and entry.detail["rows"] == 8


@freeze_time(TODAY)
def test_reimporting_the_same_file_adds_nothing_and_says_which_rows_were_there(
    client: Client, directory: dict[str, Institution]
) -> None:
    _import_sheet(client)
    staging = _upload(client, SHEET)
    url = reverse("outreach:import_preview", args=[staging.code])
    page = client.get(url).content.decode()
    assert "8 rows of this file were imported before and will be left out" in page
    assert "2, 3, 4, 5, 6, 7, 8, 9" in page
    response = client.post(
        url, {**_form(page), "channel_6": "in_person", "action": "import"}, follow=True
    )
    assert "Imported 0 requests" in response.content.decode()
    assert "8 rows were already imported and were left out (lines 2, 3, 4" in (
        response.content.decode()
    )
    assert Request.objects.unscoped().count() == 8
    assert AuditEntry.objects.filter(action="outreach.imported").last().detail["already"] == 8


@freeze_time(TODAY)
def test_an_overlapping_workbook_imports_only_its_new_rows(
    client: Client, directory: dict[str, Institution]
) -> None:
    _import_sheet(client)
    text = SHEET.decode("cp1251").splitlines()
    workbook = Workbook()
    sheet = workbook.active
    for line in [text[0], text[1], text[3]]:  # two rows seen before, as a workbook
        sheet.append(line.split(";"))
    sheet.append(["01.12.2025", "Посольство Германии в Астане", "Астана", "Германия", "",
                  "эл. почта", "Олег", "нет ответа", "", "третье письмо"])  # fmt: skip
    data = io.BytesIO()
    workbook.save(data)
    staging = _upload(client, data.getvalue(), "sheet.xlsx")
    url = reverse("outreach:import_preview", args=[staging.code])
    page = client.get(url).content.decode()
    assert "2 rows of this file were imported before" in page
    response = client.post(url, {**_form(page), "action": "import"}, follow=True)
    assert "Imported 1 request;" in response.content.decode()
    assert Request.objects.unscoped().count() == 9


@freeze_time(TODAY)
def test_the_fingerprint_is_keyed_per_organization_and_names_nothing(
    client: Client,
    directory: dict[str, Institution],
    yerevan: Organization,
    astana: Organization,
) -> None:
    canary = "03.10.2025;Фонд Канарейкин;;;;эл. почта;Марина;нет ответа;;\r\n"
    content = SHEET.decode("cp1251").splitlines()[0] + "\r\n" + canary
    _import_sheet(client, content.encode("cp1251"))
    request = Request.objects.unscoped().get()
    assert re.fullmatch(r"[0-9a-f]{64}", request.import_fingerprint)
    table = tables.read_table(content.encode("cp1251"))
    parsed = importer.parse_rows(
        table,
        importer.guess_mapping(table.header),
        {"нет ответа": "no_answer"},
        date(2026, 1, 15),
        {"эл. почта": "email"},
    )
    # The same row in another organization has another fingerprint: no cross-org lookups.
    contents = [row.content for row in parsed.rows]
    assert services.fingerprints(astana, contents) == [request.import_fingerprint]
    assert services.fingerprints(yerevan, contents) != [request.import_fingerprint]


@freeze_time(TODAY)
def test_a_bad_file_names_row_and_column_and_imports_nothing(
    client: Client, directory: dict[str, Institution]
) -> None:
    staging = _upload(client, (FILES / "bad_dates.csv").read_bytes())
    page = client.get(reverse("outreach:import_preview", args=[staging.code])).content.decode()
    assert "2 bad rows. Nothing is imported until every row is right." in page
    row = r"<tr><td class=\"num\">{}</td><td>{}</td><td>{}"
    assert re.search(row.format(3, "Дата отправки", "The date “31.02.2025” does not exist"), page)
    assert re.search(row.format(4, "Куда писали", "no institution"), page)
    assert re.search(row.format(4, "Дата ответа", "“вчера” is not a date"), page)
    assert 'value="import" class="primary" disabled' in page


def test_a_file_without_the_needed_columns_says_which(
    client: Client, directory: dict[str, Institution]
) -> None:
    staging = _upload(client, "Когда;Канал\n01.03.2025;e-mail\n".encode())
    page = client.get(reverse("outreach:import_preview", args=[staging.code])).content.decode()
    assert "No column holds the institution." in page


@pytest.mark.parametrize(
    "data",
    [
        "Дата;Организация\n01.03.2025;Посольство\n".encode("utf-16-le"),  # no BOM
        b"\x00\x01\x02binary\x00",
    ],
)
def test_a_file_in_an_unreadable_encoding_is_refused_clearly(
    client: Client, data: bytes, directory: dict[str, Institution]
) -> None:
    upload = io.BytesIO(data)
    upload.name = "sheet.csv"
    response = client.post(reverse("outreach:import_upload"), {"file": upload})
    assert response.status_code == 200
    assert "neither UTF-8, UTF-16 nor Windows-1251 text" in response.content.decode()
    assert not ImportStaging.objects.unscoped().exists()


@pytest.mark.parametrize("encoding", ["utf-16", "koi8_r", "cp1251", "utf-8-sig"])
def test_the_encodings_spreadsheets_are_saved_in_are_read(encoding: str) -> None:
    text = "Дата;Куда писали\n01.03.2025;Посольство Германии в Астане\n"
    table = tables.read_table(text.encode(encoding))
    assert table.rows[0][1][1] == "Посольство Германии в Астане"


@freeze_time(TODAY)
def test_nothing_is_half_imported_when_a_chosen_institution_is_gone(
    client: Client, directory: dict[str, Institution], astana: Organization
) -> None:
    staging = _upload(client, SHEET)
    url = reverse("outreach:import_preview", args=[staging.code])
    page = client.get(url).content.decode()
    client.post(url, {**_form(page), "channel_6": "in_person", "action": "check"})
    directory["UNHCR Astana"].delete()  # removed by a colleague meanwhile
    response = client.post(url, {**_form(page), "channel_6": "in_person", "action": "import"})
    assert "A chosen institution is no longer in the directory." in response.content.decode()
    assert not Request.objects.unscoped().exists()
    # Nor any of the institutions the file would have created.
    assert not Institution.objects.filter(organization=astana, name__startswith="Фонд").exists()
