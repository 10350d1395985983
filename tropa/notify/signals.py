"""The hook into alert creation: queue the notification after the alert's commit.

``tropa.cases`` does not know this app: the receiver is connected in ``NotifyConfig.ready``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tropa.cases.models import Alert


def alert_saved(sender: type[Alert], instance: Alert, created: bool, **kwargs: Any) -> None:
    if not created or kwargs.get("raw"):
        return
    from . import tasks

    alert_id = str(instance.pk)
    transaction.on_commit(lambda: tasks.enqueue_after_alert(alert_id))
