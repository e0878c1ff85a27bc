"""The embedded PostgreSQL used when `DATABASE_URL` is not set: pgserver under `var/pg`.

pgserver ships PostgreSQL 16 binaries in a wheel; `pgserver.get_server` initialises the data
directory on first use (`initdb --auth=trust`) and starts the server (about a second), or
attaches to one already running. The server keeps running after this process ends
(`cleanup_mode=None`) so the web server, the Celery worker and beat, and the tests share it;
`./ops/run --stop-db` (or `python -m zargar.core.embedded_db stop`) stops it.

How pgserver behaves, as checked for Zargar (pgserver 0.1.4):

- It listens on a Unix socket only (no TCP port, so it never clashes with another PostgreSQL),
  with trust authentication: every role — the owner `postgres` and the runtime role
  `zargar_app` — logs in without a password, and only local users can reach the socket.
- The socket lives in the data directory, unless that path is too long for a Unix socket
  (about 107 bytes on Linux); then pgserver puts it under the user's runtime directory
  (`$XDG_RUNTIME_DIR` or `/tmp/runtime-<uid>`), in a folder named by a hash of the data path.
  The URL returned here names whichever directory the server really uses (from
  `postmaster.pid`), so long checkout paths work.
- Run as root, pgserver creates a system user `pgserver` (useradd), gives it the data
  directory and makes the parent folders traversable, and runs PostgreSQL as that user.

Command line: `python -m zargar.core.embedded_db url|stop|status [DATA_DIR]`.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import warnings
from pathlib import Path
from urllib.parse import quote

#: The superuser pgserver creates (`initdb -U postgres`): the owner account of the database.
OWNER = "postgres"


def default_data_dir() -> Path:
    """`$ZARGAR_VAR_DIR/pg`, by default `<repo>/var/pg`."""
    base = Path(__file__).resolve().parent.parent.parent
    return Path(os.environ.get("ZARGAR_VAR_DIR", base / "var")) / "pg"


def _pgserver():
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (it falls back to /tmp/runtime-<uid>).
        warnings.simplefilter("ignore")
        import pgserver
        from pgserver import postgres_server  # noqa: F401  (the module that defines the lock path)
    # Its INFO lines (one per attach, and from an atexit hook after logging's streams may be
    # closed) are noise; start-up failures are logged at ERROR with the server log.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    return pgserver


def start_server(data_dir: Path | None = None):
    """Start the server of `data_dir` (initialising it on first use) or attach to the running
    one. Returns pgserver's `PostgresServer`. Raises `subprocess.CalledProcessError` when
    initdb or pg_ctl fail (their output is in `<data_dir>/log`)."""
    data_dir = Path(data_dir or default_data_dir()).resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    return _pgserver().get_server(str(data_dir), cleanup_mode=None)


def server_url(server, database: str, user: str = OWNER) -> str:
    """A `postgres://` URL of `database` on `server` for `user`, over its Unix socket.

    The socket directory goes in the host part, percent-encoded, so `dj_database_url` sets
    Django's HOST to it (libpq treats a host starting with `/` as a socket directory)."""
    info = server.get_postmaster_info()
    host = quote(str(info.socket_dir), safe="")
    port = info.port or 5432
    return f"postgres://{user}@{host}:{port}/{database}"


def ensure_database(server, database: str) -> None:
    """Create `database` on `server` (owned by `postgres`) if it does not exist."""
    import psycopg
    from psycopg import sql

    info = server.get_postmaster_info()
    with psycopg.connect(host=str(info.socket_dir), port=info.port or 5432, user=OWNER, dbname="postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def embedded_database_url(data_dir: Path | None = None, database: str = "zargar") -> str:
    """Start (or attach to) the embedded server and return the URL of its `database` (created
    if missing) for the owner account `postgres`, over the server's Unix socket."""
    server = start_server(data_dir)
    ensure_database(server, database)
    return server_url(server, database)


def running_pid(data_dir: Path | None = None) -> int | None:
    """The postmaster's pid when the server of `data_dir` is running, else None."""
    data_dir = Path(data_dir or default_data_dir()).resolve()
    pidfile = data_dir / "postmaster.pid"
    try:
        pid = int(pidfile.read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # exists, owned by the `pgserver` user
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return pid
    return pid if b"postgres" in cmdline else None  # a stale pid reused by another program


def stop_server(data_dir: Path | None = None, timeout: int = 60) -> bool:
    """Stop the server of `data_dir` (`pg_ctl stop -m fast`). True when it was running."""
    data_dir = Path(data_dir or default_data_dir()).resolve()
    if running_pid(data_dir) is None:
        return False
    _pgserver()
    from pgserver._commands import POSTGRES_BIN_PATH

    user = "pgserver" if hasattr(os, "geteuid") and os.geteuid() == 0 else None
    subprocess.run(
        [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(data_dir), "-m", "fast", "-w", "-t", str(timeout), "stop"],
        check=True,
        stdout=subprocess.DEVNULL,
        user=user,
    )
    return True


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"url", "stop", "status"}:
        print("usage: python -m zargar.core.embedded_db url|stop|status [DATA_DIR]", file=sys.stderr)
        return 2
    data_dir = Path(argv[1]) if len(argv) > 1 else default_data_dir()
    if argv[0] == "url":
        print(embedded_database_url(data_dir))
    elif argv[0] == "stop":
        print("stopped embedded PostgreSQL" if stop_server(data_dir) else "embedded PostgreSQL was not running")
    else:
        pid = running_pid(data_dir)
        print(f"running (pid {pid})" if pid else "not running")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
