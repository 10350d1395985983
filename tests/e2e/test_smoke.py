"""The demo coordinator signs in and sees the detention alert on top of the dashboard."""

from __future__ import annotations

from playwright.sync_api import Page

from .conftest import Server, login, shot


def test_the_coordinator_sees_the_detention_alert_first(page: Page, server: Server) -> None:
    login(page, server, "astana-coordinator")
    alerts = page.locator(".alerts .alert-card")
    assert alerts.count() == 1
    assert "Rambo" in alerts.first.inner_text()
    shot(page, "dashboard")
