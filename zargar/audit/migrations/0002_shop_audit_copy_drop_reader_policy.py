"""The operators read shop audit events from a platform copy, not through a setting.

- `audit_auditevent` keeps only the plain tenant policy: its extra `FOR SELECT` policy, which
  admitted every shop's rows when a transaction set `app.audit_reader = 'operator'` (a setting
  any code could set), is dropped.
- `audit_shopauditcopy` (no `tenant_id`; RLS with one `FOR SELECT` policy, so the runtime role
  may read and never write) is filled by the `SECURITY DEFINER` trigger function
  `audit_copy_for_operators()`, owned by the account running this migration, on every insert,
  update and delete of `audit_auditevent`; existing events are copied here.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import zargar.tenancy.rls

COPY_SQL = """
ALTER TABLE audit_shopauditcopy ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS audit_shopauditcopy_read ON audit_shopauditcopy;
CREATE POLICY audit_shopauditcopy_read ON audit_shopauditcopy FOR SELECT USING (true);

CREATE OR REPLACE FUNCTION audit_copy_for_operators() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM audit_shopauditcopy WHERE source_id = OLD.id;
        RETURN OLD;
    END IF;
    INSERT INTO audit_shopauditcopy (
        source_id, shop_id, action, actor_id, actor_label, impersonator_id, object_type, object_id,
        object_repr, changes, ip, user_agent, created_at
    ) VALUES (
        NEW.id, NEW.tenant_id, NEW.action, NEW.actor_id, NEW.actor_label, NEW.impersonator_id, NEW.object_type,
        NEW.object_id, NEW.object_repr, NEW.changes, NEW.ip, NEW.user_agent, NEW.created_at
    )
    ON CONFLICT (source_id) DO UPDATE SET
        shop_id = EXCLUDED.shop_id, action = EXCLUDED.action, actor_id = EXCLUDED.actor_id,
        actor_label = EXCLUDED.actor_label, impersonator_id = EXCLUDED.impersonator_id,
        object_type = EXCLUDED.object_type, object_id = EXCLUDED.object_id, object_repr = EXCLUDED.object_repr,
        changes = EXCLUDED.changes, ip = EXCLUDED.ip, user_agent = EXCLUDED.user_agent, created_at = EXCLUDED.created_at;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION audit_copy_for_operators() FROM PUBLIC;

DROP TRIGGER IF EXISTS audit_auditevent_operator_copy ON audit_auditevent;
CREATE TRIGGER audit_auditevent_operator_copy AFTER INSERT OR UPDATE OR DELETE ON audit_auditevent
FOR EACH ROW EXECUTE FUNCTION audit_copy_for_operators();

-- Copy the events written so far (the owner reads every shop while FORCE is lifted, in this
-- migration's transaction only).
ALTER TABLE audit_auditevent NO FORCE ROW LEVEL SECURITY;
INSERT INTO audit_shopauditcopy (
    source_id, shop_id, action, actor_id, actor_label, impersonator_id, object_type, object_id,
    object_repr, changes, ip, user_agent, created_at
)
SELECT id, tenant_id, action, actor_id, actor_label, impersonator_id, object_type, object_id,
       object_repr, changes, ip, user_agent, created_at
FROM audit_auditevent
ON CONFLICT (source_id) DO NOTHING;
ALTER TABLE audit_auditevent FORCE ROW LEVEL SECURITY;
"""

REVERSE_COPY_SQL = """
DROP TRIGGER IF EXISTS audit_auditevent_operator_copy ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_copy_for_operators();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("tenancy", "0002_tenant_deletion_scheduled_for"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="auditevent", name="audit_auditevent_tenant_isolation"),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=zargar.tenancy.rls.TenantIsolationPolicy(name="audit_auditevent_tenant_isolation"),
        ),
        migrations.CreateModel(
            name="ShopAuditCopy",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("source_id", models.BigIntegerField(editable=False, unique=True, verbose_name="audit event")),
                ("action", models.CharField(db_index=True, max_length=80, verbose_name="action")),
                ("actor_label", models.CharField(blank=True, max_length=254, verbose_name="actor")),
                ("object_type", models.CharField(blank=True, max_length=100, verbose_name="object type")),
                ("object_id", models.CharField(blank=True, max_length=64, verbose_name="object id")),
                ("object_repr", models.CharField(blank=True, max_length=200, verbose_name="object")),
                ("changes", models.JSONField(blank=True, default=dict, verbose_name="changes")),
                ("ip", models.GenericIPAddressField(blank=True, null=True, verbose_name="IP address")),
                ("user_agent", models.CharField(blank=True, max_length=300, verbose_name="user agent")),
                ("created_at", models.DateTimeField(db_index=True, verbose_name="time")),
                ("actor", models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="actor")),
                ("impersonator", models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="impersonator")),
                ("shop", models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="tenancy.tenant", verbose_name="shop")),
            ],
            options={
                "verbose_name": "shop audit event (operator copy)",
                "verbose_name_plural": "shop audit events (operator copy)",
                "ordering": ["-created_at", "-id"],
                "indexes": [models.Index(fields=["shop", "created_at"], name="audit_copy_shop_time")],
            },
        ),
        migrations.RunSQL(sql=COPY_SQL, reverse_sql=REVERSE_COPY_SQL),
    ]
