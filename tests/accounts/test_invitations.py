"""Invitations end to end: invite by email, accept through signup/login, expiry, revoke,
wrong tokens, and shop isolation."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from zargar.accounts.actions import invite_member
from zargar.accounts.models import Invitation, User
from zargar.tenancy.context import tenant_context
from zargar.tenancy.middleware import SESSION_KEY
from zargar.tenancy.models import Membership

from ..factories import make_member, make_shop, make_user
from .helpers import confirm_email, links_in_last_mail, login, signup

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    tenant, owner = make_shop("Alpha Gold")
    return tenant, owner


def _invite(tenant, owner, email="new@example.com", role="admin"):
    return invite_member(tenant, actor=owner, email=email, role=role, base_url="http://testserver/")


def _invitation(tenant, **filters) -> Invitation:
    with tenant_context(tenant):
        return Invitation.objects.get(tenant=tenant, **filters)


def _membership(tenant, user) -> Membership | None:
    with tenant_context(tenant):
        return Membership.objects.filter(tenant=tenant, user=user).first()


def test_invite_accept_end_to_end_through_signup(client, shop):
    tenant, owner = shop
    login(client, owner.email)
    response = client.post("/app/members/invite/", {"email": "New@Example.com", "role": "admin"})
    assert response.status_code == 302 and response["Location"] == "/app/members/"

    (message,) = mail.outbox
    assert message.to == ["new@example.com"] and "Alpha Gold" in message.subject
    (link,) = links_in_last_mail("new@example.com")
    assert link.startswith(f"/invitations/{tenant.slug}/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = _invitation(tenant, email="new@example.com")
    assert invitation.token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(vars(invitation).values())  # only the digest is stored
    assert invitation.role == "admin" and invitation.invited_by == owner
    assert timedelta(days=6, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=7)
    assert "new@example.com" in client.get("/app/members/").content.decode()
    client.post("/accounts/logout/")

    # A visitor sees the shop and the role, and is offered login or signup that come back here.
    page = client.get(link)
    body = page.content.decode()
    assert page.status_code == 200 and "Alpha Gold" in body and "Admin" in body
    assert f"/accounts/signup/?next={link.replace('/', '%2F')}" in body
    assert client.post(link)["Location"].startswith("/accounts/login/?next=")

    # Signup (no shop of their own needed), verify the email, sign in, come back, accept.
    assert signup(client, "new@example.com", shop_name="", next_url=link).status_code == 302
    confirm_email(client, "new@example.com")
    response = login(client, "new@example.com", "Amber-Lantern-Karat-42", next_url=link)
    assert response["Location"] == link
    assert client.get(link).status_code == 200
    accepted = client.post(link)
    assert accepted.status_code == 302 and accepted["Location"] == "/app/"

    user = User.objects.get(email="new@example.com")
    assert _membership(tenant, user).role == "admin"
    invitation = _invitation(tenant, pk=invitation.pk)
    assert invitation.accepted_at is not None and invitation.accepted_by == user
    assert client.session[SESSION_KEY] == tenant.pk
    assert "Alpha Gold" in client.get("/app/").content.decode()

    # The link is used up: a clear page, nothing new.
    again = client.post(link)
    assert again.status_code == 410 and "already been used" in again.content.decode()
    with tenant_context(tenant):
        assert Membership.objects.filter(tenant=tenant).count() == 2


def test_existing_user_accepts_and_the_session_switches_shop(client, shop):
    tenant, owner = shop
    other_shop, someone = make_shop("Beta Gold")
    sent = _invite(tenant, owner, email=someone.email, role="viewer")
    login(client, someone.email)
    client.get("/app/")
    assert client.session[SESSION_KEY] == other_shop.pk
    path = sent.url.replace("http://testserver", "")
    assert client.post(path).status_code == 302
    assert client.session[SESSION_KEY] == tenant.pk
    assert _membership(tenant, someone).role == "viewer"
    assert _membership(other_shop, someone).role == "owner"


def test_expired_invitation_is_refused_and_creates_nothing(client, shop):
    tenant, owner = shop
    sent = _invite(tenant, owner)
    with tenant_context(tenant):
        Invitation.objects.filter(pk=sent.invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    user = make_user("new@example.com")
    login(client, user.email)
    path = sent.url.replace("http://testserver", "")
    page = client.get(path)
    assert page.status_code == 410 and "expired" in page.content.decode()
    response = client.post(path)
    assert response.status_code == 410
    assert _membership(tenant, user) is None
    assert _invitation(tenant, pk=sent.invitation.pk).accepted_at is None


def test_revoked_invitation_is_refused(client, shop):
    tenant, owner = shop
    sent = _invite(tenant, owner)
    login(client, owner.email)
    assert client.post(f"/app/members/invitations/{sent.invitation.pk}/revoke/").status_code == 302
    assert _invitation(tenant, pk=sent.invitation.pk).revoked_at is not None
    assert "new@example.com" not in client.get("/app/members/").context["invitations"].__repr__()
    client.post("/accounts/logout/")

    user = make_user("new@example.com")
    login(client, user.email)
    response = client.post(sent.url.replace("http://testserver", ""))
    assert response.status_code == 410 and "withdrawn" in response.content.decode()
    assert _membership(tenant, user) is None


@pytest.mark.parametrize("path_kind", ["bad_token", "other_shop", "unknown_shop"])
def test_wrong_links_are_refused(client, shop, path_kind):
    tenant, owner = shop
    other, _ = make_shop("Beta Gold")
    sent = _invite(tenant, owner)
    token = sent.token
    path = {
        "bad_token": f"/invitations/{tenant.slug}/{token[:-2]}xx/",
        "other_shop": f"/invitations/{other.slug}/{token}/",  # right token, wrong shop: RLS finds nothing
        "unknown_shop": f"/invitations/no-such-shop/{token}/",
    }[path_kind]
    user = make_user("new@example.com")
    login(client, user.email)
    page = client.get(path)
    assert page.status_code == 404 and "not valid" in page.content.decode()
    assert client.post(path).status_code == 404
    assert _membership(tenant, user) is None and _membership(other, user) is None


def test_admin_cannot_revoke_another_shops_invitation(client, shop):
    tenant_a, owner_a = shop
    tenant_b, owner_b = make_shop("Beta Gold")
    admin_a = make_member(tenant_a, "admin")
    sent_b = _invite(tenant_b, owner_b, email="b-invitee@example.com")
    login(client, admin_a.email)
    response = client.post(f"/app/members/invitations/{sent_b.invitation.pk}/revoke/")
    assert response.status_code == 404
    assert _invitation(tenant_b, pk=sent_b.invitation.pk).revoked_at is None
    assert "b-invitee@example.com" not in client.get("/app/members/").content.decode()


def test_inviting_a_current_member_is_a_form_error(client, shop):
    tenant, owner = shop
    member = make_member(tenant, "member")
    login(client, owner.email)
    response = client.post("/app/members/invite/", {"email": member.email.upper(), "role": "member"})
    assert response.status_code == 400
    assert "already a member" in " ".join(response.context["invite_form"].non_field_errors())
    with tenant_context(tenant):
        assert not Invitation.objects.filter(tenant=tenant).exists()
    assert mail.outbox == []


@pytest.mark.parametrize(("data", "field"), [({"email": "not-an-email", "role": "member"}, "email"), ({"email": "x@example.com", "role": "boss"}, "role")])
def test_bad_invite_input_is_a_form_error(client, shop, data, field):
    tenant, owner = shop
    login(client, owner.email)
    response = client.post("/app/members/invite/", data)
    assert response.status_code == 400 and field in response.context["invite_form"].errors
    with tenant_context(tenant):
        assert not Invitation.objects.filter(tenant=tenant).exists()


def test_admin_cannot_invite_an_owner(client, shop):
    tenant, _ = shop
    admin = make_member(tenant, "admin")
    login(client, admin.email)
    response = client.post("/app/members/invite/", {"email": "boss@example.com", "role": "owner"})
    assert response.status_code == 400 and "role" in response.context["invite_form"].errors
    with tenant_context(tenant):
        assert not Invitation.objects.filter(tenant=tenant).exists()


def test_reinviting_replaces_the_pending_invitation(shop):
    tenant, owner = shop
    first = _invite(tenant, owner)
    second = _invite(tenant, owner, role="member")
    assert _invitation(tenant, pk=first.invitation.pk).revoked_at is not None
    assert _invitation(tenant, pk=second.invitation.pk).is_pending
    assert len(mail.outbox) == 2
