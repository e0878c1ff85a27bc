"""A knowledge-base page behind a Wagtail view restriction is not listed by the help search."""

from __future__ import annotations

import pytest

from knowledge_base import selectors
from knowledge_base.models import ArticlePage

from .conftest import add_page

pytestmark = pytest.mark.django_db


def test_search_leaves_out_pages_with_a_view_restriction(kb_index):
    from wagtail.models import PageViewRestriction

    open_page = add_page(kb_index, ArticlePage(title="Bangles", slug="bangles", body="<p>Weigh bangles with their clasp.</p>"))
    private = add_page(kb_index, ArticlePage(title="Margins", slug="margins", summary="Our margin on bangles.", body="<p>Internal bangles margin table.</p>"))
    assert {p.pk for p in selectors.search_pages("bangles", "en")} == {open_page.pk, private.pk}

    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.PASSWORD, password="staff-only")
    assert [p.pk for p in selectors.search_pages("bangles", "en")] == [open_page.pk]
    assert selectors.search_pages("margin", "en") == []
