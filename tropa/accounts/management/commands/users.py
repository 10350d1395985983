"""``tropa users``: accounts from the shell, for the operator.

``tropa users add NAME --org ORG --role ROLE [--create-org]`` makes an account and prints
its one-time enrolment link; this is how the first coordinator of a new organization is
made, since in the browser a role that sees case content needs a coordinator's approval.
``tropa users set-role NAME ROLE`` changes a role at once (for example when an
organization's only coordinator leaves), and ``tropa users link NAME`` makes a new link
(a lost phone), keeping the role. Whoever runs these is root on the server; each is
audited as done from the shell.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.urls import reverse

from tropa.accounts import services
from tropa.accounts.cli import find_organization
from tropa.accounts.forms import UserCreateForm
from tropa.accounts.models import Organization, Role, User


class Command(BaseCommand):
    help = "Add accounts (with a one-time enrolment link) and set roles from the shell."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add an account and print its enrolment link")
        add.add_argument("username")
        add.add_argument("--org", required=True, help="the organization (exact name)")
        add.add_argument("--role", required=True, choices=Role.values)
        add.add_argument("--language", default="ru", choices=["ru", "en", "de"])
        add.add_argument(
            "--create-org", action="store_true", help="create the organization if it is new"
        )
        add.add_argument("--base-url", default="", help="e.g. https://tropa.example.org")
        role = sub.add_parser("set-role", help="change a role at once, without approval")
        role.add_argument("username")
        role.add_argument("role", choices=Role.values)
        link = sub.add_parser("link", help="a new enrolment link: new password and authenticator")
        link.add_argument("username")
        link.add_argument("--base-url", default="", help="e.g. https://tropa.example.org")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["action"].replace("-", "_"))(options)

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).select_related("membership").first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        return user

    def _print_link(self, token: str, base_url: str) -> None:
        path = reverse("accounts:enrol_start", args=[token])
        self.stdout.write(f"  {base_url.rstrip('/')}{path}")
        self.stdout.write(
            "Give this one-time link to the user over a safe channel; it is shown only now."
        )

    def _add(self, options: dict[str, Any]) -> None:
        form = UserCreateForm(
            {
                "username": options["username"],
                "role": options["role"],
                "language": options["language"],
            }
        )
        if not form.is_valid():
            raise CommandError(
                "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items())
            )
        with transaction.atomic():
            if (
                options["create_org"]
                and not Organization.objects.filter(name=options["org"]).exists()
            ):
                organization = services.create_organization(actor=None, name=options["org"])
                self.stdout.write(f"Created organization {organization.name!r}.")
            else:
                organization = find_organization(options["org"])
            user, token = services.enrol_from_shell(
                organization=organization,
                username=form.cleaned_data["username"],
                role=form.cleaned_data["role"],
                language=form.cleaned_data["language"],
            )
        self.stdout.write(
            f"Created {user.username} ({Role(options['role']).label}) in {organization.name}."
        )
        self._print_link(token, options["base_url"])

    def _set_role(self, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        services.set_role(actor=None, user=user, role=options["role"])
        self.stdout.write(f"{user.username} is now {Role(options['role']).label}.")

    def _link(self, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        token, _request = services.reset_two_factor(actor=None, user=user)
        self.stdout.write(f"{user.username} was signed out; password and authenticator removed.")
        self._print_link(token, options["base_url"])
