"""Source documents: the record (a sale, a return, a payment…) that a journal entry, a stock
movement or a store-credit entry came from, kept as a generic reference (content type + id).

    ct, object_id = document_key(sale)                       # a saved model instance
    ct, object_id = document_key(("pos.sale", 42))           # or a (type, id) pair
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext as _

DOCUMENT_ID_MAX_LENGTH = 64


class DocumentError(ValueError):
    """A source document Zargar cannot refer to; `str(error)` is a translated message for the
    user. Callers raise their own error type with it (a 400 field error, a posting error)."""


def document_key(document) -> tuple[ContentType, str]:
    """`(content type, object id)` of `document`: a saved model instance, or a `(type, id)` pair
    whose type is a ContentType, a model class or `"app_label.model"` and whose id is 1 to 64
    characters once stripped (it need not exist: a document of another system may be named).

    Raises `DocumentError` for an unsaved instance, an unknown type, a bad id or anything else.
    """
    if isinstance(document, models.Model):
        if document.pk is None:
            raise DocumentError(_("The source document has not been saved."))
        return ContentType.objects.get_for_model(document), str(document.pk)
    if not (isinstance(document, (tuple, list)) and len(document) == 2):
        raise DocumentError(_("A source is a model instance or a (type, id) pair."))
    kind, object_id = document
    if isinstance(kind, ContentType):
        content_type = kind
    elif isinstance(kind, type) and issubclass(kind, models.Model):
        content_type = ContentType.objects.get_for_model(kind)
    elif isinstance(kind, str) and kind.count(".") == 1:
        try:
            content_type = ContentType.objects.get_for_model(apps.get_model(kind))
        except (LookupError, ValueError):
            raise DocumentError(_("Unknown source document type %(type)s.") % {"type": kind}) from None
    else:
        raise DocumentError(_("Unknown source document type %(type)s.") % {"type": kind})
    object_id = str(object_id).strip()
    if not object_id or len(object_id) > DOCUMENT_ID_MAX_LENGTH:
        raise DocumentError(_("The source document id must be 1 to 64 characters."))
    return content_type, object_id
