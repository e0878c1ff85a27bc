"""The embedded PostgreSQL used when `DATABASE_URL` is not set: pgserver under `var/pg`.

pgserver ships PostgreSQL binaries in a wheel; `get_server` initialises the data directory on
first use and starts the server (about a second), or attaches to one already running. The
server keeps running after this process ends (`cleanup_mode=None`) so the web server, the
Celery worker and beat, and the tests share it; `ops/run --stop-db` stops it.
"""

from __future__ import annotations

from pathlib import Path


def embedded_database_url(data_dir: Path, database: str = "zargar") -> str:
    """Start (or attach to) the embedded server and return a URL of its `database` (created if
    missing) for the `postgres` superuser, over the server's Unix socket."""
    import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(str(data_dir), cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "1 row" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    uri = server.get_uri(database)
    return uri
