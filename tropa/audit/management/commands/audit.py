"""``tropa audit``: verify the chain, write and check signed checkpoints of its head.

``verify [--checkpoint FILE]…`` exits 1 naming the first bad entry, or why the chain no longer
contains a checkpoint's head; ``checkpoint --out FILE`` signs the head of an intact chain;
``pubkey`` prints the key checkpoints are signed with; ``schedule`` queues the daily
checkpoint in the worker.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tropa.audit import checkpoints
from tropa.audit.services import check_chain
from tropa.crypto import server
from tropa.lib.crypto import ed25519_fingerprint, ed25519_public_pem


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; write and check signed checkpoints."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="verify the hash chain")
        verify.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            metavar="FILE",
            help="also check that the chain still contains this checkpoint's head (repeatable)",
        )
        verify.add_argument(
            "--public-key",
            metavar="HEX_OR_PEM_FILE",
            help="the public key you kept ('tropa audit pubkey'); default: this server's",
        )
        checkpoint = sub.add_parser("checkpoint", help="write a signed checkpoint of the head")
        checkpoint.add_argument(
            "--out", required=True, metavar="FILE", help="a new file ('-' for standard output)"
        )
        sub.add_parser("pubkey", help="print the public key that signs checkpoints")
        sub.add_parser("schedule", help="queue the daily checkpoint (runs in 'tropa worker')")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except checkpoints.CheckpointError as exc:
            raise CommandError(str(exc)) from None

    def _verify(self, options: dict[str, Any]) -> None:
        public_key = options["public_key"]
        expected = checkpoints.parse_public_key(public_key) if public_key else None
        held = [(name, checkpoints.read(Path(name))) for name in options["checkpoint"]]
        failures = []
        for name, cp in held:
            refused = checkpoints.check_signature(cp, expected)
            if refused is not None:
                failures.append(f"checkpoint {name} refused: {refused}")
        state = check_chain(cp.seq for _, cp in held)
        if state.problem is not None:
            failures.insert(
                0,
                f"audit chain BROKEN at entry #{state.problem.seq}: {state.problem.reason} "
                f"({state.count} entries before it verified)",
            )
        confirmed = []
        for name, cp in held:
            if any(f.startswith(f"checkpoint {name} ") for f in failures):
                continue
            problem = checkpoints.compare(state, cp)
            if problem is None:
                confirmed.append(f"contains checkpoint #{cp.seq} of {cp.at} ({name})")
            else:
                failures.append(f"audit chain BROKEN: checkpoint {name}: {problem}")
        if failures:
            for failure in failures:
                self.stderr.write(failure)
            sys.exit(1)
        self.stdout.write(f"audit chain intact: {state.count} entries")
        for line in confirmed:
            self.stdout.write(line)

    def _checkpoint(self, options: dict[str, Any]) -> None:
        out = options["out"]
        if out != "-" and Path(out).exists():
            raise CommandError(f"{out} exists; checkpoints are never overwritten")
        checkpoint = checkpoints.take()
        if out == "-":
            self.stdout.write(checkpoint.to_json(), ending="")
            return
        checkpoints.write_new(Path(out), checkpoint)
        self.stdout.write(f"checkpoint of entry #{checkpoint.seq} written to {out}")

    def _pubkey(self, options: dict[str, Any]) -> None:
        public = server.audit_public_key_hex()
        self.stdout.write("Ed25519 public key of this server's audit checkpoints:")
        self.stdout.write(public)
        self.stdout.write(f"fingerprint (SHA-256): {ed25519_fingerprint(public)}")
        self.stdout.write(ed25519_public_pem(public), ending="")

    def _schedule(self, options: dict[str, Any]) -> None:
        from django_tasks_db.models import DBTaskResult

        from tropa.audit.tasks import daily_checkpoint_task

        func = daily_checkpoint_task.func
        path = f"{func.__module__}.{func.__qualname__}"
        if DBTaskResult.objects.filter(task_path=path, status__in=["READY", "RUNNING"]).exists():
            self.stdout.write("the daily audit checkpoint is already scheduled")
            return
        daily_checkpoint_task.enqueue()
        self.stdout.write(
            "daily audit checkpoint queued; 'tropa worker' (started by 'tropa run') writes it "
            f"into {checkpoints.checkpoint_dir()}"
        )
