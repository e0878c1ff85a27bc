"""Runs Zargar: database, migrations, demo data, then the web server, the Celery worker and
Celery beat as child processes, until Ctrl+C or SIGTERM stops all three.

Started by `./ops/run` (which has created the virtualenv and installed the project first);
run from the repository root with the virtualenv's Python. Options:

    ./ops/run              set up and run (http://127.0.0.1:8000, or $HOST:$PORT)
    ./ops/run --no-demo    skip `manage.py demo`
    ./ops/run --keep-db    leave the embedded PostgreSQL running after stopping
    ./ops/run --stop-db    stop the embedded PostgreSQL and exit

With no DATABASE_URL it starts the embedded PostgreSQL (pgserver, under var/pg) and hands its
URL to every child, and stops it again on exit if it started it (unless --keep-db).
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
TTY = sys.stdout.isatty()

#: How long each child may take to stop after SIGTERM before it is killed (seconds).
STOP_GRACE = 20
#: How long the web server and the worker may take to come up (seconds).
START_TIMEOUT = 120


#: When ./ops/run started (lib.sh exports it), so the step times count from the command.
_T0 = float(os.environ.get("ZARGAR_OPS_STARTED", time.time()))


def step(message: str) -> None:
    stamp = f"[{time.time() - _T0:5.1f}s]"
    print(f"\033[1;33m==>\033[0m {stamp} {message}" if TTY else f"==> {stamp} {message}", flush=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


try:
    _LIBC = ctypes.CDLL(None, use_errno=True)
except OSError:  # pragma: no cover - not glibc
    _LIBC = None


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the launcher dies (even by SIGKILL), so no
    worker or server outlives it. Each child also gets its own session (process group), so
    a terminal's Ctrl+C reaches only the launcher, which then stops the children in order."""
    if _LIBC is not None:
        _LIBC.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Child:
    """One supervised process whose output is echoed with a name prefix."""

    def __init__(self, name: str, argv: list[str], env: dict, ready_marker: str | None = None):
        self.name = name
        self.ready = threading.Event()
        self.proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
            text=True,
            bufsize=1,
            errors="replace",
        )
        self._marker = ready_marker
        if ready_marker is None:
            self.ready.set()

    def start_output(self) -> None:
        """Start echoing the child's output (after every child is forked: no thread runs
        while a child is being forked)."""
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        prefix = f"\033[2m{self.name:>6} |\033[0m " if TTY else f"{self.name:>6} | "
        for line in self.proc.stdout:
            if self._marker and self._marker in line:
                self.ready.set()
            sys.stdout.write(prefix + line)
            sys.stdout.flush()

    def terminate(self) -> None:
        """SIGTERM to the main process only: gunicorn's master and Celery's worker then stop
        their own children gracefully (signalling the whole group would kill the pool
        processes under the worker and make its warm shutdown hang)."""
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def manage(*args: str, env: dict) -> None:
    """Run `manage.py <args>` in the foreground; exit the launcher if it fails."""
    result = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, stdin=subprocess.DEVNULL)
    if result.returncode < 0:  # interrupted (Ctrl+C reaches it too)
        raise SystemExit(130)
    if result.returncode != 0:
        print(f"manage.py {' '.join(args)} failed (exit status {result.returncode}).", file=sys.stderr)
        raise SystemExit(result.returncode)


