"""The plugin end to end in the tenant panel: menu entry, roles, issuing, per-shop numbers."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from appraisal_helpers import issue
from zargar.tenancy.context import tenant_context
from zargar_appraisals.models import AppraisalCertificate

pytestmark = pytest.mark.django_db


def menu(response) -> dict[str, str]:
    return {entry.label: entry.url for entry in response.context["panel_menu"]}


def test_menu_entry_appears_for_a_member_and_a_viewer(shop_a, member_of, client):
    for role in ("member", "viewer"):
        client.force_login(member_of(shop_a, role))
        assert menu(client.get("/app/"))["Appraisals"] == "/app/appraisals/"


def test_member_issues_a_certificate_from_the_panel(shop_a, shop_b, member_of, client):
    client.force_login(member_of(shop_a, "member"))
    form = client.get("/app/appraisals/new/")
    assert form.status_code == 200
    body = form.content.decode()
    assert f'<option value="{shop_a.item.pk}">' in body and f'<option value="{shop_b.item.pk}">' not in body
    response = client.post(
        "/app/appraisals/new/",
        {"item": shop_a.item.pk, "appraised_value": "1620.50", "appraiser_name": "Parisa Zar", "karat_verified": "21", "notes": "Hallmark checked."},
    )
    assert response.status_code == 302
    with tenant_context(shop_a.tenant):
        certificate = AppraisalCertificate.objects.get()
    assert response["Location"] == f"/app/appraisals/{certificate.pk}/"
    assert certificate.number == "APR-000001"
    assert certificate.appraised_value == Decimal("1620.50") and certificate.currency == "USD"
    assert certificate.karat_verified == 21 and certificate.status == "valid"
    assert certificate.valid_until == timezone.localdate() + datetime.timedelta(days=365)

    detail = client.get(f"/app/appraisals/{certificate.pk}/")
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "APR-000001" in body and "1620.50 USD" in body and "Hallmark checked." in body
    listing = client.get("/app/appraisals/")
    assert "APR-000001" in listing.content.decode()
    assert "Valid appraisal certificates" in [card.title for card in client.get("/app/").context["cards"]]


def test_viewer_can_read_but_not_issue(shop_a, member_of, client):
    certificate = issue(shop_a)
    client.force_login(member_of(shop_a, "viewer"))
    assert client.get("/app/appraisals/").status_code == 200
    assert client.get(f"/app/appraisals/{certificate.pk}/").status_code == 200
    assert "Issue certificate" not in client.get("/app/appraisals/").content.decode()
    assert client.get("/app/appraisals/new/").status_code == 403
    post = client.post("/app/appraisals/new/", {"item": shop_a.item.pk, "appraised_value": "1", "appraiser_name": "X", "karat_verified": "18"})
    assert post.status_code == 403
    with tenant_context(shop_a.tenant):
        assert AppraisalCertificate.objects.count() == 1


def test_bad_input_is_a_form_error_and_saves_nothing(shop_a, shop_b, member_of, client):
    client.force_login(member_of(shop_a, "member"))
    response = client.post(
        "/app/appraisals/new/", {"item": shop_b.item.pk, "appraised_value": "-3", "appraiser_name": "", "karat_verified": "19"}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"item", "appraised_value", "appraiser_name", "karat_verified"}
    past = client.post(
        "/app/appraisals/new/",
        {"item": shop_a.item.pk, "appraised_value": "10", "appraiser_name": "X", "karat_verified": "18", "valid_until": "2000-01-01"},
    )
    assert past.status_code == 400 and "valid_until" in past.context["form"].errors
    with tenant_context(shop_a.tenant):
        assert AppraisalCertificate.objects.count() == 0
    assert issue(shop_a).number == "APR-000001", "a refused certificate uses no number"


def test_another_shops_certificate_is_404_in_the_panel(shop_a, shop_b, member_of, client):
    theirs = issue(shop_b)
    client.force_login(member_of(shop_a, "viewer"))
    assert client.get(f"/app/appraisals/{theirs.pk}/").status_code == 404
    assert "APR-000001" not in client.get("/app/appraisals/").content.decode()


def test_numbers_are_sequential_per_shop(shop_a, shop_b):
    assert [issue(shop_a).number for _ in range(3)] == ["APR-000001", "APR-000002", "APR-000003"]
    assert issue(shop_b).number == "APR-000001"
    assert issue(shop_a).number == "APR-000004"


def test_item_with_certificates_cannot_be_deleted(shop_a, client):
    from django.db.models import ProtectedError

    from modules.inventory import actions as inventory_actions

    issue(shop_a)
    with tenant_context(shop_a.tenant), pytest.raises(ProtectedError):
        inventory_actions.delete_item(shop_a.item)
