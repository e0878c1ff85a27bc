from __future__ import annotations

from rest_framework import serializers

from zargar.tenancy.models import Membership

from .models import ApiKey


class MembershipSerializer(serializers.ModelSerializer):
    shop = serializers.CharField(source="tenant.slug")
    shop_name = serializers.CharField(source="tenant.name")

    class Meta:
        model = Membership
        fields = ["shop", "shop_name", "role"]


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField()
    shop = serializers.CharField(help_text="Slug of the shop this request acts in")
    role = serializers.CharField()


class ApiKeySerializer(serializers.ModelSerializer):
    secret_key = serializers.SerializerMethodField(help_text="Shown once, in the response that creates the key")

    class Meta:
        model = ApiKey
        fields = ["id", "name", "mode", "publishable_key", "secret_key", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = ["id", "publishable_key", "secret_key", "created_at", "last_used_at", "revoked_at"]

    def get_secret_key(self, obj) -> str | None:
        return getattr(obj, "plain_secret", None)
