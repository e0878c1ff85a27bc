"""Data migration: every existing item becomes a serialized piece (quantity 0 or 1, with a
generated "ZG" tag) or a lot item (quantity > 1, one lot "L000001"… at the shop's default
location), and the quantity it had is recorded as an opening 'receipt' movement, so the stock
derived from movements equals the quantity on the row. Shops with items get their default
branch "Main" and location "Main". Runs per shop with `app.tenant_id` set, so it also works when
the migrating role is subject to row-level security."""

import uuid

from django.db import migrations


def forwards(apps, schema_editor):
    Item = apps.get_model("inventory", "Item")
    Branch = apps.get_model("inventory", "Branch")
    Location = apps.get_model("inventory", "Location")
    Lot = apps.get_model("inventory", "Lot")
    StockMovement = apps.get_model("inventory", "StockMovement")
    StockCounter = apps.get_model("inventory", "StockCounter")
    Tenant = apps.get_model("tenancy", "Tenant")
    db = schema_editor.connection.alias
    for tenant_id in Tenant.objects.using(db).order_by("pk").values_list("pk", flat=True):
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id)])
        items = list(Item.objects.using(db).filter(tenant_id=tenant_id).order_by("pk"))
        if not items:
            continue
        branch = Branch.objects.using(db).create(tenant_id=tenant_id, name="Main", code="MAIN", is_default=True)
        location = Location.objects.using(db).create(tenant_id=tenant_id, branch=branch, name="Main", kind="showcase", is_default=True)
        tags = lots = 0
        batch = uuid.uuid4()
        for item in items:
            quantity = item.quantity
            if quantity <= 1:
                tags += 1
                item.tracking = "serialized"
                item.tag = f"ZG{tags:06d}"
                item.location = location
                item.save(update_fields=["tracking", "tag", "location"])
                if quantity:
                    StockMovement.objects.using(db).create(
                        tenant_id=tenant_id, kind="receipt", item=item, location=location, quantity=1,
                        gross_weight=item.gross_weight, net_weight=item.net_weight,
                        document="Opening stock", batch=batch,
                    )
            else:
                lots += 1
                item.tracking = "lot"
                item.tag = None
                item.save(update_fields=["tracking", "tag"])
                gross, net = item.gross_weight * quantity, item.net_weight * quantity
                lot = Lot.objects.using(db).create(
                    tenant_id=tenant_id, item=item, lot_number=f"L{lots:06d}", location=location,
                    quantity=quantity, gross_weight=gross, net_weight=net,
                )
                StockMovement.objects.using(db).create(
                    tenant_id=tenant_id, kind="receipt", item=item, lot=lot, location=location, quantity=quantity,
                    gross_weight=gross, net_weight=net, document="Opening stock", batch=batch,
                )
        StockCounter.objects.using(db).create(tenant_id=tenant_id, last_tag=tags, last_lot=lots)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.tenant_id', '', true)")


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0002_branches_lots_movements"),
        ("tenancy", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
