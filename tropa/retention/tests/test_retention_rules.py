"""A retention rule erases on schedule (R7, freezegun); ``tropa retention run``."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from freezegun import freeze_time

from tropa.accounts.models import Organization, User
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases
from tropa.cases.models import Case, Identity, Stage
from tropa.crypto import keystore
from tropa.retention.erasure import RetentionError, remove_rule, save_rule
from tropa.retention.models import Erasure, RetentionRule
from tropa.retention.tasks import daily_retention_task


def test_a_rule_erases_protected_cases_once_their_months_are_over(
    canary_case: Case, coordinator: User, astana: Organization
) -> None:
    save_rule(actor=coordinator, organization=astana, stage=Stage.PROTECTED, months=6)
    with freeze_time(datetime(2026, 1, 10, 12, tzinfo=UTC)):
        cases.move_stage(actor=coordinator, case=canary_case, to_stage=Stage.PROTECTED)
    with freeze_time(datetime(2026, 7, 9, 12, tzinfo=UTC)):  # a day short of six months
        assert daily_retention_task.enqueue().return_value == 0
    assert Identity.objects.filter(person=canary_case.person).exists()
    with freeze_time(datetime(2026, 7, 10, 13, tzinfo=UTC)):
        assert daily_retention_task.enqueue().return_value == 1
    assert not Identity.objects.filter(person=canary_case.person).exists()
    assert keystore.is_erased(str(canary_case.person_id))
    erasure = Erasure.objects.filter(organization=astana).get()
    assert erasure.trigger == "retention" and erasure.case == canary_case
    runs = AuditEntry.objects.filter(action="retention.run").order_by("seq")
    assert [e.detail["erased"] for e in runs] == [0, 1]
    assert AuditEntry.objects.get(action="case.erased").detail["trigger"] == "retention"


def test_a_rule_leaves_cases_of_another_stage_and_another_organization(
    canary_case: Case, outsider_case: Case, coordinator: User, outsider: User, astana: Organization
) -> None:
    save_rule(actor=coordinator, organization=astana, stage=Stage.CLOSED, months=1)
    with freeze_time(datetime(2026, 1, 10, tzinfo=UTC)):
        cases.move_stage(actor=coordinator, case=canary_case, to_stage=Stage.PROTECTED)
        cases.move_stage(
            actor=outsider, case=outsider_case, to_stage=Stage.CLOSED, reason="withdrew"
        )
    out = StringIO()
    with freeze_time(datetime(2027, 1, 10, tzinfo=UTC)):
        call_command("retention", "run", stdout=out)
    assert "0 case(s) erased" in out.getvalue()
    assert Identity.objects.filter(person=canary_case.person).exists()
    assert Identity.objects.filter(person=outsider_case.person).exists()


def test_rules_are_set_by_admins_and_coordinators_of_the_organization(
    coordinator: User, volunteer: User, outsider: User, astana: Organization, admin_user: User
) -> None:
    with pytest.raises(RetentionError):
        save_rule(actor=volunteer, organization=astana, stage=Stage.PROTECTED, months=6)
    with pytest.raises(RetentionError):
        save_rule(actor=outsider, organization=astana, stage=Stage.PROTECTED, months=6)
    with pytest.raises(RetentionError, match="months"):
        save_rule(actor=coordinator, organization=astana, stage=Stage.PROTECTED, months=0)
    rule = save_rule(actor=admin_user, organization=astana, stage=Stage.PROTECTED, months=6)
    assert save_rule(actor=coordinator, organization=astana, stage="protected", months=3) == rule
    assert RetentionRule.objects.filter(organization=astana).get().months == 3
    assert AuditEntry.objects.filter(action="retention.rule_saved").count() == 2
    remove_rule(actor=coordinator, rule=rule)
    assert not RetentionRule.objects.filter(organization=astana).exists()
    assert AuditEntry.objects.filter(action="retention.rule_removed").exists()
