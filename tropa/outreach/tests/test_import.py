"""Bringing the old spreadsheet in: the radio operator's 29 rows, as people really keep them."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.cases.models import Case
from tropa.outreach import importer
from tropa.outreach.models import ImportStaging, Institution, Request, Status, StatusChange
from tropa.outreach.services import note_of, read_letter

HEADER = "Дата;Организация;Страна;Контактное лицо;Канал;Ответ;Дата ответа;Комментарий"

# Eight months of writing, as in the SPIEGEL article: most answers are "no answer".
ROWS = [
    "03.10.2022;Посольство Великобритании;Великобритания;;e-mail;нет ответа;;",
    "03.10.2022;Посольство Канады;Канада;;e-mail;нет ответа;;",
    "04.10.2022;Посольство Франции;Франция;;e-mail;Нет ответа;;",
    "05.10.2022;Посольство Швеции;Швеция;;e-mail;нет ответа;;",
    "05.10.2022;Посольство Швейцарии;Швейцария;;письмо;нет ответа;;",
    '10.10.2022;Pro Asyl;Германия;;e-mail;"ответили, просят документы";14.10.2022;',
    "11.10.2022;Amnesty International;;;e-mail;нет ответа;;",
    "12.10.2022;Human Rights First;США;;веб-форма;нет ответа;;",
    "15.10.2022;Фонд Фридриха Эберта;Германия;;e-mail;нет ответа;;",
    "15.10.2022;Фонд Конрада Аденауэра;Германия;;e-mail;нет ответа;;",
    "20.10.2022;Красный Крест;;;телефон;перенаправили в офис в Алматы;21.10.2022;",
    "1.11.22;Посольство Германии;Германия;;e-mail;отказ: только на территории Германии;2.11.22;"
    '"ответ без подписи; убежище — только в Германии"',
    "07.11.2022;Посольство США;США;;лично;не в компетенции посольства;07.11.2022;",
    "14.11.2022;Посольство Великобритании;Великобритания;;e-mail;нет ответа;;повторно",
    "14.11.2022;Посольство Канады;Канада;;e-mail;нет ответа;;повторно",
    "21.11.2022;УВКБ ООН (UNHCR);;;лично;не в компетенции;21.11.2022;",
    "01.12.2022;Посольство Франции;Франция;Консул;e-mail;"
    '"подтвердили получение";05.12.2022;"письмо\nна двух языках"',
    "05.12.2022;Посольство Швеции;Швеция;;e-mail;нет ответа;;",
    "12.12.2022;Посольство Нидерландов;Нидерланды;;e-mail;нет ответа;;",
    "19.12.2022;Посольство Польши;Польша;;e-mail;нет ответа;;",
    "09.01.2023;Посольство Литвы;Литва;;e-mail;нет ответа;;",
    "16.01.2023;Посольство Германии;Германия;;e-mail;нет ответа;;",
    "23.01.2023;Посольство Чехии;Чехия;;e-mail;нет ответа;;",
    "06.02.2023;Посольство Италии;Италия;;e-mail;нет ответа;;",
    "13.02.2023;Посольство Испании;Испания;;e-mail;нет ответа;;",
    "20.02.2023;Посольство Норвегии;Норвегия;;e-mail;нет ответа;;",
    "06.03.2023;Посольство Финляндии;Финляндия;;e-mail;приглашение на встречу;10.03.2023;",
    '20.03.2023;Белый дом, пресс-секретарь;США;;e-mail;нет ответа;;"=HYPERLINK(""x"")"',
    "27.03.2023;Апостольская нунциатура;Ватикан;;письмо;;;",
]


def _write(tmp_path: Path, lines: list[str], name: str = "funker.csv") -> Path:
    path = tmp_path / name
    path.write_bytes("\r\n".join(lines).encode("cp1251") + b"\r\n")
    return path


def _import(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("outreach", "import", str(path), "--org", "Astana", *args, stdout=out)
    return out.getvalue()


@freeze_time("2023-04-01 09:00")
def test_it_imports_a_windows_1251_semicolon_file_with_russian_headers(
    astana: Organization, tmp_path: Path
) -> None:
    output = _import(_write(tmp_path, [HEADER, *ROWS]))

    assert "windows-1251, delimiter ';', 29 rows" in output
    assert "imported 29 rows; institutions created: 24" in output
    assert Request.objects.filter(organization=astana).count() == 29
    assert "no_answer 21" in output and "pending 1" in output
    germany = Institution.objects.get(name="Посольство Германии")
    assert (germany.kind, germany.country) == ("embassy", "DE")
    assert Institution.objects.get(name="Фонд Фридриха Эберта").kind == "foundation"
    assert Institution.objects.get(name="УВКБ ООН (UNHCR)").kind == "un"
    refused = Request.objects.unscoped().get(institution=germany, sent_on=date(2022, 11, 1))
    assert (refused.status, refused.days_to_answer) == (Status.REFUSED, 1)
    assert "убежище — только в Германии" in read_letter(actor=None, request=refused)["body"]
    assert Request.objects.unscoped().get(institution__name="Pro Asyl").status == Status.ASKED_MORE
    assert (
        Request.objects.unscoped().get(institution__name="Красный Крест").status == Status.REFERRED
    )
    assert (
        Request.objects.unscoped().get(institution__name="Посольство Финляндии").status
        == Status.MEETING
    )
    # The spreadsheet's answer text stays with the status change, sealed.
    change = StatusChange.objects.get(request__institution__name="Pro Asyl", status="asked_more")
    assert note_of(change) == "ответили, просят документы"
    # Formulas are kept as the text they are.
    white_house = Request.objects.unscoped().get(institution__name__startswith="Белый дом")
    assert read_letter(actor=None, request=white_house)["body"] == '=HYPERLINK("x")'
    entry = AuditEntry.objects.get(action="outreach.imported")
    assert entry.detail["rows"] == 29 and "Германии" not in str(entry.detail)


@freeze_time("2023-04-01 09:00")
def test_it_turns_old_unanswered_rows_into_no_answer_without_case_tasks(
    astana: Organization, canary_case: Case, tmp_path: Path
) -> None:
    _import(_write(tmp_path, [HEADER, *ROWS]), "--case", str(canary_case.code))

    nunciature = Request.objects.unscoped().get(institution__name="Апостольская нунциатура")
    assert nunciature.status == Status.PENDING  # sent five days ago: still waiting
    assert Request.objects.unscoped().filter(case=canary_case).count() == 29
    assert not canary_case.tasks.exists()
    assert not Request.objects.unscoped().filter(
        status="no_answer", followup_created_at__isnull=True
    )


def test_it_refuses_a_malformed_file_and_lists_every_bad_line(
    astana: Organization, tmp_path: Path
) -> None:
    lines = [
        HEADER,
        ROWS[0],  # line 2: fine
        "31.02.2023;Посольство Канады;Канада;;e-mail;нет ответа;;",  # 3: impossible date
        ROWS[16],  # lines 4-5: one row over two lines
        "05.10.2022;Посольство Швеции;Швеция;e-mail;нет ответа",  # 6: five fields
        "11.10.2022;Amnesty;;;e-mail;перезвонить в четверг;;",  # 7: unknown answer
        "yesterday;;;;e-mail;нет ответа;;",  # 8: no date, no institution
    ]
    with pytest.raises(CommandError, match="4 bad rows: nothing imported"):
        err = io.StringIO()
        call_command(
            "outreach", "import", str(_write(tmp_path, lines)), "--org", "Astana", stderr=err
        )
    listed = err.getvalue()
    # Each problem names its line and the file's own column header.
    assert "line 3, column 'Дата': The date “31.02.2023” does not exist." in listed
    assert "line 6: expected 8 fields, found 5" in listed
    assert "line 7, column 'Ответ': unknown answer “перезвонить в четверг”" in listed
    assert "line 8, column 'Дата': “yesterday” is not a date" in listed
    assert "line 8, column 'Организация': no institution" in listed
    assert "line 2" not in listed and "line 4" not in listed
    assert not Request.objects.unscoped().exists() and not Institution.objects.exists()


def test_it_imports_unknown_answers_once_they_are_mapped(
    astana: Organization, tmp_path: Path
) -> None:
    path = _write(tmp_path, [HEADER, "11.10.2022;Amnesty;;;e-mail;перезвонить в четверг;;"])
    output = _import(path, "--answer", "Перезвонить в четверг=acknowledged")
    assert "statuses: acknowledged 1" in output


def test_it_changes_nothing_on_a_dry_run(astana: Organization, tmp_path: Path) -> None:
    output = _import(_write(tmp_path, [HEADER, *ROWS]), "--dry-run")
    assert "would import 29 rows" in output
    assert not Request.objects.unscoped().exists() and not Institution.objects.exists()


def test_it_names_an_unknown_organization(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no organization named 'Nowhere'"):
        call_command("outreach", "import", str(tmp_path / "x.csv"), "--org", "Nowhere")


def test_it_reads_utf8_with_bom_commas_english_headers_and_iso_dates(
    astana: Organization, tmp_path: Path
) -> None:
    path = tmp_path / "advocates.csv"
    path.write_bytes(
        "\ufeffDate sent,Recipient,Contact person,Answer,Notes\n"
        "2023-02-01,Auswärtiges Amt,Referat 508,No reply,\n"
        '2023-02-03,Ombudsman of the Verkhovna Rada,,"Acknowledged, will look into it",\n'.encode()
    )
    output = _import(path, "--channel", "=email")  # no channel column: say which
    assert "utf-8, delimiter ','" in output
    assert (
        Request.objects.unscoped().get(institution__name="Auswärtiges Amt").contact.name
        == "Referat 508"
    )
    assert Institution.objects.get(name__startswith="Ombudsman").kind == "ombudsman"


def test_it_reads_xlsx_with_german_headers_and_date_cells(
    astana: Organization, tmp_path: Path
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Datum", "Empfänger", "Ansprechpartner", "Antwort", "Antwortdatum"])
    sheet.append([date(2023, 1, 10), "Bundestag, MdB", "Büro", "keine Antwort", None])
    sheet.append([date(2023, 1, 12), "Botschaft der Ukraine", None, "Termin", "20.01.2023"])
    path = tmp_path / "briefe.xlsx"
    workbook.save(path)

    output = _import(path, "--channel", "=letter")

    assert "file: xlsx" in output and "imported 2 rows" in output
    meeting = Request.objects.unscoped().get(institution__name="Botschaft der Ukraine")
    assert (meeting.status, meeting.days_to_answer) == ("meeting", 8)
    assert Institution.objects.get(name="Bundestag, MdB").kind == "parliament"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14.03.2023", date(2023, 3, 14)),
        ("4.3.23", date(2023, 3, 4)),
        ("2023-03-14", date(2023, 3, 14)),
        ("2023-03-14 10:22:00", date(2023, 3, 14)),
        (" 01/02/2023 ", date(2023, 2, 1)),
    ],
)
def test_it_reads_the_date_forms_people_use(text: str, expected: date) -> None:
    assert importer.parse_date(text) == expected


@pytest.mark.parametrize("text", ["29.02.2023", "2023-13-01", "14 March", "", "00.00.0000"])
def test_it_says_clearly_why_a_date_is_wrong(text: str) -> None:
    with pytest.raises(ValueError, match=r"does not exist|is not a date"):
        importer.parse_date(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=400),
        st.text(alphabet=st.sampled_from(list(';,"\n\r\t=-+@аяAZ0123456789.ё ')), max_size=300).map(
            lambda t: ("Дата;Организация;Ответ\n" + t).encode("utf-8")
        ),
        st.text(max_size=200).map(lambda t: t.encode("cp1251", errors="ignore")),
        st.just(b"PK\x03\x04not really a workbook"),
    )
)
def test_it_never_fails_on_odd_input_with_anything_but_a_clear_error(data: bytes) -> None:
    try:
        table = importer.read_table(data)
    except importer.ImportFileError as exc:
        assert str(exc)
        return
    mapping = importer.guess_mapping(table.header)
    answers = importer.suggested_answers(importer.distinct_answers(table, mapping))
    parsed = importer.parse_rows(table, mapping, answers, date(2026, 1, 1))
    assert all(error.line > 0 and error.reason for error in parsed.errors)
    assert len(parsed.rows) + len({e.line for e in parsed.errors}) == len(table.rows)


# Through the browser's preview ---------------------------------------------------------------


def _upload(client: Client, content: bytes) -> ImportStaging:
    response = client.post(
        reverse("outreach:import_upload"), {"file": io.BytesIO(content)}, format="multipart"
    )
    assert response.status_code == 302, response.content
    return ImportStaging.objects.unscoped().get()


def test_it_previews_corrects_the_mapping_and_imports_everything(
    coordinator: User, signed_in: Callable[[User], Client], astana: Organization
) -> None:
    client = signed_in(coordinator)
    content = "Когда;Кому отправляли;Что ответили\n01.03.2023;Посольство Швеции;молчат\n".encode(
        "cp1251"
    )
    staging = _upload(client, content)
    url = reverse("outreach:import_preview", args=[staging.code])
    page = client.get(url).content.decode()
    assert "Посольство Швеции" in page and "No column holds the institution." in page

    # Column 2 is the institution; the answer "молчат" means no answer.
    form = {"column_0": "sent_on", "column_1": "institution", "column_2": "answer"}
    page = client.post(url, {**form, "action": "check"}).content.decode()
    assert "unknown answer “молчат”" in page
    # No channel column: the one channel of every row is the user's to choose.
    assert "choose the channel for “”" in page
    response = client.post(url, {**form, "answer_0": "no_answer", "action": "import"})
    assert response.status_code == 200 and not Request.objects.unscoped().exists()
    form["channel_0"] = "letter"
    response = client.post(url, {**form, "answer_0": "no_answer", "action": "import"})

    assert response.status_code == 302
    request = Request.objects.unscoped().get()
    # Imported history: nobody in Tropa sent it, and it is not due for a follow-up.
    assert (request.institution.name, request.status, request.channel, request.sent_by) == (
        "Посольство Швеции",
        "no_answer",
        "letter",
        None,
    )
    assert request.imported and request.followup_done_at is not None
    assert not ImportStaging.objects.unscoped().exists()


def test_it_refuses_an_unreadable_upload_with_a_message(
    coordinator: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(coordinator)
    response = client.post(
        reverse("outreach:import_upload"),
        {"file": io.BytesIO(b"PK\x03\x04broken")},
        format="multipart",
    )
    assert response.status_code == 200
    assert "cannot be opened" in response.content.decode()
    assert not ImportStaging.objects.unscoped().exists()


def test_it_keeps_the_upload_sealed(coordinator: User, signed_in: Callable[[User], Client]) -> None:
    client = signed_in(coordinator)
    staging = _upload(client, "Дата;Организация\n01.03.2023;Канарейкин-фонд\n".encode())
    assert "Канарейкин".encode() not in bytes(staging.sealed)
    client.post(reverse("outreach:import_preview", args=[staging.code]), {"action": "discard"})
    assert not ImportStaging.objects.unscoped().exists()


@pytest.mark.parametrize(
    ("environment", "option", "expected"),
    [
        ({}, [], "The date “31.02.2023” does not exist."),
        ({"LANG": "C.UTF-8"}, [], "The date “31.02.2023” does not exist."),
        ({"LANG": "de_DE.UTF-8"}, [], "Das Datum „31.02.2023“ gibt es nicht."),
        ({"LANG": "de_DE.UTF-8", "LC_ALL": "fr_FR.UTF-8"}, [], "31.02.2023"),
        ({"LANG": "en_GB.UTF-8"}, ["--lang", "ru"], "Даты «31.02.2023» не существует."),
    ],
)
def test_the_import_speaks_the_operators_language_not_the_sites(
    astana: Organization,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    option: list[str],
    expected: str,
) -> None:
    from django.utils import translation

    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    lines = [HEADER, "31.02.2023;Посольство Канады;Канада;;e-mail;нет ответа;;"]
    err = io.StringIO()
    with translation.override("ru"), pytest.raises(CommandError):  # the site's default
        call_command(
            "outreach",
            "import",
            str(_write(tmp_path, lines)),
            "--org",
            "Astana",
            *option,
            stderr=err,
        )
    assert expected in err.getvalue()
    if "LC_ALL" in environment:  # LC_ALL wins over LANG
        assert "Das Datum" not in err.getvalue() and "The date" not in err.getvalue()
