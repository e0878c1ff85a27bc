"""`zargar_api_key_lookup(lookup, is_secret, at)`: an API key found in one round trip.

Authentication used to take five round trips inside a savepoint (set `app.api_key_lookup`, read
the key, clear the setting). This PL/pgSQL function does the same in one call:

- it sets `app.api_key_lookup` to the lookup value (a secret key's 16-character prefix, or the
  whole publishable key) and reads the key table under the table's own read policy, which admits
  that one row (`zargar_api_apikey_identity_read`);
- its `SET app.api_key_lookup = ''` clause scopes the setting to the call: PostgreSQL restores the
  previous value when the function returns, so nothing leaks into the rest of the transaction;
- it returns at most the one *active* row: not revoked and not past `expires_at` at `at`.

It is `SECURITY INVOKER` (the default, stated for the reader): it runs as the caller, the runtime
role, under Row-Level Security exactly like the query it replaces — it gives the caller no right
it did not have. `search_path` is pinned so a caller cannot shadow the table.
"""

from django.db import migrations

LOOKUP_SQL = """
CREATE OR REPLACE FUNCTION zargar_api_key_lookup(lookup text, is_secret boolean, at timestamptz)
RETURNS SETOF zargar_api_apikey
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = public, pg_temp
SET app.api_key_lookup = ''
AS $$
BEGIN
    PERFORM set_config('app.api_key_lookup', lookup, true);
    IF is_secret THEN
        RETURN QUERY SELECT * FROM zargar_api_apikey k
            WHERE k.secret_prefix = lookup AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > at)
            LIMIT 1;
    ELSE
        RETURN QUERY SELECT * FROM zargar_api_apikey k
            WHERE k.publishable_key = lookup AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > at)
            LIMIT 1;
    END IF;
END $$;
"""

REVERSE_SQL = "DROP FUNCTION IF EXISTS zargar_api_key_lookup(text, boolean, timestamptz);"


class Migration(migrations.Migration):
    dependencies = [
        ("zargar_api", "0002_key_scopes_rate_limit_expiry"),
    ]

    operations = [migrations.RunSQL(sql=LOOKUP_SQL, reverse_sql=REVERSE_SQL)]
