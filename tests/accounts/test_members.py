"""Member management at /app/members/: roles, last-owner protection, 403 for non-admins."""

from __future__ import annotations

import pytest

from zargar.accounts.models import Invitation
from zargar.tenancy.context import tenant_context
from zargar.tenancy.models import Membership

from ..factories import make_member, make_shop
from .helpers import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return make_shop("Alpha Gold")


def _m(tenant, user) -> Membership | None:
    with tenant_context(tenant):
        return Membership.objects.filter(tenant=tenant, user=user).first()


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_owner_sees_members_with_roles(client, shop):
    tenant, owner = shop
    admin = make_member(tenant, "admin")
    viewer = make_member(tenant, "viewer")
    login(client, owner.email)
    page = client.get("/app/members/")
    assert page.status_code == 200
    rows = [(row["membership"].user.email, row["membership"].role) for row in page.context["members"]]
    assert rows == [(owner.email, "owner"), (admin.email, "admin"), (viewer.email, "viewer")]
    assert page.context["can_manage"] is True


def test_role_change(client, shop):
    tenant, owner = shop
    member = make_member(tenant, "member")
    login(client, owner.email)
    m = _m(tenant, member)
    response = client.post(f"/app/members/{m.pk}/role/", {f"m{m.pk}-role": "admin"}, follow=True)
    assert "is now Admin" in _messages(response)
    assert _m(tenant, member).role == "admin"


def test_last_owner_cannot_be_demoted_or_removed(client, shop):
    tenant, owner = shop
    login(client, owner.email)
    m = _m(tenant, owner)
    response = client.post(f"/app/members/{m.pk}/role/", {f"m{m.pk}-role": "admin"}, follow=True)
    assert "at least one owner" in _messages(response)
    assert _m(tenant, owner).role == "owner"
    response = client.post(f"/app/members/{m.pk}/remove/", follow=True)
    assert "at least one owner" in _messages(response)
    assert _m(tenant, owner) is not None

    # With a second owner, the first may step down.
    second = make_member(tenant, "owner")
    client.post(f"/app/members/{m.pk}/role/", {f"m{m.pk}-role": "admin"})
    assert _m(tenant, owner).role == "admin"
    assert _m(tenant, second).role == "owner"


def test_admin_cannot_touch_an_owner_or_promote_to_owner(client, shop):
    tenant, owner = shop
    admin = make_member(tenant, "admin")
    member = make_member(tenant, "member")
    second_owner = make_member(tenant, "owner")
    login(client, admin.email)
    owner_m = _m(tenant, second_owner)
    response = client.post(f"/app/members/{owner_m.pk}/role/", {f"m{owner_m.pk}-role": "member"}, follow=True)
    assert "higher than yours" in _messages(response)
    assert client.post(f"/app/members/{owner_m.pk}/remove/", follow=True).status_code == 200
    assert _m(tenant, second_owner).role == "owner"
    member_m = _m(tenant, member)
    response = client.post(f"/app/members/{member_m.pk}/role/", {f"m{member_m.pk}-role": "owner"}, follow=True)
    assert "Choose one of the roles" in _messages(response)
    assert _m(tenant, member).role == "member"
    # An admin may manage people at or below their rank.
    client.post(f"/app/members/{member_m.pk}/role/", {f"m{member_m.pk}-role": "viewer"})
    assert _m(tenant, member).role == "viewer"
    client.post(f"/app/members/{member_m.pk}/remove/")
    assert _m(tenant, member) is None


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_non_admins_get_403_on_management_actions(client, shop, role):
    tenant, owner = shop
    user = make_member(tenant, role)
    login(client, owner.email)
    client.post("/app/members/invite/", {"email": "someone@example.com", "role": "member"}, follow=True)
    client.post("/accounts/logout/")
    with tenant_context(tenant):
        invitation = Invitation.objects.get(tenant=tenant)
    owner_m = _m(tenant, owner)

    login(client, user.email)
    page = client.get("/app/members/")
    assert page.status_code == 200  # the list is visible to every member, read-only
    assert page.context["can_manage"] is False and page.context["invite_form"] is None
    assert "someone@example.com" not in page.content.decode()
    assert client.post("/app/members/invite/", {"email": "x@example.com", "role": "viewer"}).status_code == 403
    assert client.post(f"/app/members/{owner_m.pk}/role/", {f"m{owner_m.pk}-role": "viewer"}).status_code == 403
    assert client.post(f"/app/members/{owner_m.pk}/remove/").status_code == 403
    assert client.post(f"/app/members/invitations/{invitation.pk}/revoke/").status_code == 403
    assert _m(tenant, owner).role == "owner"
    with tenant_context(tenant):
        assert Invitation.objects.get(pk=invitation.pk).revoked_at is None
        assert Invitation.objects.filter(tenant=tenant).count() == 1


def test_members_of_another_shop_are_404(client, shop):
    tenant, owner = shop
    other, other_owner = make_shop("Beta Gold")
    login(client, owner.email)
    other_m = _m(other, other_owner)
    assert client.post(f"/app/members/{other_m.pk}/role/", {f"m{other_m.pk}-role": "viewer"}).status_code == 404
    assert client.post(f"/app/members/{other_m.pk}/remove/").status_code == 404
    assert _m(other, other_owner).role == "owner"


def test_members_page_needs_login(client):
    response = client.get("/app/members/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
