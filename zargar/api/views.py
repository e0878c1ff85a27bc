"""Core API views: JWT tokens, who-am-I, and the shop's API keys."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from . import actions, selectors
from .models import ApiKey
from .serializers import ApiKeyRollSerializer, ApiKeySerializer, MeSerializer, TokenPairSerializer, TokenPairWithOtpSerializer, TokenRefreshResponseSerializer
from .viewsets import TenantScopedMixin

JWT_SHOP_NOTE = (
    "JWTs identify the user, not a shop: send the shop's slug in the `X-Tenant` header on every "
    "request (it may be left out when the user belongs to exactly one shop). A shop the user is not "
    "a member of answers 404. Send the access token as `Authorization: Bearer <access>`."
)


@extend_schema(tags=["auth"], request=TokenPairWithOtpSerializer, responses={200: TokenPairSerializer}, description=(
    "Exchange email and password (and `otp`, a current two-factor code, when the user has enrolled "
    "a TOTP device) for an access and a refresh token. " + JWT_SHOP_NOTE
))
class ZargarTokenObtainPairView(TokenObtainPairView):
    """`POST /api/v1/auth/token/` `{email, password, otp?}` → `{access, refresh}`.

    401 `no_active_account` for wrong credentials or an inactive user, 401
    `two_factor_required` when a 2FA-enrolled user's `otp` is missing or wrong, 400 for a
    missing field. The tokens carry the user id only; the shop is chosen per request with the
    `X-Tenant` header (see `zargar.api.viewsets.resolve_api_tenant`).
    """

    serializer_class = TokenPairWithOtpSerializer


@extend_schema(tags=["auth"], responses={200: TokenRefreshResponseSerializer}, description=(
    "Exchange a refresh token for a new access token. " + JWT_SHOP_NOTE
))
class ZargarTokenRefreshView(TokenRefreshView):
    """`POST /api/v1/auth/token/refresh/` `{refresh}` → `{access}`; 401 for an invalid or
    expired refresh token."""


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
    """The shop's active API keys (admins and owners, signed in with a session or a JWT — an API
    key cannot manage keys). Creating one returns its `secret_key` once; deleting revokes it;
    `POST <id>/roll/` replaces it (the old secret works for `grace_seconds` more)."""

    serializer_class = ApiKeySerializer
    queryset = ApiKey.objects.none()
    read_permission = write_permission = "tenancy.manage_api_keys"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if isinstance(request.auth, ApiKey):
            raise exceptions.PermissionDenied(_("API keys cannot manage API keys; sign in as a shop admin."))

    def get_queryset(self):
        return selectors.api_keys_of(self.tenant)

    def perform_create(self, serializer):
        try:
            data = serializer.validated_data
            key, secret = actions.create_api_key(
                self.tenant, name=data["name"], mode=data.get("mode", "live"), created_by=self.request.user,
                scopes=data.get("scopes") or ["*"], rate_limit_per_minute=data.get("rate_limit_per_minute"),
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        key.plain_secret = secret
        serializer.instance = key

    def perform_destroy(self, instance):
        actions.revoke_api_key(self.tenant, instance)

    @extend_schema(request=ApiKeyRollSerializer, responses={201: ApiKeySerializer})
    @action(detail=True, methods=["post"])
    def roll(self, request, pk=None):
        """Replace the key by a new pair (same name, mode, scopes, rate limit); the response holds
        the new `secret_key` once. The old key is revoked at once (`grace_seconds` 0) or keeps
        working until its `expires_at`."""
        key = self.get_object()
        data = ApiKeyRollSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            new_key, secret = actions.roll_api_key(self.tenant, key, created_by=request.user, grace_seconds=int(data.validated_data["grace_seconds"]))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        new_key.plain_secret = secret
        return Response(ApiKeySerializer(new_key).data, status=status.HTTP_201_CREATED)
