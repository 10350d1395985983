"""``tropa testimony export CASE --recipient icc --out FILE``: a case's latest interview as a
signed bundle for an investigator, from the shell, only with the witness's consent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from tropa.evidence.management.commands._common import find_case, find_user
from tropa.testimony.errors import TestimonyError
from tropa.testimony.models import Testimony
from tropa.testimony.vocabulary import RecipientKind


class Command(BaseCommand):
    help = "Export a case's testimony for an investigator as a signed bundle."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write the latest interview of a case as a bundle")
        export.add_argument("case", metavar="CASE_CODE")
        export.add_argument("--recipient", required=True, choices=RecipientKind.values)
        export.add_argument("--out", required=True, metavar="FILE")
        export.add_argument("--language", default="en", help="of the PDF statement")
        export.add_argument("--by", help="user name recorded as the exporter")

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        from tropa.testimony import services

        case = find_case(options["case"])
        actor = find_user(options["by"], case)
        testimony = Testimony.objects.filter(organization=case.organization_id, case=case).first()
        if testimony is None:
            raise CommandError("this case has no interview")
        try:
            services.write_export_file(
                actor=actor,
                testimony=testimony,
                kind=options["recipient"],
                language=options["language"],
                path=options["out"],
            )
        except TestimonyError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"wrote {options['out']}")
