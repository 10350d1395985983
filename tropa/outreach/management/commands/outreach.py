"""``tropa outreach import|followups|schedule|load-directory``: the outreach tracker from the shell.

``import FILE --org ORG [--case CODE] [--dry-run]`` reads a CSV or XLSX spreadsheet, maps
columns, answers and channels as the browser's preview would guess them (``--column``,
``--answer`` and ``--channel`` correct the guesses; a channel it cannot guess must be given),
and imports every new row or none: bad rows are listed by line and column, rows an earlier
import brought in are left out. Institutions are matched by exact name only (the browser
proposes matches across languages for confirmation); ``--follow-up`` makes the imported
requests due for follow-ups like new ones (by default imported history never is).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation

from tropa.accounts.cli import find_organization
from tropa.cases.models import Case
from tropa.outreach import importer, services
from tropa.outreach.models import Channel, Status


def _pairs(values: list[str], what: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        left, sep, right = value.rpartition("=")
        if not sep:
            raise CommandError(f"--{what} takes TEXT=VALUE, not {value!r}")
        pairs[left] = right.strip()
    return pairs


def operator_language(chosen: str | None) -> str:
    """The language of the import's messages: ``--lang``, else the operator's locale
    (LC_ALL, LC_MESSAGES, LANG, the first one set) where Tropa speaks it, else English;
    never the site's default (Russian), which an operator abroad may not read."""
    if chosen:
        return chosen
    spoken = {code for code, _name in settings.LANGUAGES}
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            code = value.split(".")[0].split("_")[0].split("-")[0].lower()
            return code if code in spoken else "en"
    return "en"


class Command(BaseCommand):
    help = "Import an outreach spreadsheet, run the follow-up rule, or load the starter set."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a CSV or XLSX spreadsheet of requests")
        imp.add_argument("file", type=Path)
        imp.add_argument("--org", required=True, help="organization (exact name)")
        imp.add_argument("--case", help="code of the case all rows are about")
        imp.add_argument("--dry-run", action="store_true", help="check and count, save nothing")
        imp.add_argument(
            "--column",
            action="append",
            default=[],
            metavar="HEADER=FIELD",
            help=f"map a column to a field ({', '.join(importer.FIELDS)}) or to nothing",
        )
        imp.add_argument(
            "--answer",
            action="append",
            default=[],
            metavar="TEXT=STATUS",
            help=f"map an answer to a status ({', '.join(Status.values)})",
        )
        imp.add_argument(
            "--channel",
            action="append",
            default=[],
            metavar="TEXT=CHANNEL",
            help=f"map a channel to one of {', '.join(Channel.values)}",
        )
        imp.add_argument(
            "--lang",
            choices=[code for code, _name in settings.LANGUAGES],
            help="language of the messages (default: your LANG where Tropa speaks it, else en)",
        )
        imp.add_argument(
            "--follow-up",
            action="store_true",
            help="imported requests without an answer are due for follow-ups",
        )
        sub.add_parser("followups", help="mark unanswered requests and create follow-up tasks")
        sub.add_parser("schedule", help="queue the hourly follow-up rule for the worker")
        load = sub.add_parser("load-directory", help="load the starter directory and templates")
        load.add_argument("--org", required=True, help="organization (exact name)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "followups":
            count = services.run_followups()
            self.stdout.write(f"{count} requests without an answer; follow-ups created.")
        elif options["action"] == "schedule":
            self._schedule()
        elif options["action"] == "load-directory":
            made, templates = services.load_starter_set(
                actor=None, organization=find_organization(options["org"])
            )
            self.stdout.write(f"{made} institutions and {templates} letter templates added.")
        else:
            with translation.override(operator_language(options["lang"])):
                self._import(options)

    def _schedule(self) -> None:
        from django_tasks_db.models import DBTaskResult

        from tropa.outreach.tasks import hourly_followups_task

        func = hourly_followups_task.func
        path = f"{func.__module__}.{func.__qualname__}"
        if DBTaskResult.objects.filter(task_path=path, status__in=["READY", "RUNNING"]).exists():
            self.stdout.write("the hourly follow-up rule is already scheduled")
            return
        hourly_followups_task.enqueue()
        self.stdout.write(
            "hourly follow-up rule queued; 'tropa worker' (started by 'tropa run') runs it"
        )

    def _import(self, options: dict[str, Any]) -> None:
        organization = find_organization(options["org"])
        case = None
        if options["case"]:
            case = Case.objects.filter(organization=organization, code=options["case"]).first()
            if case is None:
                raise CommandError(f"no case {options['case']} in {organization.name}")
        try:
            table = importer.read_table(options["file"].read_bytes())
        except OSError as exc:
            raise CommandError(f"cannot read {options['file']}: {exc.strerror}") from None
        except importer.ImportFileError as exc:
            raise CommandError(str(exc)) from None
        mapping = importer.guess_mapping(table.header)
        for header, name in _pairs(options["column"], "column").items():
            if header not in table.header:
                raise CommandError(f"no column {header!r} (there are: {table.header})")
            mapping = ["" if m == name else m for m in mapping]
            mapping[table.header.index(header)] = name
        keys = importer.distinct_answers(table, mapping)
        answers = importer.suggested_answers(keys)
        answers.update(
            {importer.answer_key(k): v for k, v in _pairs(options["answer"], "answer").items()}
        )
        channels = importer.suggested_channels(importer.distinct_channels(table, mapping))
        channels.update(
            {importer.answer_key(k): v for k, v in _pairs(options["channel"], "channel").items()}
        )
        summary = services.import_requests(
            actor=None,
            organization=organization,
            table=table,
            mapping=mapping,
            answers=services.ImportChoices(answers, channels, follow_up=options["follow_up"]),
            case=case,
            dry_run=options["dry_run"],
        )
        self._report(table, mapping, {**answers, **channels}, keys, summary, options["dry_run"])

    def _report(
        self,
        table: importer.Table,
        mapping: list[str],
        answers: dict[str, str],
        keys: list[str],
        summary: services.ImportSummary,
        dry_run: bool,
    ) -> None:
        write = self.stdout.write
        write(f"file: {table.encoding}, delimiter {table.delimiter!r}, {len(table.rows)} rows")
        for header, name in zip(table.header, mapping, strict=False):
            write(f"  column {header!r} -> {name or '(ignored)'}")
        for key in keys:
            write(f"  answer {key!r} -> {answers.get(key) or '(unknown)'}")
        if not summary.ok:
            for error in summary.errors:
                where = f"line {error.line}" if error.line else "mapping"
                column = f", column {error.column!r}" if error.column else ""
                self.stderr.write(f"{where}{column}: {error.reason}")
            raise CommandError(
                f"{len({e.line for e in summary.errors})} bad rows: nothing imported "
                "(correct the file, or map columns, answers and channels with --column, "
                "--answer and --channel)"
            )
        if summary.already:
            lines = ", ".join(str(n) for n in summary.already[:20])
            lines += ", …" if len(summary.already) > 20 else ""
            write(f"already imported, left out: {len(summary.already)} rows (lines {lines})")
        verb = "would import" if dry_run else "imported"
        write(
            f"{verb} {summary.rows} rows; institutions created: "
            f"{summary.institutions_created}; contacts created: {summary.contacts_created}"
        )
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(summary.statuses.items()))
        write(f"statuses: {statuses or 'none'} (as of {timezone.localdate().isoformat()})")
