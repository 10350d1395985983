"""``tropa evidence add|verify|sweep|schedule|quota``: the evidence vault from the shell."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    no_translations,
)
from django.utils import timezone

from tropa.accounts.cli import find_organization
from tropa.evidence import memory, services
from tropa.evidence.models import Method, StorageQuota

from ._common import find_case, find_user


class Command(BaseCommand):
    help = "Add evidence to a case, verify stored evidence, remove orphans."
    # The system checks import every view of every app (≈ 40 MB and 0.5 s) to check
    # settings that this command does not depend on; `tropa check` and `tropa run` run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add files to a case; prints item code and SHA-256")
        add.add_argument("case", metavar="CASE_CODE")
        add.add_argument("files", nargs="+", metavar="FILE")
        add.add_argument("--note", default="", help="a note for the collection record")
        add.add_argument("--source", default="", help="received from (a pseudonym)")
        add.add_argument("--method", choices=Method.values, default=Method.USB)
        add.add_argument("--received", help="when it was received (ISO 8601; default: now)")
        add.add_argument("--by", help="user name of the person who received it")
        add.add_argument(
            "--defer-metadata",
            action="store_true",
            help="leave metadata, thumbnails and stripped copies to the background worker",
        )
        verify = sub.add_parser("verify", help="re-hash stored evidence; exit 1 on any mismatch")
        verify.add_argument("case", nargs="?", metavar="CASE_CODE")
        sweep = sub.add_parser(
            "sweep", help="remove orphaned blobs, abandoned uploads, dead workers' leftovers"
        )
        sweep.add_argument("--older-than", type=float, default=3600, metavar="SECONDS")
        sub.add_parser("schedule", help="queue the daily fixity check (runs in 'tropa worker')")
        quota = sub.add_parser("quota", help="show or set an organization's evidence quota")
        quota.add_argument("--org", required=True, help="organization name")
        change = quota.add_mutually_exclusive_group()
        change.add_argument("--set", metavar="SIZE", help="its own quota, e.g. 200GB or 1.5TB")
        change.add_argument(
            "--default", action="store_true", help="back to TROPA_EVIDENCE_QUOTA_BYTES"
        )

    @no_translations  # the shell speaks English, like every other line these commands print
    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _add(self, options: dict[str, Any]) -> None:
        memory.one_heap()  # before the first thread: the process tree's peak (issue 19)
        case = find_case(options["case"])
        actor = find_user(options["by"], case)
        received = timezone.now()
        if options["received"]:
            try:
                received = datetime.fromisoformat(options["received"])
            except ValueError:
                raise CommandError("--received must be an ISO 8601 time") from None
            if timezone.is_naive(received):
                received = timezone.make_aware(received)
        failed = 0
        for name in options["files"]:
            path = Path(name)
            try:
                stat = path.stat()
                record = services.CollectionRecord(
                    method=options["method"],
                    received_at=received,
                    source=options["source"],
                    original_name=path.name,
                    file_modified=datetime.fromtimestamp(stat.st_mtime, UTC).isoformat(
                        timespec="seconds"
                    ),
                    note=options["note"],
                    tool="tropa evidence add",
                    received_by=actor.get_username() if actor else "command line",
                )
                with path.open("rb", buffering=0) as handle:
                    item = services.add_evidence(
                        actor=actor, case=case, source=handle, record=record, size_hint=stat.st_size
                    )
            except (OSError, services.EvidenceError) as exc:
                failed += 1
                self.stderr.write(f"{name}: not added: {exc}")
                continue
            self.stdout.write(f"{item.code}  {item.sha256}  {name}")
            if options["defer_metadata"]:
                services.queue_processing(item)
            else:
                # Metadata now (it seeks and reads little); the poster (ffmpeg decoding a
                # frame) and the copy without metadata (a full pass over the file) are made
                # by the worker, out of the command's time and memory (issue 19).
                services.process_item(item, stripped=False, poster=False)
                services.queue_stripped(item)
        if failed:
            sys.exit(1)

    def _verify(self, options: dict[str, Any]) -> None:
        case = find_case(options["case"]) if options["case"] else None
        checked = bad = erased = 0
        for result in services.verify_all(actor=None, case=case):
            checked += 1
            if result.erased:
                erased += 1
                self.stdout.write(f"ERASED  {result.item.code}  (the case was erased on purpose)")
            elif result.ok:
                self.stdout.write(f"OK      {result.item.code}  {result.item.sha256}")
            else:
                bad += 1
                for problem in result.problems:
                    self.stdout.write(f"FAILED  {result.item.code}  {problem}")
        self.stdout.write(f"{checked} items checked, {bad} failed, {erased} of erased cases")
        if bad:
            sys.exit(1)

    def _sweep(self, options: dict[str, Any]) -> None:
        result = services.sweep(older_than=options["older_than"])
        self.stdout.write(
            f"removed {result.orphans} orphaned files, {result.abandoned_uploads} abandoned "
            f"uploads, {result.expired_exports} expired bundles, {result.scratch} scratch "
            f"directories of dead runs; {result.requeued_tasks} tasks of dead workers "
            f"re-queued, {result.failed_tasks} given up"
        )

    def _quota(self, options: dict[str, Any]) -> None:
        organization = find_organization(options["org"])
        if options["set"] is not None:
            try:
                size = services.parse_size(options["set"])
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            if size <= 0:
                raise CommandError("a quota must be larger than 0")
            services.set_quota(actor=None, organization=organization, size=size)
        elif options["default"]:
            services.set_quota(actor=None, organization=organization, size=None)
        space = services.space_summary(organization)
        own = StorageQuota.objects.filter(organization=organization).exists()
        if services.used_bytes(organization) > services.quota_bytes(organization):
            self.stderr.write(
                "note: more is already stored than the quota allows; new uploads are refused "
                "until space is freed (nothing stored is deleted)"
            )
        self.stdout.write(
            f"{organization.name}: {space['used']} used of {space['quota']} "
            f"({'its own quota' if own else 'server default'}), {space['free']} free"
        )

    def _schedule(self, options: dict[str, Any]) -> None:
        from django_tasks_db.models import DBTaskResult

        task = services.scheduled_verify_task
        # Its path since the tasks moved beside their services, and the one queued before.
        paths = [task.module_path, "tropa.evidence.tasks.scheduled_verify_task"]
        if DBTaskResult.objects.filter(
            task_path__in=paths, status__in=["READY", "RUNNING"]
        ).exists():
            self.stdout.write("the fixity check is already scheduled")
            return
        services.scheduled_verify_task.enqueue()
        self.stdout.write(
            "fixity check queued; 'tropa worker' (started by 'tropa run') runs it and "
            "re-queues it daily"
        )
