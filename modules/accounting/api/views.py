from __future__ import annotations

from rest_framework import viewsets

from zargar.api.viewsets import TenantScopedMixin

from .. import selectors
from .serializers import JournalEntrySerializer


class JournalEntryViewSet(TenantScopedMixin, viewsets.ReadOnlyModelViewSet):
    """The shop's journal entries (read-only), newest first, with lines and source document.
    Another shop's entry answers 404. Needs `accounting.view_books` (admin and owner; a secret
    API key)."""

    serializer_class = JournalEntrySerializer
    read_permission = "accounting.view_books"
    lookup_field = "uuid"
    lookup_value_regex = "[0-9a-f-]{36}"

    def get_queryset(self):
        return selectors.journal_entries(self.tenant)


