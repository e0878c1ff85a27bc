"""The embedded PostgreSQL (pgserver) that Zargar uses when DATABASE_URL is not set: it
starts in a data directory whose path is too long for a Unix socket, both the owner and the
runtime role log in over its socket, and it stops."""

from __future__ import annotations

import os
import subprocess
import sys

import dj_database_url
import psycopg
from django.conf import settings

from zargar.core import embedded_db


def test_embedded_server_long_path_owner_and_runtime_role(tmp_path):
    data_dir = tmp_path / ("long-checkout-path-" * 5) / "var" / "pg"
    assert len(str(data_dir / ".s.PGSQL.5432")) > 107  # longer than sun_path allows
    try:
        url = embedded_db.embedded_database_url(data_dir, database="zargar_embedded_probe")
        db = dj_database_url.parse(url)
        assert db["USER"] == "postgres" and db["NAME"] == "zargar_embedded_probe"
        assert db["HOST"].startswith("/")  # a socket directory (moved out of the long path)
        assert len(db["HOST"]) + len("/.s.PGSQL.5432") < 108
        assert embedded_db.running_pid(data_dir) is not None

        params = {"host": db["HOST"], "port": db["PORT"], "dbname": db["NAME"]}
        with psycopg.connect(user="postgres", autocommit=True, **params) as owner:
            assert owner.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone() == (True,)
            owner.execute("CREATE ROLE zargar_app LOGIN NOSUPERUSER NOBYPASSRLS")
            owner.execute("CREATE TABLE probe (n int)")
            owner.execute("GRANT SELECT, INSERT ON probe TO zargar_app")
        with psycopg.connect(user="zargar_app", autocommit=True, **params) as runtime:  # trust auth: no password
            runtime.execute("INSERT INTO probe VALUES (7)")
            assert runtime.execute("SELECT current_user, sum(n) FROM probe").fetchone() == ("zargar_app", 7)

        # Attaching again (another process, as every Zargar process does) gives the same URL.
        again = subprocess.run(
            [sys.executable, "-m", "zargar.core.embedded_db", "url", str(data_dir)],
            cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60, env=dict(os.environ),
        )
        assert again.returncode == 0, again.stderr
        assert again.stdout.strip() == embedded_db.server_url(embedded_db.start_server(data_dir), "zargar")
    finally:
        assert embedded_db.stop_server(data_dir) in (True, False)
    assert embedded_db.running_pid(data_dir) is None
    assert embedded_db.stop_server(data_dir) is False  # stopping a stopped server is a no-op
