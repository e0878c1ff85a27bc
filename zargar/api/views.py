"""Core API views."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import ApiKey
from .serializers import ApiKeySerializer, MeSerializer
from .viewsets import TenantScopedMixin


class MeView(TenantScopedMixin, APIView):
    """Who the credential is and which shop it acts in."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(
            MeSerializer(
                {"email": request.user.email, "full_name": request.user.full_name, "shop": self.tenant.slug, "role": self.role}
            ).data
        )


class ApiKeyViewSet(TenantScopedMixin, mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The shop's API keys. Creating one returns its secret key once; deleting revokes it."""

    serializer_class = ApiKeySerializer
    queryset = ApiKey.objects.all()
    read_permission = write_permission = "tenancy.manage_api_keys"

    def get_queryset(self):
        return ApiKey.objects.filter(tenant=self.tenant, revoked_at__isnull=True)

    def perform_create(self, serializer):
        key, secret = ApiKey.generate(
            tenant=self.tenant, name=serializer.validated_data["name"], mode=serializer.validated_data.get("mode", "live"), created_by=self.request.user
        )
        key.plain_secret = secret
        serializer.instance = key

    def perform_destroy(self, instance):
        instance.revoke()
