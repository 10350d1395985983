"""``tropa deploy render``: the files pass the real tools, and Tropa answers under its onion name.

nginx, tor and systemd-analyze are installed by .ci/run (Debian packages nginx, tor, systemd).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from tropa.ops import deploy

HOST = "tropa.example.org"
ONION = "a" * 52 + "mxid.onion"


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is not installed (see .ci/run)"
    return path


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def rendered(tmp_path: Path) -> dict[str, Path]:
    cert, key = _self_signed(tmp_path)
    (tmp_path / "logs").mkdir()
    deployment = deploy.Deployment(
        host=HOST,
        onion_host=ONION,
        tropa=str(Path(sys.executable).parent / "tropa"),
        tls_cert=str(cert),
        tls_key=str(key),
        error_log=str(tmp_path / "logs" / "error.log"),
        onion_dir=str(tmp_path / "onion"),
    )
    return {p.name: p for p in deploy.write(deployment, tmp_path / "out")}


def test_nginx_accepts_the_site_and_it_logs_no_client_address(
    rendered: dict[str, Path], tmp_path: Path
) -> None:
    site = rendered["nginx-tropa.conf"]
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/logs/error.log;\n"
        f"events {{}}\nhttp {{\n    include {site};\n}}\n"
    )
    done = subprocess.run(
        [
            _tool("nginx"),
            "-t",
            "-p",
            str(tmp_path),
            "-c",
            str(main),
            "-e",
            str(tmp_path / "logs" / "error.log"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    text = site.read_text()
    assert text.count("access_log off;") == 3  # http redirect, https, onion
    assert "X-Forwarded-For" not in text.replace("No X-Forwarded-For", "")
    assert "$remote_addr" not in text
    assert "client_max_body_size 16m;" in text
    assert f"server_name {ONION};" in text


def test_tor_accepts_the_onion_service(rendered: dict[str, Path], tmp_path: Path) -> None:
    torrc = tmp_path / "torrc"
    torrc.write_text(f"DataDirectory {tmp_path}/tor\n%include {rendered['torrc-tropa']}\n")
    done = subprocess.run(
        [_tool("tor"), "--verify-config", "-f", str(torrc)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout
    assert "HiddenServicePort 80 127.0.0.1:8081" in rendered["torrc-tropa"].read_text()


def test_systemd_accepts_the_hardened_units(rendered: dict[str, Path]) -> None:
    units = [str(rendered[n]) for n in rendered if n.endswith(".service")]
    assert len(units) == 3
    done = subprocess.run(
        [_tool("systemd-analyze"), "verify", *units], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    web = rendered["tropa-web.service"].read_text()
    for option in (
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "PrivateTmp=yes",
        "CapabilityBoundingSet=",
        "UMask=0077",
    ):
        assert option in web
    assert "--bind 127.0.0.1:8000" in web


def test_the_environment_keeps_the_keyset_out_of_the_data_dir(
    rendered: dict[str, Path],
) -> None:
    env = rendered["tropa.env"].read_text()
    assert "TROPA_DATA_DIR=/var/lib/tropa\n" in env
    assert "TROPA_KEYSET_FILE=/var/lib/tropa-keys/master.keyset.json" in env
    assert "TROPA_KEYSTORE_DIR=/var/lib/tropa-keys/keystore" in env
    assert f"TROPA_ALLOWED_HOSTS={HOST},{ONION}\n" in env
    assert f"TROPA_CSRF_TRUSTED_ORIGINS=https://{HOST},http://{ONION}\n" in env


def test_a_host_name_that_would_inject_config_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="not a host name"):
        call_command("deploy", "render", "--host", "x.org; include /etc", "--out", str(tmp_path))
    with pytest.raises(CommandError, match="onion"):
        call_command(
            "deploy", "render", "--host", HOST, "--onion-host", "evil.onion", "--out", str(tmp_path)
        )


def _env_list(env: str, name: str) -> list[str]:
    match = re.search(rf"^{name}=(.*)$", env, re.MULTILINE)
    assert match
    return match.group(1).split(",")


def test_tropa_answers_under_its_onion_name(
    rendered: dict[str, Path], settings: Any, db: Any
) -> None:
    env = rendered["tropa.env"].read_text()
    settings.ALLOWED_HOSTS = _env_list(env, "TROPA_ALLOWED_HOSTS")
    settings.CSRF_TRUSTED_ORIGINS = _env_list(env, "TROPA_CSRF_TRUSTED_ORIGINS")
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    client = Client(enforce_csrf_checks=True)
    # What nginx's onion server passes on: the onion Host, marked secure.
    onion = {"HTTP_HOST": ONION, "HTTP_X_FORWARDED_PROTO": "https"}
    page = client.get("/accounts/login/", **onion)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token
    # Tor Browser sends the onion origin over http://; CSRF accepts it, the login form answers.
    posted = client.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": token.group(1), "username": "nobody", "password": "wrong"},
        HTTP_ORIGIN=f"http://{ONION}",
        **onion,
    )
    assert posted.status_code in (200, 302)
    assert Client().get("/accounts/login/", HTTP_HOST="other" + ONION[5:]).status_code == 400
