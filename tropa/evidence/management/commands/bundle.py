"""``tropa bundle export|verify|pubkey``: signed evidence bundles for investigators."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    no_translations,
)

from tropa.accounts.cli import find_organization
from tropa.evidence import bundle, vault
from tropa.evidence.models import EvidenceItem

from ._common import find_case, find_user


class Command(BaseCommand):
    help = "Export a case's evidence as a signed bundle, or verify a bundle."
    # The system checks import every view of every app (≈ 40 MB and 0.5 s) to check
    # settings that this command does not depend on; `tropa check` and `tropa run` run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write a signed bundle of a case's evidence")
        export.add_argument("case", metavar="CASE_CODE")
        export.add_argument("--out", required=True, metavar="FILE")
        export.add_argument("--recipient", default="", metavar="AGE_PUBKEY")
        export.add_argument(
            "--stripped",
            nargs="*",
            default=[],
            metavar="ITEM_CODE",
            help="export these items as their copies without metadata",
        )
        export.add_argument("--by", help="user name recorded as the exporter")
        verify = sub.add_parser("verify", help="check every hash and the signature of a bundle")
        verify.add_argument("file", metavar="FILE")
        verify.add_argument("--identity", metavar="AGE_KEY_FILE", help="for encrypted bundles")
        verify.add_argument(
            "--public-key", default="", metavar="KEY", help="expected key (hex or fingerprint)"
        )
        pubkey = sub.add_parser("pubkey", help="print an organization's public signing key")
        pubkey.add_argument("--org", required=True, help="organization name")

    @no_translations  # the shell speaks English, like every other line these commands print
    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _export(self, options: dict[str, Any]) -> None:
        case = find_case(options["case"])
        actor = find_user(options["by"], case)
        items = list(EvidenceItem.objects.filter(organization=case.organization_id, case=case))
        if not items:
            raise CommandError("this case has no evidence")
        stripped = set(options["stripped"])
        unknown = stripped - {str(i.code) for i in items}
        if unknown:
            raise CommandError(f"not items of this case: {', '.join(sorted(unknown))}")
        try:
            if options["recipient"]:
                bundle.parse_recipient(options["recipient"])
            plan = bundle.prepare_bundle(
                case=case,
                variants={i: "stripped" if str(i.code) in stripped else "original" for i in items},
                actor=actor,
            )
            try:
                bundle.write_to_file(plan, options["out"], options["recipient"])
            except BaseException:
                bundle.record_aborted(plan.items, actor, "cli")
                raise
        except vault.KeyErased:
            raise CommandError(
                "the case's encryption key was destroyed; its evidence can no longer be read"
            ) from None
        except (bundle.BundleError, vault.Corrupt) as exc:
            Path(f"{options['out']}.partial").unlink(missing_ok=True)
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"wrote {options['out']}: {len(items)} items, signed by key "
            f"{plan.manifest['signing_key']['fingerprint_sha256']}"
            + (", encrypted to the recipient" if options["recipient"] else "")
        )

    def _verify(self, options: dict[str, Any]) -> None:
        identity = ""
        if options["identity"]:
            lines = Path(options["identity"]).read_text().splitlines()
            identity = next((x for x in lines if x.startswith("AGE-SECRET-KEY-")), "")
        with open(options["file"], "rb") as handle:
            report = bundle.verify_bundle(
                handle, identity=identity, public_key=options["public_key"]
            )
        for problem in report.problems:
            self.stdout.write(f"FAILED  {problem}")
        if report.ok:
            self.stdout.write(
                f"bundle intact: {report.items} items, {report.files_checked} files, "
                f"signature valid (key fingerprint {report.fingerprint})"
            )
            if not options["public_key"]:
                self.stdout.write(
                    "compare the fingerprint with the one the organization published, "
                    "or pass it with --public-key"
                )
            return
        sys.exit(1)

    def _pubkey(self, options: dict[str, Any]) -> None:
        organization = find_organization(options["org"])
        _, row = vault.signing_key(organization)
        self.stdout.write(bundle.public_pem(row.public_key).decode().strip())
        self.stdout.write(
            f"fingerprint (SHA-256 of the raw key): {bundle.fingerprint(row.public_key)}"
        )
