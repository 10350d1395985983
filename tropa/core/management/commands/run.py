"""``tropa run``: serve Tropa with gunicorn, a production-grade WSGI server."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from gunicorn.app.base import BaseApplication

from tropa.core.setup import ensure_ready
from tropa.crypto.fields import master_aead


class _Server(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from tropa.wsgi import application

        return application


class Command(BaseCommand):
    help = "Serve Tropa on 127.0.0.1:8000 (or --bind) with gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("TROPA_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("TROPA_WORKERS", "2"))
        )

        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start a background-task worker next to the server",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # No core dumps from the server or anything it starts: their memory holds keys and
        # (tropa/intake) codenames minted ahead; a core file would put them on disk.
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        ensure_ready(self.stdout, static=True)
        master_aead()  # create the master keyset now, not inside a worker
        self.stdout.write(f"Tropa serves on http://{options['bind']}/ (data: {settings.DATA_DIR})")
        worker = tagger = None
        if not options["no_worker"]:
            # One process loads the name tagger (≈ 12 s, 490 MB) for the web and task workers,
            # which ask it through this socket instead of each loading it
            # (tropa.lib.screening). With --no-worker nothing runs beside the server, and a
            # web worker loads the tagger itself the first time it screens.
            socket_path = str(settings.DATA_DIR / "run" / "tagger.sock")
            os.environ["TROPA_TAGGER_SOCKET"] = socket_path
            tagger = subprocess.Popen(  # noqa: S603 - our interpreter, a path under DATA_DIR
                [sys.executable, "-m", "tropa.lib.screening.tagger", socket_path]
            )
            # The daily fixity check of the evidence vault (queued once; it re-queues itself).
            call_command("evidence", "schedule")
            # The daily signed checkpoint of the audit chain, the same way.
            call_command("audit", "schedule")
            # The follow-up rule of the outreach tracker, hourly (pages only read).
            call_command("outreach", "schedule")
            # Reminders of stay limits and document deadlines, 14, 7 and 3 days before.
            call_command("pathways", "schedule")
            # E-mail notifications: escalations, daily digests, retries, every five minutes.
            call_command("notify", "schedule")
            # The daily encrypted backup into TROPA_BACKUP_DIR, when one is configured.
            call_command("backup", "schedule")
            # Retention rules: erasure of what is due, daily (tropa/retention).
            call_command("retention", "schedule")
            # Abandoned intake drafts, deleted daily (tropa/intake).
            call_command("intake", "schedule")
            worker = subprocess.Popen([sys.executable, "-m", "tropa.cli", "worker"])
            # Notifications on a worker of their own, so that they never wait behind long work.
            notifier = subprocess.Popen(
                [sys.executable, "-m", "tropa.cli", "worker", "--queue-name", "notify"]
            )
        try:
            self._serve(options)
        finally:
            # The workers first: a screening task waiting for the tagger would otherwise keep
            # its worker alive after the tagger was gone, and outlive `tropa run`.
            if worker is not None:
                notifier.terminate()
                worker.terminate()
                notifier.wait(timeout=30)
                worker.wait(timeout=30)
            if tagger is not None:
                tagger.terminate()
                tagger.wait(timeout=30)

    def _serve(self, options: dict[str, Any]) -> None:
        _Server(
            {
                "bind": options["bind"],
                "workers": options["workers"],
                "worker_class": "gthread",
                "threads": 4,
                "timeout": 120,
                # No access log: it would hold client addresses and paths (R8).
                "accesslog": None,
                "errorlog": "-",
                # gunicorn's error log names the client of an invalid request: filtered.
                "logger_class": "tropa.logging.GunicornLogger",
                "loglevel": "warning",
                "proc_name": "tropa",
                "forwarded_allow_ips": os.environ.get("TROPA_FORWARDED_ALLOW_IPS", "127.0.0.1"),
            }
        ).run()
