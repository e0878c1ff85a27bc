"""The link between a shop and its django-ledger books, and between journal entries and the
documents (sales, returns, receipts, ...) they record.

django-ledger's own tables hold the books (entity, chart of accounts, accounts, ledgers, journal
entries, transactions). They carry a `tenant_id` column and a forced RLS policy added by this app's
migration 0002 (see `ledger_rls.py`); Django's models for them do not know that column, whose
default comes from `SET LOCAL app.tenant_id` — so every write to them runs inside `tenant_context`.

Why `SourceDocumentLink` instead of django-ledger's own fields: a journal entry has only a free
`origin` text (30 characters, not unique) and a ledger has `ledger_xid`, unique per entity but
meant for a ledger per wrapped document (bills, invoices). A separate tenant table with a unique
(shop, content type, object id) key gives idempotency enforced by the database, a generic foreign
key to any Zargar model, and plain RLS as a `TenantModel`. `JournalEntryModel.origin` still gets
`"zargar:<app_label.model>"` so django-ledger's own views show where an entry came from.
"""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_ledger.models import EntityModel, JournalEntryModel, LedgerModel

from zargar.tenancy.models import TenantModel


class ShopBooks(TenantModel):
    """A shop's django-ledger entity and the general ledger its postings go to (one per shop)."""

    entity = models.OneToOneField(EntityModel, on_delete=models.PROTECT, related_name="+")
    ledger = models.OneToOneField(LedgerModel, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant"], name="accounting_shopbooks_one_per_shop"),
        ]
        verbose_name = _("shop books")
        verbose_name_plural = _("shop books")

    def __str__(self) -> str:
        return f"books of shop {self.tenant_id}"


class SourceDocumentLink(TenantModel):
    """The document a journal entry records: content type + object id (text, so UUID keys fit).

    At most one entry per document (`accounting_source_unique`): posting the same document twice
    is refused, which makes posting idempotent per source.
    """

    journal_entry = models.OneToOneField(JournalEntryModel, on_delete=models.CASCADE, related_name="zargar_source")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    source = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "content_type", "object_id"], name="accounting_source_unique"),
        ]
        verbose_name = _("source document link")

    def __str__(self) -> str:
        return f"{self.content_type.app_label}.{self.content_type.model}:{self.object_id}"
