from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from zargar.api.viewsets import TenantModelViewSet

from .. import actions
from ..apps import ISSUE, VIEW
from ..models import AppraisalCertificate
from .filters import CertificateFilter
from .serializers import CertificateSerializer


class CertificateViewSet(TenantModelViewSet):
    """Appraisal certificates of the shop: list, read and issue (certificates are never edited
    or deleted). Filter with `?q=` (number, SKU, item name, appraiser) and `?status=`."""

    serializer_class = CertificateSerializer
    queryset = AppraisalCertificate.objects.select_related("item")
    read_permission = VIEW
    write_permission = ISSUE
    http_method_names = ["get", "post", "head", "options"]
    filterset_class = CertificateFilter

    def perform_create(self, serializer):
        try:
            serializer.instance = actions.issue_certificate(self.tenant, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            ) from exc
