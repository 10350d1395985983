"""No table may store client addresses or user agents (R8, P4)."""

from __future__ import annotations

from django.apps import apps

FORBIDDEN = ("ip", "ip_address", "remote_addr", "user_agent", "useragent", "client_ip")


def test_no_model_has_a_column_for_client_addresses() -> None:
    offenders = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if getattr(field, "column", None)
        and any(
            word == field.name.lower() or field.name.lower().endswith(f"_{word}")
            for word in FORBIDDEN
        )
    ]
    assert offenders == []
