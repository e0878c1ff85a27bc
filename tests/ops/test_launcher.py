"""`./ops/run`'s supervisor (ops/launcher.py) end to end: migrations, web server, Celery
worker and beat come up; the login page and a static file are served (DEBUG off, so from
collectstatic's output through WhiteNoise); SIGTERM stops every process it started."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import psutil
import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read()


def test_launcher_serves_and_stops_cleanly(django_db_setup, tmp_path):
    db = connection.settings_dict  # the (already migrated) test database
    host = quote(db["HOST"] or db.get("OPTIONS", {}).get("host", ""), safe="")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_ENV", "CELERY_TASK_ALWAYS_EAGER", "ZARGAR_OPS_STARTED"}}
    env.update(
        DATABASE_URL=f"postgres://{settings.DATABASE_OWNER_USER}@{host}:{db['PORT'] or 5432}/{db['NAME']}",
        ZARGAR_VAR_DIR=str(tmp_path / "var"),
        PORT=str(port),
        DJANGO_DEBUG="0",
        WEB_CONCURRENCY="1",
        ZARGAR_WORKER_CONCURRENCY="1",
    )
    log = tmp_path / "launcher.log"
    with log.open("w") as out:
        launcher = subprocess.Popen(
            [sys.executable, "ops/launcher.py", "--no-demo"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + 240
        while "Zargar is running at" not in log.read_text():
            assert launcher.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        text = log.read_text()
        assert f"http://127.0.0.1:{port}/" in text
        assert "Collecting static files" in text
        assert "celery@" in text and " ready." in text  # the worker is up
        assert "beat: Starting" in text

        status, _type, body = _get(f"http://127.0.0.1:{port}/accounts/login/")
        assert status == 200 and b'name="password"' in body
        status, content_type, css = _get(f"http://127.0.0.1:{port}/static/zargar/app.css")
        assert status == 200 and content_type.startswith("text/css") and len(css) > 100
        assert (tmp_path / "var" / "static" / "zargar" / "app.css").exists()  # collected

        children = psutil.Process(launcher.pid).children(recursive=True)
        names = " ".join(" ".join(c.cmdline()) for c in children)
        assert "gunicorn" in names and " worker " in names and " beat " in names
    finally:
        launcher.send_signal(signal.SIGTERM)
        try:
            status = launcher.wait(60)
        except subprocess.TimeoutExpired:
            launcher.kill()
            pytest.fail(f"the launcher did not stop within 60 s:\n{log.read_text()}")
    assert status == 0, log.read_text()
    gone, alive = psutil.wait_procs(children, timeout=10)
    assert alive == [], [p.cmdline() for p in alive]
    assert "Stopped." in log.read_text()
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=3)
