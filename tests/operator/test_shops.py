"""Operator shop management: create (owner or invitation), list filters, edit, members."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import make_member, make_shop, make_user
from zargar.accounts.models import User
from zargar.audit.models import AuditEvent
from zargar.tenancy.context import tenant_context
from zargar.tenancy.models import Membership, Role, Tenant

pytestmark = pytest.mark.django_db

SETTINGS = {"default_locale": "fa", "time_zone": "Asia/Tehran", "currency": "irr"}


def _events(tenant, action):
    with tenant_context(tenant):
        return list(AuditEvent.objects.filter(tenant=tenant, action=action))


def test_create_shop_for_an_existing_user(operator_client):
    owner = make_user("owner@example.com")
    response = operator_client.post("/operator/shops/new/", {"name": "Nur Gold", "owner_email": "Owner@Example.com", **SETTINGS})
    tenant = Tenant.objects.get(name="Nur Gold")
    assert response.status_code == 302 and response["Location"] == f"/operator/shops/{tenant.pk}/"
    assert (tenant.default_locale, tenant.time_zone, tenant.currency) == ("fa", "Asia/Tehran", "IRR")
    with tenant_context(tenant):
        assert Membership.objects.get(tenant=tenant).user == owner
    assert Membership.objects.filter(user=operator_client.operator).count() == 0
    (event,) = _events(tenant, "tenancy.shop.created")
    assert event.actor == operator_client.operator and event.changes["owner"] == "member"


def test_create_shop_for_a_new_address_emails_the_owner_a_set_password_link(operator_client):
    response = operator_client.post("/operator/shops/new/", {"name": "Nova Gold", "owner_email": "new@example.com", **SETTINGS})
    assert response.status_code == 302
    tenant = Tenant.objects.get(name="Nova Gold")
    owner = User.objects.get(email="new@example.com")
    assert not owner.has_usable_password()  # nobody knows a password until the owner sets one
    with tenant_context(tenant):
        assert Membership.objects.get(tenant=tenant).user == owner
        assert Membership.objects.get(tenant=tenant).role == Role.OWNER
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new@example.com"]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert _events(tenant, "tenancy.shop.created")[0].changes["owner"] == "invited"


def test_create_shop_form_errors_write_nothing(operator_client):
    response = operator_client.post("/operator/shops/new/", {"name": "Bad Gold", "owner_email": "x@example.com", "default_locale": "en", "time_zone": "Mars/Base", "currency": "US"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Unknown time zone" in body and "three-letter" in body
    assert not Tenant.objects.filter(name="Bad Gold").exists()
    response = operator_client.post("/operator/shops/new/", {"name": "Op Gold", "owner_email": operator_client.operator.email, **SETTINGS})
    assert "cannot own a shop" in response.content.decode()
    assert not Tenant.objects.filter(name="Op Gold").exists()


def test_list_filters_by_status_and_signup_date(operator_client):
    old, _ = make_shop("Old Gold")
    Tenant.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40), status="suspended")
    make_shop("Young Gold")
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    body = operator_client.get("/operator/shops/", {"created_from": since}).content.decode()
    assert "Young Gold" in body and "Old Gold" not in body
    body = operator_client.get("/operator/shops/", {"status": "suspended"}).content.decode()
    assert "Old Gold" in body and "Young Gold" not in body


def test_edit_shop_settings_is_audited_with_before_and_after(operator_client):
    tenant, _ = make_shop("Edit Gold")
    response = operator_client.post(f"/operator/shops/{tenant.pk}/", {"name": "Edited Gold", "default_locale": "en", "time_zone": "UTC", "currency": "EUR"})
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert (tenant.name, tenant.currency) == ("Edited Gold", "EUR")
    (event,) = _events(tenant, "tenancy.shop.updated")
    assert event.changes == {"name": ["Edit Gold", "Edited Gold"], "currency": ["USD", "EUR"]}


def test_members_role_change_and_password_reset(operator_client):
    tenant, owner = make_shop("Team Gold")
    member = make_member(tenant, "member")
    with tenant_context(tenant):
        membership = Membership.objects.get(tenant=tenant, user=member)
        owner_membership = Membership.objects.get(tenant=tenant, user=owner)
    page = operator_client.get(f"/operator/shops/{tenant.pk}/").content.decode()
    assert member.email in page and owner.email in page

    operator_client.post(f"/operator/shops/{tenant.pk}/members/{membership.pk}/role/", {"role": "admin"})
    with tenant_context(tenant):
        assert Membership.objects.get(pk=membership.pk).role == "admin"
    (event,) = _events(tenant, "tenancy.member.role_changed")
    assert event.changes["role"] == ["member", "admin"] and event.actor == operator_client.operator

    # The last owner cannot be demoted.
    operator_client.post(f"/operator/shops/{tenant.pk}/members/{owner_membership.pk}/role/", {"role": "viewer"})
    with tenant_context(tenant):
        assert Membership.objects.get(pk=owner_membership.pk).role == "owner"

    # Another shop's membership id is refused.
    other, _ = make_shop("Other Gold")
    response = operator_client.post(f"/operator/shops/{other.pk}/members/{membership.pk}/role/", {"role": "viewer"}, follow=True)
    assert "does not belong" in response.content.decode()

    operator_client.post(f"/operator/shops/{tenant.pk}/members/{membership.pk}/password-reset/")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [member.email]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert len(_events(tenant, "tenancy.member.password_reset_sent")) == 1
    member.refresh_from_db()
    assert member.check_password("correct-horse-battery-9")  # unchanged: the operator never sets it


def test_list_is_paginated_and_the_pager_keeps_the_filters(operator_client):
    from zargar.operator.views import SHOPS_PER_PAGE

    for n in range(SHOPS_PER_PAGE + 5):
        make_shop(f"Page Gold {n:03d}")
    make_shop("Other Silver")
    first = operator_client.get("/operator/shops/", {"q": "Page Gold"})
    body = first.content.decode()
    assert len(first.context["page"]) == SHOPS_PER_PAGE and "Page Gold 000" in body and "Page Gold 054" not in body
    assert "Other Silver" not in body
    assert "?q=Page+Gold&amp;page=2" in body  # the next page keeps the search
    second = operator_client.get("/operator/shops/", {"q": "Page Gold", "page": "2"})
    assert [t.name for t in second.context["page"]] == [f"Page Gold {n:03d}" for n in range(SHOPS_PER_PAGE, SHOPS_PER_PAGE + 5)]
    assert operator_client.get("/operator/shops/", {"q": "Page Gold", "page": "99"}).context["page"].number == 2  # past the end: the last page
    # The pager's HTMX request swaps the table only.
    partial = operator_client.get("/operator/shops/", {"q": "Page Gold", "page": "2"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="shop-list").content.decode()
    assert "Page Gold 054" in partial and "<html" not in partial and "Search by name or slug" not in partial
