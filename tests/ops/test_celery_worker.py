"""A real Celery worker process executes a task, on both brokers Zargar supports:
kombu's filesystem transport (no REDIS_URL: nothing to run) and Redis (REDIS_URL)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
REDIS_URL = os.environ.get("ZARGAR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
TIMEOUT = 90  # seconds for the worker to start and run the task; usually a few


def _wait_for(predicate, proc, log: Path, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            pytest.fail(f"worker exited ({proc.returncode}) before {what}:\n{log.read_text()}")
        time.sleep(0.2)
    pytest.fail(f"no {what} within {TIMEOUT} s:\n{log.read_text()}")


def _run_task_on_worker(tmp_path: Path, redis_url: str | None) -> tuple[str, str]:
    """Start `celery -A zargar worker` with var/ in `tmp_path`, send it `write_probe` from this
    process through the broker, and return (text the task wrote, worker log)."""
    queue = f"ops-probe-{uuid.uuid4().hex[:8]}"  # no other worker consumes it
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_TASK_ALWAYS_EAGER"}}
    env.update(ZARGAR_VAR_DIR=str(tmp_path / "var"), DATABASE_URL=settings.DATABASE_URL, PYTHONUNBUFFERED="1")
    if redis_url:
        env["REDIS_URL"] = redis_url
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "zargar", "worker", "--pool", "solo", "-Q", queue,
             "--without-mingle", "--without-gossip", "--loglevel", "INFO"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    try:
        _wait_for(lambda: " ready." in log.read_text(), proc, log, "'ready' line")
        producer = Celery("ops-probe-producer")
        if redis_url:
            producer.conf.broker_url = redis_url
        else:
            celery_dir = tmp_path / "var" / "celery"
            # The worker made its broker folders itself (zargar.celery on_after_configure).
            assert (celery_dir / "queue").is_dir() and (celery_dir / "control").is_dir()
            producer.conf.broker_url = "filesystem://"
            producer.conf.broker_transport_options = {
                "data_folder_in": str(celery_dir / "queue"),
                "data_folder_out": str(celery_dir / "queue"),
                "control_folder": str(celery_dir / "control"),
            }
        target = tmp_path / "probe.txt"
        token = uuid.uuid4().hex
        producer.send_task("zargar.core.write_probe", args=[str(target), token], queue=queue)
        _wait_for(target.exists, proc, log, "task result")
        return target.read_text(), log.read_text()
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_worker_runs_a_task_on_the_filesystem_broker(tmp_path):
    text, log = _run_task_on_worker(tmp_path, redis_url=None)
    token, _host, pid = text.split()
    assert len(token) == 32 and pid.isdigit() and int(pid) != os.getpid()
    assert "filesystem://" in log  # the worker's banner names its transport
    assert "zargar.core.write_probe" in log and "succeeded" in log


def test_worker_runs_a_task_on_redis(tmp_path):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.fail(f"Redis is not reachable at {REDIS_URL} (set ZARGAR_TEST_REDIS_URL): {exc}")
    text, log = _run_task_on_worker(tmp_path, redis_url=REDIS_URL)
    assert len(text.split()[0]) == 32
    assert "redis://" in log
    assert "zargar.core.write_probe" in log and "succeeded" in log
