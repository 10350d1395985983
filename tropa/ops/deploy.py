"""``tropa deploy render``: the files a real installation needs, from one host name.

systemd units (web server, worker, notification worker, all hardened), an environment file,
an nginx site (TLS, no access log, body size for evidence chunks) and, with ``--onion``, a
torrc fragment for an onion service. Checked in the tests with nginx, tor and systemd-analyze.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

from django.template import Context, Engine

from .errors import BackupError

TEMPLATES = Path(__file__).parent / "deploy_templates"
HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
ONION = re.compile(r"^[a-z2-7]{56}\.onion$")
FILES = {
    "tropa-web.service": "tropa-web.service",
    "tropa-worker.service": "tropa-worker.service",
    "tropa-notify.service": "tropa-notify.service",
    "tropa.env": "tropa.env",
    "nginx-tropa.conf": "nginx-tropa.conf",
}


@dataclass
class Deployment:
    host: str
    onion: bool = False
    onion_host: str = ""
    tropa: str = "/opt/tropa/.venv/bin/tropa"
    user: str = "tropa"
    data_dir: str = "/var/lib/tropa"
    key_dir: str = "/var/lib/tropa-keys"
    backup_dir: str = "/var/backups/tropa"
    env_file: str = "/etc/tropa/tropa.env"
    tls_cert: str = ""
    tls_key: str = ""
    error_log: str = "/var/log/nginx/error.log"
    onion_dir: str = "/var/lib/tor/tropa"
    port: int = 8000
    onion_port: int = 8081
    postgres: bool = False

    def check(self) -> None:
        if not HOST.match(self.host):
            raise BackupError(f"not a host name: {self.host!r}")
        if self.onion_host and not ONION.match(self.onion_host):
            raise BackupError(f"not a v3 onion name: {self.onion_host!r}")
        if self.onion_host:
            self.onion = True
        self.tls_cert = self.tls_cert or f"/etc/letsencrypt/live/{self.host}/fullchain.pem"
        self.tls_key = self.tls_key or f"/etc/letsencrypt/live/{self.host}/privkey.pem"


def render(deployment: Deployment) -> dict[str, str]:
    """File name → text."""
    deployment.check()
    engine = Engine(dirs=[str(TEMPLATES)], autoescape=False)
    hosts = [deployment.host, *([deployment.onion_host] if deployment.onion_host else [])]
    origins = [f"https://{deployment.host}"]
    if deployment.onion_host:
        origins.append(f"http://{deployment.onion_host}")
    context = {
        **asdict(deployment),
        "allowed_hosts": ",".join(hosts),
        "csrf_origins": ",".join(origins),
    }
    names = dict(FILES)
    if deployment.onion:
        names["torrc-tropa"] = "torrc-tropa"
    return {out: engine.get_template(name).render(Context(context)) for out, name in names.items()}


def write(deployment: Deployment, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    written = []
    for name, text in render(deployment).items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
