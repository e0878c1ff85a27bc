from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DashboardCard:
    """One card of `ExtensionPoint.DASHBOARD_CARDS`: a title, a value, an optional link."""

    title: str
    value: Any
    url: str | None = None
