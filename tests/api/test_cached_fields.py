"""`zargar.api.serializers.CachedFieldsMixin`: fields built once per class, copied per instance —
each copy bound to its own serializer and seeing that serializer's context."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.utils.translation import get_language
from rest_framework import serializers

from zargar.api.serializers import CachedFieldsMixin


class PermissionSerializer(CachedFieldsMixin, serializers.ModelSerializer):
    asked_by = serializers.SerializerMethodField()

    class Meta:
        model = Permission
        fields = ["id", "codename", "asked_by"]

    def get_asked_by(self, obj):
        return self.context.get("who")


class GroupSerializer(CachedFieldsMixin, serializers.ModelSerializer):
    first_permission = PermissionSerializer(source="*", read_only=True)

    class Meta:
        model = Group
        fields = ["id", "name", "permissions", "first_permission"]


def test_each_instance_gets_its_own_bound_copies():
    one, two = GroupSerializer(context={"who": 1}), GroupSerializer(context={"who": 2})
    assert one.fields and two.fields
    template = CachedFieldsMixin._fields_cache[(GroupSerializer, get_language())]
    for name in ("id", "name", "permissions", "first_permission"):
        assert one.fields[name] is not two.fields[name] and one.fields[name] is not template[name]
        assert one.fields[name].parent is one and two.fields[name].parent is two
        assert template[name].parent is None  # the template itself is never bound
    # A many=True relation's inner field and a nested serializer are copied deeply: bound to the
    # new parent, they see the new serializer's context.
    assert one.fields["permissions"].child_relation.context == {"who": 1}
    assert two.fields["permissions"].child_relation.context == {"who": 2}
    assert one.fields["first_permission"].fields["asked_by"].context == {"who": 1}
    assert two.fields["first_permission"].fields["asked_by"].context == {"who": 2}


def test_a_copy_answers_as_a_field_built_afresh():
    class Fresh(serializers.ModelSerializer):
        class Meta:
            model = Permission
            fields = ["id", "codename", "name"]

    class Cached(CachedFieldsMixin, Fresh):
        pass

    perm = Permission(id=7, codename="sell", name="Can sell")
    Cached(perm).data  # fills the cache
    assert Cached(perm).data == Fresh(perm).data == {"id": 7, "codename": "sell", "name": "Can sell"}


def test_plain_serializers_validate_as_built_afresh():
    """Input serializers (declared fields, nested `many=True`) validate exactly as without the
    cache, one request after another, with nothing carried over."""

    class Line(serializers.Serializer):
        item = serializers.IntegerField(min_value=1)
        note = serializers.CharField(required=False, max_length=5)

    class Fresh(serializers.Serializer):
        lines = Line(many=True, allow_empty=False)
        amount = serializers.DecimalField(max_digits=6, decimal_places=2)

    class CachedLine(CachedFieldsMixin, Line):
        pass

    class Cached(CachedFieldsMixin, serializers.Serializer):
        lines = CachedLine(many=True, allow_empty=False)
        amount = serializers.DecimalField(max_digits=6, decimal_places=2)

    inputs = [
        {"lines": [{"item": 3, "note": "ok"}], "amount": "12.50"},
        {"lines": [{"item": 0, "note": "too long"}], "amount": "x"},
        {"lines": [], "amount": "1"},
        {"lines": [{"item": 4}, {"item": 5}], "amount": "0.01"},
    ]
    for data in inputs * 2:
        fresh, cached = Fresh(data=data), Cached(data=data)
        assert fresh.is_valid() == cached.is_valid()
        assert fresh.errors == cached.errors
        assert (fresh.validated_data if not fresh.errors else None) == (cached.validated_data if not cached.errors else None)
