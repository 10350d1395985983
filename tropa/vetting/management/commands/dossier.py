"""``tropa dossier export|verify``: a vetting's signed dossier from the shell, and its check."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from tropa.evidence.management.commands._common import find_case, find_user
from tropa.vetting.models import DOSSIER_IDENTITY_FIELDS, DossierLanguage, Vetting


class Command(BaseCommand):
    help = "Export a decided vetting's signed dossier, or verify a dossier file."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write the signed dossier of a decided vetting")
        export.add_argument("case", metavar="CASE_CODE")
        export.add_argument("--lang", choices=DossierLanguage.values, default="en")
        export.add_argument("--out", required=True, metavar="FILE")
        export.add_argument(
            "--with-identity",
            default="",
            metavar="FIELD,...",
            help=f"identity fields to include: {', '.join(DOSSIER_IDENTITY_FIELDS)}",
        )
        export.add_argument("--recipient", default="", help="the recipient's name")
        export.add_argument("--by", help="user name recorded as the exporter")
        verify = sub.add_parser("verify", help="check a dossier's signature and hashes")
        verify.add_argument("file", metavar="FILE")
        verify.add_argument("--public-key", default="", metavar="KEY", help="expected key")
        sub.add_parser("sweep", help="expire dossiers past their date and delete their files")

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _export(self, options: dict[str, Any]) -> None:
        from tropa.cases.services import RevealLimitReached
        from tropa.vetting import services

        case = find_case(options["case"])
        actor = find_user(options["by"], case)
        fields = [f.strip() for f in options["with_identity"].split(",") if f.strip()]
        unknown = set(fields) - set(DOSSIER_IDENTITY_FIELDS)
        if unknown:
            raise CommandError(f"not identity fields of a dossier: {', '.join(sorted(unknown))}")
        vetting = Vetting.objects.filter(organization=case.organization_id, case=case).first()
        if vetting is None:
            raise CommandError("this case has no vetting")
        try:
            manifest = services.export_dossier(
                actor=actor,
                vetting=vetting,
                language=options["lang"],
                identity_fields=fields,
                path=options["out"],
                recipient_name=options["recipient"],
            )
        except (services.VettingError, RevealLimitReached) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"wrote {options['out']}: dossier of case {case.code} "
            f"({manifest['decision']['outcome']}), "
            + (f"with identity fields {', '.join(fields)}, " if fields else "pseudonym only, ")
            + f"signed by key {manifest['signing_key']['spki_sha256']}"
        )

    def _verify(self, options: dict[str, Any]) -> None:
        from tropa.vetting.dossier.verifying import verify_dossier

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no file {path}")
        with path.open("rb") as handle:
            report = verify_dossier(handle, public_key=options["public_key"])
        for problem in report.problems:
            self.stdout.write(f"FAILED  {problem}")
        if not report.ok:
            sys.exit(1)
        manifest = report.manifest or {}
        self.stdout.write(
            f"dossier intact: case {manifest.get('case')}, decision "
            f"{(manifest.get('decision') or {}).get('outcome')}, signature valid "
            f"(key {(manifest.get('signing_key') or {}).get('spki_sha256')})"
        )

    def _sweep(self, options: dict[str, Any]) -> None:
        from tropa.vetting import services

        self.stdout.write(f"expired {services.expire_dossiers()} dossiers")