def _migrations_fingerprint(database_url: str) -> str:
    """A hash of what decides whether `migrate` has work: the installed packages (lib.sh's
    install stamp), every migration file of the project (path, size, mtime) and the database."""
    digest = hashlib.sha256(database_url.encode())
    install_stamp = ROOT / "var" / "install.stamp"
    digest.update(install_stamp.read_bytes() if install_stamp.exists() else b"-")
    for base in ("zargar", "modules", "plugins", "knowledge_base"):
        for path in sorted((ROOT / base).glob("**/migrations/*.py")):
            st = path.stat()
            digest.update(f"{path.relative_to(ROOT)}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _applied_migrations(database_url: str) -> int | None:
    """How many rows django_migrations has (None if it cannot be read): a database that was
    reset or replaced since the last migrate shows a different number."""
    import psycopg

    try:
        with psycopg.connect(database_url, connect_timeout=10) as conn:
            return conn.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
    except psycopg.Error:
        return None


def migrate_if_needed(env: dict, var: Path) -> None:
    """`manage.py migrate`, skipped when neither the migrations nor the database changed since
    the last successful run (stamp var/migrate.stamp): saves a Django start-up per run."""
    stamp = var / "migrate.stamp"
    url = env["DATABASE_URL"]
    fingerprint = _migrations_fingerprint(url)
    applied = _applied_migrations(url)
    if applied is not None and stamp.exists() and stamp.read_text() == f"{fingerprint} {applied}":
        step("Database migrations: up to date")
        return
    step("Applying database migrations")
    manage("migrate", "--noinput", env=env)
    stamp.write_text(f"{fingerprint} {_applied_migrations(url)}")


def port_in_use(host: str, port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def wait_http(url: str, procs: list[Child], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(c.proc.poll() is not None for c in procs):
            return False
        try:
            with urllib.request.urlopen(url, timeout=60) as response:  # the first request loads the URLconf
                if response.status < 500:
                    return True
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    return False


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="ops/run", description="Run Zargar (web server, Celery worker and beat).")
    parser.add_argument("--no-demo", action="store_true", help="do not create the demo data")
    parser.add_argument("--keep-db", action="store_true", help="leave the embedded PostgreSQL running on exit")
    parser.add_argument("--stop-db", action="store_true", help="stop the embedded PostgreSQL and exit")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from zargar.core import embedded_db

    if args.stop_db:
        return embedded_db.main(["stop"])

    env = dict(os.environ, PYTHONUNBUFFERED="1", DJANGO_SETTINGS_MODULE="zargar.settings")
    var = Path(env.get("ZARGAR_VAR_DIR", ROOT / "var"))
    for folder in (var, var / "celery" / "queue", var / "celery" / "control", var / "log", var / "media"):
        folder.mkdir(parents=True, exist_ok=True)

    host = env.get("HOST", "127.0.0.1")
    port = env.get("PORT", "8000")
    if port_in_use(host, int(port)):
        print(f"{host}:{port} is already in use (another Zargar?): stop it, or set PORT.", file=sys.stderr)
        return 1

    started_db = False
    if not env.get("DATABASE_URL"):
        step(f"Starting the embedded PostgreSQL ({var / 'pg'})")
        started_db = embedded_db.running_pid(var / "pg") is None
        env["DATABASE_URL"] = embedded_db.embedded_database_url(var / "pg")
    else:
        step("Using the database of DATABASE_URL")
    stop_db = started_db and not args.keep_db

    children: list[Child] = []
    stopping = threading.Event()

    def on_signal(signum, frame):
        stopping.set()

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    status = 0
    demo = None
    try:
        migrate_if_needed(env, var)
        production = env.get("DJANGO_ENV", "development") == "production"
        debug = env_bool("DJANGO_DEBUG", not production)
        if not debug and not stopping.is_set():
            step("Collecting static files (DEBUG is off)")
            manage("collectstatic", "--noinput", "-v", "0", env=env)
        if stopping.is_set():
            raise SystemExit(0)
        if not args.no_demo:
            # Runs while the servers start; the logins are printed once both are done.
            step("Creating the demo data (if missing), while the servers start")
            demo = subprocess.Popen([PY, "manage.py", "demo", "--quiet-logins"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL)

        workers = env.get("WEB_CONCURRENCY", "2")
        threads = env.get("ZARGAR_WEB_THREADS", "4")
        step(f"Starting the web server (gunicorn, {workers} workers × {threads} threads), Celery worker and beat")
        bin_dir = Path(PY).parent
        gunicorn_extra = []
        from gunicorn.config import Config

        if "no_control_socket" in Config().settings:  # gunicorn >= 25: no ~/.gunicorn/gunicorn.ctl
            gunicorn_extra.append("--no-control-socket")
        children.append(
            Child(
                "web",
                [str(bin_dir / "gunicorn"), "zargar.wsgi", "--bind", f"{host}:{port}", "--workers", workers,
                 "--threads", threads, "--graceful-timeout", "10", "--access-logfile", "-", *gunicorn_extra],
                env,
            )
        )
        celery = str(bin_dir / "celery")
        children.append(
            Child("worker", [celery, "-A", "zargar", "worker", "--loglevel", "INFO", "--concurrency",
                             env.get("ZARGAR_WORKER_CONCURRENCY", "2")], env, ready_marker=" ready.")
        )
        children.append(
            Child("beat", [celery, "-A", "zargar", "beat", "--loglevel", "INFO",
                           "--schedule", str(var / "celery" / "beat-schedule")], env, ready_marker="beat: Starting")
        )

        for child in children:
            child.start_output()
        base_url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}"
        if not wait_http(f"{base_url}/accounts/login/", children, START_TIMEOUT):
            if not stopping.is_set():
                print("The web server did not come up; see its output above.", file=sys.stderr)
                status = 1
        deadline = time.monotonic() + START_TIMEOUT
        for child in children:  # the worker's "ready." and beat's "Starting..." lines
            while status == 0 and not stopping.is_set() and not child.ready.wait(0.5):
                if time.monotonic() > deadline or child.proc.poll() is not None:
                    print(f"Celery {child.name} did not come up; see its output above.", file=sys.stderr)
                    status = 1
        if demo is not None and status == 0:
            while demo.poll() is None and not stopping.is_set():
                time.sleep(0.2)
            if demo.returncode not in (0, None):
                print(f"manage.py demo failed (exit status {demo.returncode}).", file=sys.stderr)
                status = 1
        if status == 0 and not stopping.is_set():
            from zargar.core.demo_data import logins_text

            banner = [
                "",
                f"Zargar is running at {base_url}/",
                "",
                logins_text() if not args.no_demo else "(no demo data: started with --no-demo)",
                "",
                "Press Ctrl+C to stop.",
                "",
            ]
            print("\n".join(banner), flush=True)
        while status == 0 and not stopping.is_set():
            for child in children:
                if child.proc.poll() is not None:
                    print(f"{child.name} exited (status {child.proc.returncode}); stopping Zargar.", file=sys.stderr)
                    status = 1
            stopping.wait(0.5)
    finally:
        if demo is not None and demo.poll() is None:
            demo.terminate()
            demo.wait()
        if children:
            step("Stopping the web server, Celery worker and beat")
            for child in children:
                child.terminate()
            deadline = time.monotonic() + STOP_GRACE
            for child in children:
                try:
                    child.proc.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    print(f"{child.name} did not stop within {STOP_GRACE} s: killing it.", file=sys.stderr)
                    child.kill()
                    child.proc.wait()
                child.kill()  # leftovers of its process group, if any
        if stop_db:
            step("Stopping the embedded PostgreSQL")
            embedded_db.stop_server(var / "pg")
        elif started_db:
            print("The embedded PostgreSQL is still running (--keep-db); `./ops/run --stop-db` stops it.")
    step("Stopped.")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
