"""The plugin's API route `/api/v1/appraisals/certificates/`: shop scope, roles, validation."""

from __future__ import annotations

import pytest

from appraisal_helpers import issue
from zargar.tenancy.context import tenant_context
from zargar_appraisals.models import AppraisalCertificate

pytestmark = pytest.mark.django_db

URL = "/api/v1/appraisals/certificates/"


def payload(item, **extra):
    body = {"item": item.pk, "appraised_value": "1500.00", "appraiser_name": "Parisa Zar", "karat_verified": 22}
    body.update(extra)
    return body


def test_list_shows_only_the_shops_certificates_and_404s_another_shops(shop_a, shop_b, member_of, api_as):
    mine = [issue(shop_a), issue(shop_a, "900.00")]
    theirs = issue(shop_b)
    api = api_as(member_of(shop_a, "viewer"), shop_a)
    listed = api.get(URL)
    assert listed.status_code == 200
    rows = listed.json()["results"]
    assert sorted(row["id"] for row in rows) == sorted(c.pk for c in mine)
    assert {row["number"] for row in rows} == {"APR-000001", "APR-000002"}
    assert rows[0]["item_sku"] == "A-1" and rows[0]["currency"] == "USD"

    assert api.get(f"{URL}{mine[0].pk}/").json()["appraised_value"] == "1500.00"
    missing = api.get(f"{URL}{theirs.pk}/")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "not_found", "message": "Not found."}}


def test_member_issues_through_the_api(shop_a, member_of, api_as):
    api = api_as(member_of(shop_a, "member"), shop_a)
    response = api.post(URL, payload(shop_a.item, notes="Stones: none"), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == "APR-000001" and body["status"] == "valid" and body["item"] == shop_a.item.pk
    with tenant_context(shop_a.tenant):
        assert AppraisalCertificate.objects.get(pk=body["id"]).notes == "Stones: none"


def test_viewer_cannot_issue_through_the_api(shop_a, member_of, api_as):
    response = api_as(member_of(shop_a, "viewer"), shop_a).post(URL, payload(shop_a.item), format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    with tenant_context(shop_a.tenant):
        assert not AppraisalCertificate.objects.exists()


def test_another_shops_item_is_a_404_and_saves_nothing(shop_a, shop_b, member_of, api_as):
    response = api_as(member_of(shop_a, "member"), shop_a).post(URL, payload(shop_b.item), format="json")
    assert response.status_code == 404  # a referenced object the shop does not have (zargar.api.errors)
    error = response.json()["error"]
    assert error["code"] == "resource_missing" and "item" in error["fields"]
    assert error["message"] == f"item: Item {shop_b.item.pk} is not an item of this shop."
    for shop in (shop_a, shop_b):
        with tenant_context(shop.tenant):
            assert not AppraisalCertificate.objects.exists()


def test_invalid_values_are_400s(shop_a, member_of, api_as):
    api = api_as(member_of(shop_a, "member"), shop_a)
    for bad in ({"appraised_value": "-1"}, {"karat_verified": 19}, {"appraiser_name": ""}, {"valid_until": "1999-12-31"}):
        response = api.post(URL, payload(shop_a.item, **bad), format="json")
        assert response.status_code == 400, bad
        assert set(response.json()["error"]["fields"]) == set(bad), bad


def test_certificates_cannot_be_edited_or_deleted(shop_a, api_as):
    certificate = issue(shop_a)
    api = api_as(shop_a.owner, shop_a)
    assert api.patch(f"{URL}{certificate.pk}/", {"appraised_value": "1"}, format="json").status_code == 405
    assert api.delete(f"{URL}{certificate.pk}/").status_code == 405


def test_search_and_issued_range_filters(shop_a, member_of, api_as):
    """`?q=` searches number, SKU, item name and appraiser; `issued_after` includes its instant,
    `issued_before` excludes it (the shared zargar.api.filters helpers)."""
    first = issue(shop_a, appraiser_name="Parisa Zar")
    second = issue(shop_a, appraiser_name="Kaveh Sarraf")
    api = api_as(member_of(shop_a, "viewer"), shop_a)

    def ids(**params):
        response = api.get(URL, params)
        assert response.status_code == 200, response.json()
        return sorted(row["id"] for row in response.json()["results"])

    assert ids(q="  kaveh ") == [second.pk]
    assert ids(q="APR-000001") == [first.pk]
    assert ids(q="bangle a") == sorted([first.pk, second.pk]) and ids(q="a-2") == []
    assert ids(q="") == sorted([first.pk, second.pk])  # blank text: no filter
    at = second.issued_at.isoformat()
    assert ids(issued_after=at) == [second.pk]
    assert ids(issued_before=at) == [first.pk]
    assert ids(issued_after=first.issued_at.isoformat(), issued_before=at) == [first.pk]
    bad = api.get(URL, {"issued_after": "yesterday"})
    assert bad.status_code == 400 and "issued_after" in bad.json()["error"]["fields"]
