"""`tropa demo`, `tropa cases list` and the production guard."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import CANARY
from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.cases import services
from tropa.cases.models import Alert, Case, Stage
from tropa.core.demo import LISTED_PSEUDONYM, WATCHLIST_NAME
from tropa.screening.models import ScreeningHit, WatchList


@pytest.fixture
def demo(db: Any) -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def test_the_demo_has_what_the_issue_asks_for(demo: str) -> None:
    astana = Organization.objects.get(name="Demo Astana")
    cases = Case.objects.filter(organization=astana)
    assert cases.count() >= 12
    assert set(cases.values_list("stage", flat=True)) == set(Stage.values)
    detained = Alert.objects.unscoped().filter(
        case__organization=astana, kind="detained", resolved_at__isnull=True
    )
    assert detained.count() == 1
    surnames = [services.reveal_identity(actor=None, person=c.person).get("surname") for c in cases]
    assert CANARY in surnames
    assert Case.objects.unscoped().filter(organization__name="Demo Yerevan").count() >= 3


def test_the_demo_prints_every_account_with_password_and_secret(demo: str) -> None:
    for username in (
        "astana-coordinator",
        "astana-caseworker",
        "astana-volunteer",
        "astana-verifier",
        "astana-admin",
        "yerevan-coordinator",
    ):
        line = next(line for line in demo.splitlines() if username in line)
        password, secret = line.split()[1], line.split()[3]
        user = User.objects.get(username=username)
        assert user.check_password(password)
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        assert len(secret) == 32 and device.config_url.find(secret) > 0


def test_loading_the_demo_twice_adds_nothing(demo: str) -> None:
    count = Case.objects.unscoped().count()
    call_command("demo", stdout=StringIO())
    assert Case.objects.unscoped().count() == count


def test_the_demo_code_is_the_current_totp(demo: str) -> None:
    out = StringIO()
    call_command("demo", "--code", "astana-coordinator", stdout=out)
    device = TOTPDevice.objects.get(user__username="astana-coordinator")
    assert device.verify_token(out.getvalue().strip()) is True
    with pytest.raises(CommandError, match="not a demo account"):
        call_command("demo", "--code", "someone-else")


def test_demo_data_is_refused_in_production(tmp_path: Any) -> None:
    env = {
        **os.environ,
        "TROPA_PRODUCTION": "1",
        "TROPA_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "tropa.settings",
    }
    env.pop("TROPA_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "tropa.cli", "demo"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "refused in production" in result.stderr


def test_cases_list_prints_codes_and_is_audited(demo: str) -> None:
    out = StringIO()
    call_command("cases", "list", "--org", "Demo Yerevan", stdout=out)
    lines = out.getvalue().splitlines()
    codes = {
        str(c)
        for c in Case.objects.unscoped()
        .filter(organization__name="Demo Yerevan")
        .values_list("code", flat=True)
    }
    assert {line.split()[0] for line in lines} == codes
    assert all("Demo Yerevan" in line for line in lines)
    entry = AuditEntry.objects.filter(action="cases.listed_from_shell").latest("seq")
    assert entry.detail == {"count": len(codes)}


def test_cases_list_names_an_unknown_organization(demo: str) -> None:
    with pytest.raises(CommandError, match="no organization named 'Demo Tbilisi'"):
        call_command("cases", "list", "--org", "Demo Tbilisi")


def test_check_deploy_is_clean_in_production_mode(tmp_path: Any) -> None:
    env = {
        **os.environ,
        "TROPA_PRODUCTION": "1",
        "TROPA_DATA_DIR": str(tmp_path),
        "TROPA_ALLOWED_HOSTS": "tropa.example.org",
        "DJANGO_SETTINGS_MODULE": "tropa.settings",
    }
    env.pop("TROPA_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "tropa.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout


def _fresh_env(tmp_path: Any, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "TROPA_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "tropa.settings",
        **extra,
    }
    env.pop("TROPA_DATABASE_URL", None)
    return env


def test_the_demo_sets_up_a_fresh_data_dir(tmp_path: Any) -> None:
    """A newcomer's first command: no "no such table", the database is made."""
    result = subprocess.run(
        [sys.executable, "-m", "tropa.cli", "demo"],
        env=_fresh_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Setting up the database" in result.stdout
    assert "astana-coordinator" in result.stdout and "Not signed in yet" in result.stdout


def test_run_in_production_names_pending_migrations_instead_of_applying_them(
    tmp_path: Any,
) -> None:
    env = _fresh_env(tmp_path, TROPA_PRODUCTION="1", TROPA_ALLOWED_HOSTS="tropa.example.org")
    result = subprocess.run(
        [sys.executable, "-m", "tropa.cli", "run", "--no-worker", "--bind", "127.0.0.1:0"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode != 0
    assert "not applied yet" in result.stderr and "tropa migrate" in result.stderr
    assert not (tmp_path / "static" / "staticfiles.json").exists()


def test_the_demo_has_a_list_to_screen_against_and_an_open_hit(demo: str) -> None:
    watchlist = WatchList.objects.get(name=WATCHLIST_NAME)
    hits = ScreeningHit.objects.filter(organization=Organization.objects.get(name="Demo Astana"))
    assert [(h.case.person.pseudonym, h.status) for h in hits] == [(LISTED_PSEUDONYM, "pending")]
    assert watchlist.is_published


def test_the_demo_has_an_account_that_has_not_signed_in_yet(demo: str, client: Any) -> None:
    line = next(line for line in demo.splitlines() if line.startswith("Not signed in yet"))
    path = re.search(r"http://127\.0\.0\.1:8000(/accounts/enrol/\S+/)", line)
    assert path is not None
    page = client.get(path.group(1), follow=True)
    assert page.status_code == 200
    assert 'name="new_password1"' in page.content.decode()
    newcomer = User.objects.get(username="astana-newcomer")
    assert not newcomer.has_usable_password()
    # Loading the demo again gives a new link (the old one stops working).
    again = StringIO()
    call_command("demo", stdout=again)
    assert path.group(1) not in again.getvalue() and "Not signed in yet" in again.getvalue()


@pytest.mark.parametrize(
    ("site", "bind", "printed"),
    [
        ("", "127.0.0.1:8000", "http://127.0.0.1:8000/accounts/enrol/"),
        ("", "127.0.0.1:8123", "http://127.0.0.1:8123/accounts/enrol/"),
        (
            "https://tropa.example.org/",
            "127.0.0.1:8000",
            "https://tropa.example.org/accounts/enrol/",
        ),
        ("", "0.0.0.0:9000", "on the address where you run tropa"),
    ],
)
def test_the_printed_enrolment_link_names_where_the_server_is(
    db: Any, settings: Any, monkeypatch: Any, site: str, bind: str, printed: str
) -> None:
    settings.TROPA_SITE_URL = site
    monkeypatch.setenv("TROPA_BIND", bind)
    out = StringIO()
    call_command("demo", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if line.startswith("Not signed in"))
    assert printed in line
    assert bind == "127.0.0.1:8000" or ":8000" not in line
