"""Flows through allauth's real views, shared by the accounts tests."""

from __future__ import annotations

import re

from django.core import mail

from ..factories import PASSWORD

STRONG_PASSWORD = "Amber-Lantern-Karat-42"
LINK = re.compile(r"https?://testserver(/\S+)")


def signup(client, email: str, *, shop_name: str | None = "Golden Rose", password: str = STRONG_PASSWORD, password2: str | None = None, next_url: str | None = None):
    data = {"email": email, "password1": password, "password2": password2 if password2 is not None else password}
    if shop_name is not None:
        data["shop_name"] = shop_name
    if next_url:
        data["next"] = next_url
    return client.post("/accounts/signup/", data)


def links_in_last_mail(to: str) -> list[str]:
    message = next(m for m in reversed(mail.outbox) if to in m.to)
    return LINK.findall(message.body)


def confirm_email(client, email: str) -> None:
    """Open the verification link of the last email to `email` and confirm (POST, as allauth asks)."""
    (link,) = [path for path in links_in_last_mail(email) if "/confirm-email/" in path]
    page = client.get(link)
    assert page.status_code == 200
    response = client.post(link)
    assert response.status_code == 302, response.content[:500]


def login(client, email: str, password: str = PASSWORD, *, next_url: str | None = None):
    data = {"login": email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/accounts/login/", data)
